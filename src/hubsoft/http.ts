import { readFileSync } from 'node:fs';
import got, { type Got, type Method } from 'got';
import { BridgeError } from '../errors.js';
import type { HubsoftConfig } from '../config/schema.js';
import { createDirectPoster } from './http-direct.js';

/** Only what we send; the Authorization header never leaves this module in an error. */
export interface HttpRequest {
  readonly method: 'GET' | 'POST';
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

export function createGot(config: HubsoftConfig, options: HttpOptions = {}): Got {
  const retryBaseMs = options.retryBaseMs ?? 300;
  const retryMaxMs = options.retryMaxMs ?? 3000;
  const certificateAuthority = readCertificateAuthority(config, options);
  return got.extend({
    prefixUrl: config.url,
    headers: BASE_HEADERS,
    timeout: { connect: config.connectTimeoutMs, request: config.requestTimeoutMs },
    https: { rejectUnauthorized: !config.tls.insecure, ...(certificateAuthority ? { certificateAuthority } : {}) },
    throwHttpErrors: false,
    followRedirect: false,
    responseType: 'text',
    retry: {
      limit: config.retries,
      // Only reads are safe to repeat: a notify sent twice opens two windows.
      methods: ['GET'],
      statusCodes: [502, 503, 504],
      calculateDelay: ({ attemptCount, computedValue }) =>
        computedValue === 0 ? 0 : Math.min(retryBaseMs * 2 ** (attemptCount - 1), retryMaxMs),
    },
  });
}

/** GETs through got (retries); POSTs (notificar, cancelar, token; never retried) straight on node:http, see http-direct.ts. */
export function createHubsoftHttp(config: HubsoftConfig, options: HttpOptions = {}): HubsoftHttp {
  const client = createGot(config, options);
  const ca = readCertificateAuthority(config, options);
  const direct = createDirectPoster({
    baseUrl: config.url,
    connectTimeoutMs: config.connectTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    rejectUnauthorized: !config.tls.insecure,
    ...(ca ? { ca } : {}),
    headers: BASE_HEADERS,
  });
  return {
    async send(request) {
      if (request.method === 'POST') {
        let answer;
        try {
          answer = await direct.post(request.path, request.json, request.headers, request.searchParams, request.signal);
        } catch (error) {
          throw mapTransportError(error, request);
        }
        return { statusCode: answer.statusCode, json: parseJson(answer.text), snippet: snippetOf(answer.text) };
      }
      let response;
      try {
        response = await client(request.path.replace(/^\/+/, ''), {
          method: request.method as Method,
          searchParams: request.searchParams as Record<string, string | number> | undefined,
          json: request.json,
          headers: request.headers,
          ...(request.signal ? { signal: request.signal } : {}),
        });
      } catch (error) {
        throw mapTransportError(error, request);
      }
      const text = typeof response.body === 'string' ? response.body : '';
      return { statusCode: response.statusCode, json: parseJson(text), snippet: snippetOf(text) };
    },
    close: () => direct.close(),
  };
}

/** Turns a got/transport error into a BridgeError without its options (which carry the Authorization header). */
export function mapTransportError(error: unknown, request: Pick<HttpRequest, 'method' | 'path'>): BridgeError {
  const e = error as { code?: string; name?: string; message?: string; event?: string };
  const where = `${request.method} /${request.path.replace(/^\/+/, '')}`;
  const details = { method: request.method, path: request.path, code: e.code ?? null };
  if (e.name === 'TimeoutError' || e.code === 'ETIMEDOUT') {
    const phase = e.event === 'connect' ? 'connect (hubsoft.connectTimeoutMs)' : 'the answer (hubsoft.requestTimeoutMs)';
    return new BridgeError('HUBSOFT_TIMEOUT', `HubSoft timeout waiting for ${phase} on ${where}`, details);
  }
  if (e.code && TLS_CODES.test(e.code)) {
    return new BridgeError(
      'HUBSOFT_UNREACHABLE',
      `HubSoft TLS error on ${where}: ${e.code}; set hubsoft.tls.ca to the provider's CA file (or, last resort, hubsoft.tls.insecure: true)`,
      details,
    );
  }
  return new BridgeError('HUBSOFT_UNREACHABLE', `HubSoft unreachable on ${where}: ${e.code ?? e.message ?? 'unknown error'}`, details);
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
