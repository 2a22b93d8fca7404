import { readFileSync } from 'node:fs';
import { interceptors, Pool, type Dispatcher } from 'undici';
import { BridgeError, isBridgeError } from '../errors.js';
import type { HubsoftConfig } from '../config/schema.js';

/** Only what we send; the Authorization header never leaves this module in an error. */
export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT';
  /** Path relative to hubsoft.url, without a leading slash ("api/v1/integracao/cliente"). */
  readonly path: string;
  readonly searchParams?: Readonly<Record<string, string | number>>;
  readonly json?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Aborts the request (shutdown, the dispatcher's attempt timeout). */
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly statusCode: number;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  readonly json: unknown;
  /** The first characters of the body, for error messages about non-JSON answers. */
  readonly snippet: string;
}

export interface HttpOptions {
  /** First retry delay; doubles per attempt up to retryMaxMs. */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** Answers larger than this fail with HUBSOFT_BAD_RESPONSE, read no further (default MAX_RESPONSE_BYTES). */
  readonly maxResponseBytes?: number;
  /** Reads hubsoft.tls.ca; injectable for tests. */
  readonly readFile?: (path: string) => Buffer | string;
}

export interface HubsoftHttp {
  send(request: HttpRequest): Promise<HttpResponse>;
  /** Destroys kept-alive sockets; requests after close() still work (on new sockets). */
  close?(): void;
}

/** Called after every HTTP exchange with HubSoft (token requests included): status code, or 'timeout' / 'unreachable' / 'error'. */
export type HttpObserver = (request: Pick<HttpRequest, 'method' | 'path'>, status: number | string, seconds: number) => void;

/** Times every request of `http` for the observer (metrics); behaviour unchanged. */
export function observedHttp(http: HubsoftHttp, observe: HttpObserver): HubsoftHttp {
  return {
    async send(request) {
      const started = performance.now();
      try {
        const response = await http.send(request);
        observe(request, response.statusCode, (performance.now() - started) / 1000);
        return response;
      } catch (error) {
        const code = (error as { code?: string }).code;
        observe(request, code === 'HUBSOFT_TIMEOUT' ? 'timeout' : code === 'HUBSOFT_UNREACHABLE' ? 'unreachable' : 'error', (performance.now() - started) / 1000);
        throw error;
      }
    },
    close: () => http.close?.(),
  };
}

const BASE_HEADERS = { accept: 'application/json', 'user-agent': 'hubsoft-pbx-bridge' } as const;

/** A HubSoft answer is a few KB (a search with its limit of clients, a PBX answer a few hundred bytes). */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
const SNIPPET_CHARS = 80;
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|SSL/i;

function readCertificateAuthority(config: HubsoftConfig, options: HttpOptions): Buffer | string | undefined {
  if (!config.tls.ca) return undefined;
  const readFile = options.readFile ?? ((path: string) => readFileSync(path));
  try {
    return readFile(config.tls.ca);
  } catch (error) {
    throw new BridgeError('CONFIG_INVALID', `hubsoft.tls.ca: cannot read ${config.tls.ca} (${(error as Error).message})`);
  }
}

/**
 * Every HubSoft request goes through one undici Pool per HubSoft origin (keep-alive, unref'd idle sockets).
 * undici does the transport work: connect timeout, answer timeout (headers, then no body gap longer than
 * requestTimeoutMs), the response size cap (maxResponseSize: a 20 MB answer fails at the cap instead of
 * filling memory), and the GET retries (its retry interceptor). Its headers/body timeouts run on undici's coarse
 * timers (about a second of slack), fine for requestTimeoutMs of seconds; callers with tighter deadlines (the
 * dispatcher's attempt timeout, the lookup budget) abort through request.signal. CPU per request under load:
 * undici ~0.07 ms, got ~0.4 ms with or without a keep-alive agent (README "Performance", test/bench/http-stack.ts).
 */
export function createHubsoftHttp(config: HubsoftConfig, options: HttpOptions = {}): HubsoftHttp {
  const retryBaseMs = options.retryBaseMs ?? 300;
  const retryMaxMs = options.retryMaxMs ?? 3000;
  const maxResponseBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  const certificateAuthority = readCertificateAuthority(config, options);
  const base = new URL(config.url.endsWith('/') ? config.url : `${config.url}/`);
  const secure = base.protocol === 'https:';
  const newPool = (): { pool: Pool; reader: Dispatcher } => {
    const pool = new Pool(base.origin, {
      connect: {
        timeout: config.connectTimeoutMs,
        ...(secure ? { rejectUnauthorized: !config.tls.insecure, ...(certificateAuthority ? { ca: certificateAuthority } : {}) } : {}),
      },
      headersTimeout: config.requestTimeoutMs,
      bodyTimeout: config.requestTimeoutMs,
      maxResponseSize: maxResponseBytes,
      keepAliveTimeout: 4000,
    });
    // Only reads are safe to repeat: a notify sent twice opens two windows. throwOnError false: the last
    // attempt's answer (a 503 with HubSoft's msg) comes back as an answer, not as a retry error.
    const reader = pool.compose(
      interceptors.retry({
        maxRetries: config.retries,
        methods: ['GET'],
        statusCodes: [502, 503, 504],
        minTimeout: retryBaseMs,
        maxTimeout: retryMaxMs,
        timeoutFactor: 2,
        throwOnError: false,
      }),
    );
    return { pool, reader };
  };
  let current: { pool: Pool; reader: Dispatcher } | null = null;
  return {
    async send(request) {
      current ??= newPool();
      // POST and PUT carry a JSON body and are never repeated by the retry interceptor.
      const post = request.method !== 'GET';
      const body = post ? JSON.stringify(request.json ?? null) : undefined;
      let statusCode: number;
      let text: string;
      try {
        const response = await (post ? current.pool : current.reader).request({
          method: request.method,
          path: pathOf(base, request),
          headers: { ...BASE_HEADERS, ...request.headers, ...(post ? { 'content-type': 'application/json' } : {}) },
          ...(body !== undefined ? { body } : {}),
          ...(request.signal ? { signal: request.signal } : {}),
        });
        statusCode = response.statusCode;
        text = await response.body.text();
      } catch (error) {
        throw mapTransportError(error, request, maxResponseBytes);
      }
      return { statusCode, json: parseJson(text), snippet: snippetOf(text) };
    },
    close() {
      const closing = current;
      current = null;
      void closing?.pool.destroy().catch(() => undefined);
    },
  };
}

function pathOf(base: URL, request: HttpRequest): string {
  const path = `${base.pathname}${request.path.replace(/^\/+/, '')}`;
  const params = request.searchParams;
  if (!params) return path;
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) query.set(name, String(value));
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** Turns an undici/transport error into a BridgeError without the request (whose headers carry the token). */
export function mapTransportError(error: unknown, request: Pick<HttpRequest, 'method' | 'path'>, maxResponseBytes = MAX_RESPONSE_BYTES): BridgeError {
  // The dispatcher's abort reasons (shutdown, attempt timeout) are already named.
  if (isBridgeError(error)) return error;
  const e = error as { code?: unknown; name?: string; message?: string };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const where = `${request.method} /${request.path.replace(/^\/+/, '')}`;
  const details = { method: request.method, path: request.path, code: code ?? null };
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    const phase = code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connect (hubsoft.connectTimeoutMs)' : 'the answer (hubsoft.requestTimeoutMs)';
    return new BridgeError('HUBSOFT_TIMEOUT', `HubSoft timeout waiting for ${phase} on ${where}`, details);
  }
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
    return new BridgeError('HUBSOFT_BAD_RESPONSE', `HubSoft answered ${where} with a body over ${maxResponseBytes} bytes: not read (a HubSoft answer is a few KB)`, {
      ...details,
      maxResponseBytes,
    });
  }
  if (e.name === 'AbortError' || code === 'UND_ERR_ABORTED') {
    return new BridgeError('HUBSOFT_UNREACHABLE', `HubSoft request ${where} aborted`, { ...details, code: 'ABORTED' });
  }
  if (code && TLS_CODES.test(code)) {
    return new BridgeError(
      'HUBSOFT_UNREACHABLE',
      `HubSoft TLS error on ${where}: ${code}; set hubsoft.tls.ca to the provider's CA file (or, last resort, hubsoft.tls.insecure: true)`,
      details,
    );
  }
  return new BridgeError('HUBSOFT_UNREACHABLE', `HubSoft unreachable on ${where}: ${code ?? e.message ?? 'unknown error'}`, details);
}

/**
 * Checks an API answer: HTTP status, JSON, and the body's own "status" (HubSoft may say
 * {"status":"error"} with HTTP 200). Returns the body as an object.
 */
export function expectSuccess(response: HttpResponse, where: string): Record<string, unknown> {
  const body = isRecord(response.json) ? response.json : undefined;
  const msg = body ? messageOf(body) : undefined;
  if (!body) {
    const what = response.json === undefined ? 'not JSON' : 'JSON but not an object';
    return throwError(
      'HUBSOFT_BAD_RESPONSE',
      `HubSoft answered HTTP ${response.statusCode} on ${where} with a body that is ${what}: ${JSON.stringify(response.snippet)}`,
      { status: response.statusCode, snippet: response.snippet },
    );
  }
  // What the answer says beyond msg: the fields a 422 names, and an empty client list (a search's "no result").
  const fields = fieldErrors(body);
  const clientCount = Array.isArray(body.clientes) ? { clientes: body.clientes.length } : {};
  const named = fields.length > 0 ? ` (fields: ${fields.join(', ')})` : '';
  if (response.statusCode < 200 || response.statusCode >= 300) {
    return throwError('HUBSOFT_HTTP', `HubSoft answered HTTP ${response.statusCode} on ${where}${msg ? `: ${msg}` : ''}${named}`, {
      status: response.statusCode,
      ...(msg ? { msg } : {}),
      fields,
      ...clientCount,
    });
  }
  if (body.status === 'error') {
    return throwError('HUBSOFT_STATUS_ERROR', `HubSoft answered status "error" on ${where}: ${msg ?? '(no msg)'}${named}`, {
      status: response.statusCode,
      msg: msg ?? null,
      fields,
      ...clientCount,
    });
  }
  return body;
}

/** The fields a validation answer names (Laravel: errors: { field: [msg] }); [] for `errors: []` or none. */
function fieldErrors(body: Record<string, unknown>): string[] {
  return isRecord(body.errors) ? Object.keys(body.errors).slice(0, 20) : [];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** HubSoft says msg; Laravel says message; Passport says error_description. */
export function messageOf(body: Record<string, unknown>): string | undefined {
  for (const key of ['msg', 'error_description', 'message', 'error']) {
    const value = body[key];
    if (typeof value === 'string' && value) return value.slice(0, 300);
  }
  return undefined;
}

function throwError(code: 'HUBSOFT_HTTP' | 'HUBSOFT_BAD_RESPONSE' | 'HUBSOFT_STATUS_ERROR', message: string, details: Record<string, unknown>): never {
  throw new BridgeError(code, message, details);
}

function parseJson(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}

function snippetOf(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, SNIPPET_CHARS);
}
