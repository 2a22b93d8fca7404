/**
 * A fake HubSoft: a real HTTP server on 127.0.0.1 with the routes the bridge uses, validating
 * what the real one validates (seed 003 chapters 2 and 7, seed 004). Used by tests and the demo.
 *
 * Where the seeds are silent the fake follows Laravel/Passport conventions, noted inline:
 * validation failures answer 422 (configurable) with HubSoft's {status:"error", msg}.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { sampleClients, sampleInvoices, type FakeClient, type FakeInvoice } from './sample-clients.js';
import { answerSelfService, selfServiceRoute, type FakeAtendimento, type FakeSend, type FakeUnlock, type SelfServiceState } from './fake-hubsoft-routes.js';
import { listenOnLoopback } from './loopback-server.js';
import { answerContext, contextRoute, type ContextState } from './fake-hubsoft-context.js';
import { sampleContexts, type ClientContext } from './sample-context.js';
import { answerSelfFix, selfFixRoute, type FakeSelfFix, type FakeTicketEdit, type SelfFixState } from './fake-hubsoft-self-fix.js';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly contentType: string;
  readonly accept: string;
  /** Parsed JSON (or form) body; undefined when empty or unparsable. */
  readonly body: unknown;
  readonly rawBody: string;
  /** A valid Bearer token was sent. */
  readonly authOk: boolean;
  readonly at: number;
}

/**
 * status-error: HTTP 200 {"status":"error"} naming no field (HubSoft mid-update). non-json-200: HTTP 200 whose
 * body is not JSON (a PHP error page during a deploy). validation422: a refusal naming a field.
 * huge: HTTP 200 JSON streamed chunked, HUGE_ANSWER_BYTES long (a HubSoft answering a search with every client).
 */
export type FailureKind = 'status500' | 'status503' | 'html502' | 'timeout' | 'status-error' | 'non-json-200' | 'validation422' | 'reset' | 'huge';
export const HUGE_ANSWER_BYTES = 20 * 1024 * 1024;
export type FailureScope = 'api' | 'token' | 'any';
/**
 * How a client search that found nobody is answered: HTTP 200 success with an empty list (default), HTTP 200
 * {"status":"error","msg":"Nenhum cliente encontrado","clientes":[]} (some HubSoft versions), or a 404 with that msg.
 */
export type EmptySearchAnswer = 'empty-list' | 'status-error' | 'not-found-404';

export interface FakeHubsoftOptions {
  clients?: FakeClient[];
  clientId?: string;
  clientSecret?: string;
  username?: string;
  password?: string;
  /** expires_in of new tokens, seconds (HubSoft: 2592000, 30 days). */
  expiresIn?: number;
  /** HTTP status of validation errors; the seeds do not say, Laravel uses 422. */
  validationStatus?: number;
  /** Invoices by id_cliente (self-service routes); default sampleInvoices(). */
  invoices?: Map<number, FakeInvoice[]>;
  /** The provider's trust-unlock rule: at most this many dias_desbloqueio (default 3, the seed's example). */
  maxUnlockDays?: number;
  /** Clock for unlock dates and protocol numbers. */
  now?: () => number;
  emptySearch?: EmptySearchAnswer;
  /** Tickets and work orders by id_cliente (cliente/atendimento, cliente/ordem_servico); default sampleContexts(). */
  contexts?: Map<number, ClientContext>;
}

export interface PbxWindow {
  readonly key: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly openedAt: number;
}

export interface FakeHubsoft {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Call windows opened by notificar and not yet closed by cancelar (keyed by ramal/identificador + telefone). */
  readonly windows: Map<string, PbxWindow>;
  readonly tokensIssued: () => number;
  close(): Promise<void>;
  setClients(clients: FakeClient[]): void;
  /** Every token issued so far becomes invalid: API routes answer 401. */
  expireTokens(): void;
  /** The next n requests in scope (default: API routes) fail this way. */
  failNext(n: number, kind: FailureKind, scope?: FailureScope): void;
  /** Forgets the failures still queued by failNext: HubSoft is back. */
  clearFailures(): void;
  /** Every answer waits this long; a function gives the delay per path (e.g. a slow cancelar). */
  setDelay(ms: number | ((path: string) => number)): void;
  setLookupDelay(ms: number): void;
  setEmptySearchAnswer(answer: EmptySearchAnswer): void;
  setExpiresIn(seconds: number): void;
  /** false: tokens are still issued but every API route answers 401 (a revoked API user). */
  acceptTokens(accept: boolean): void;
  /** Requests to a path (with or without the leading slash). */
  count(path: string): number;
  waitFor(predicate: (requests: readonly RecordedRequest[]) => boolean, timeoutMs?: number): Promise<void>;
  /** What the self-service routes did: invoices sent, unlocks granted, atendimentos opened. */
  readonly selfService: { readonly sends: FakeSend[]; readonly unlocks: FakeUnlock[]; readonly atendimentos: FakeAtendimento[] };
  setInvoices(id_cliente: number, invoices: FakeInvoice[]): void;
  setMaxUnlockDays(days: number): void;
  /** A client's tickets and work orders (GET cliente/atendimento, cliente/ordem_servico). */
  setContext(id_cliente: number, context: ClientContext): void;
  /**
   * Reset MAC, disconnection and ticket edits HubSoft accepted (fake-hubsoft-self-fix.ts); services listed in
   * withoutAuthentication have no login: both self-fixes are refused with status "error".
   */
  readonly selfFix: { readonly selfFixes: FakeSelfFix[]; readonly ticketEdits: FakeTicketEdit[]; readonly withoutAuthentication: Set<number> };
}

export const FAKE_CREDENTIALS = {
  clientId: '3',
  clientSecret: 'ONe7Ns48Y30tB-fake-client-secret',
  username: 'api@provedor.example.com.br',
  password: 'fake-Senha-1234',
} as const;

const CLIENTE = '/api/v1/integracao/cliente';
const NOTIFY = '/api/v1/integracao/pbx/ligacao/notificar';
const CANCEL = '/api/v1/integracao/pbx/ligacao/cancelar';
const BUSCAS = ['nome_razaosocial', 'nome_fantasia', 'cpf_cnpj', 'codigo_cliente', 'telefone', 'login_radius', 'ipv4', 'mac'];
const PROXY_502 = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** Writes HUGE_ANSWER_BYTES of a valid JSON search answer, chunked, as fast as the client reads; stops when it hangs up. */
function streamHuge(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  const entry = Buffer.from(`{"id_cliente":1,"nome_razaosocial":"${'X'.repeat(1000)}"},`);
  const chunk = Buffer.concat(Array.from({ length: 64 }, () => entry));
  let sent = 0;
  res.write('{"status":"success","clientes":[');
  const pump = (): void => {
    while (!res.destroyed && sent < HUGE_ANSWER_BYTES) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end('{"id_cliente":2}]}');
  };
  pump();
}

export async function startFakeHubsoft(options: FakeHubsoftOptions = {}): Promise<FakeHubsoft> {
  const creds = {
    clientId: options.clientId ?? FAKE_CREDENTIALS.clientId,
    clientSecret: options.clientSecret ?? FAKE_CREDENTIALS.clientSecret,
    username: options.username ?? FAKE_CREDENTIALS.username,
    password: options.password ?? FAKE_CREDENTIALS.password,
  };
  const validationStatus = options.validationStatus ?? 422;
  let clients = options.clients ?? sampleClients();
  let expiresIn = options.expiresIn ?? 2592000;
  let delayFor: (path: string) => number = () => 0;
  let lookupDelayMs = 0;
  let emptySearch: EmptySearchAnswer = options.emptySearch ?? 'empty-list';
  let issued = 0;
  let tokensAccepted = true;
  const tokens = new Set<string>();
  const failures: { kind: FailureKind; scope: FailureScope }[] = [];
  const requests: RecordedRequest[] = [];
  const windows = new Map<string, PbxWindow>();
  const selfService: SelfServiceState = {
    clients: () => clients,
    invoices: options.invoices ?? sampleInvoices(),
    maxUnlockDays: options.maxUnlockDays ?? 3,
    sends: [],
    unlocks: [],
    atendimentos: [],
    now: options.now ?? Date.now,
    validationStatus,
  };

  const ticketStates = new Map<number, { closed: boolean }>();
  const selfFix: SelfFixState = {
    clients: () => clients,
    tickets: () => {
      for (const a of selfService.atendimentos) if (!ticketStates.has(a.id_atendimento)) ticketStates.set(a.id_atendimento, { closed: false });
      return ticketStates;
    },
    withoutAuthentication: new Set(),
    selfFixes: [],
    ticketEdits: [],
    validationStatus,
  };

  const contextState: ContextState = { clients: () => clients, contexts: options.contexts ?? sampleContexts(), validationStatus };

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const hubsoftError = (res: ServerResponse, status: number, msg: string, errors: unknown = []): void =>
    json(res, status, { status: 'error', msg, errors });

  const takeFailure = (scope: 'api' | 'token'): FailureKind | undefined => {
    const i = failures.findIndex((f) => f.scope === scope || f.scope === 'any');
    if (i < 0) return undefined;
    return failures.splice(i, 1)[0]!.kind;
  };

  /** Returns true when the failure answered (or swallowed) the request. */
  const fail = (kind: FailureKind, req: IncomingMessage, res: ServerResponse): void => {
    switch (kind) {
      case 'status500':
        return json(res, 500, { message: 'Server Error' });
      case 'status503':
        return json(res, 503, { message: 'Service Unavailable' });
      case 'html502':
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end(PROXY_502);
        return;
      case 'status-error':
        return hubsoftError(res, 200, 'Falha simulada pelo HubSoft falso');
      case 'non-json-200':
        res.writeHead(200, { 'content-type': 'text/html; charset=UTF-8' });
        res.end('<br />\n<b>Fatal error</b>:  Allowed memory size exhausted in <b>/var/www/hubsoft/vendor/autoload.php</b><br />\n');
        return;
      case 'validation422':
        return hubsoftError(res, 422, 'O campo termo busca é obrigatório.', { termo_busca: ['O campo termo busca é obrigatório.'] });
      case 'reset':
        req.socket.destroy();
        return;
      case 'timeout':
        // Never answer; close() destroys the socket.
        return;
      case 'huge':
        return streamHuge(res);
    }
  };

  const handleToken = (body: Record<string, unknown>, res: ServerResponse): void => {
    if (body.grant_type !== 'password') {
      return json(res, 400, {
        error: 'unsupported_grant_type',
        error_description: 'The authorization grant type is not supported by the authorization server.',
        message: 'The authorization grant type is not supported by the authorization server.',
      });
    }
    if (String(body.client_id ?? '') !== creds.clientId || body.client_secret !== creds.clientSecret) {
      return json(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed', message: 'Client authentication failed' });
    }
    if (body.username !== creds.username || body.password !== creds.password) {
      return json(res, 400, {
        error: 'invalid_grant',
        error_description: 'The user credentials were incorrect.',
        message: 'The user credentials were incorrect.',
      });
    }
    const token = `eyJ0eXAi.fake.${randomBytes(12).toString('hex')}`;
    tokens.add(token);
    issued += 1;
    json(res, 200, { token_type: 'Bearer', expires_in: expiresIn, access_token: token, refresh_token: `def502${randomBytes(16).toString('hex')}` });
  };

  const handleCliente = (query: Record<string, string>, res: ServerResponse): void => {
    const busca = query.busca;
    const termo = query.termo_busca;
    if (!busca || !BUSCAS.includes(busca)) return hubsoftError(res, validationStatus, 'O campo busca é obrigatório e deve ser um tipo de busca válido.');
    if (!termo) return hubsoftError(res, validationStatus, 'O campo termo busca é obrigatório.');
    const limit = query.limit === undefined ? 5 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return hubsoftError(res, validationStatus, 'O campo limit deve estar entre 1 e 100.');
    // termo_busca is free text in the seeds: for phones the fake matches the term as a substring of the stored digits,
    // as a LIKE '%termo%' would, so a client in another city with the same last digits comes back too.
    const matches = clients.filter((c) => {
      if (busca === 'telefone') {
        const digits = termo.replace(/\D/g, '');
        return digits !== '' && [c.telefone_primario, c.telefone_secundario, c.telefone_terciario].some((p) => p && p.replace(/\D/g, '').includes(digits));
      }
      if (busca === 'codigo_cliente') return String(c.codigo_cliente) === termo;
      if (busca === 'cpf_cnpj') return c.cpf_cnpj === termo.replace(/\D/g, '');
      if (busca === 'nome_razaosocial') return c.nome_razaosocial.toLowerCase().includes(termo.toLowerCase());
      return false;
    });
    // ultima_conexao is only sent when asked for (seed 003 section 4.3); `[]` when there is no session.
    const withConnection = query.ultima_conexao === 'sim';
    const shaped = matches.slice(0, limit).map((c) => ({
      ...c,
      servicos: c.servicos.map(({ ultima_conexao, ...rest }) => (withConnection ? { ...rest, ultima_conexao: ultima_conexao ?? [] } : rest)),
    }));
    if (shaped.length === 0 && emptySearch === 'status-error') return json(res, 200, { status: 'error', msg: 'Nenhum cliente encontrado', clientes: [] });
    if (shaped.length === 0 && emptySearch === 'not-found-404') return json(res, 404, { status: 'error', msg: 'Cliente não encontrado' });
    json(res, 200, { status: 'success', msg: 'Dados consultados com sucesso', clientes: shaped });
  };

  const handlePbx = (path: string, req: IncomingMessage, body: unknown, res: ServerResponse): void => {
    if (!/application\/json/i.test(req.headers['content-type'] ?? '')) {
      return hubsoftError(res, 415, 'Envie o corpo da requisição em JSON (content-type: application/json).');
    }
    const checked = validatePbx(body, clients);
    if (!checked.ok) return hubsoftError(res, validationStatus, checked.msg, checked.errors);
    const key = `${checked.target}|${checked.telefone}`;
    if (path === NOTIFY) {
      windows.set(key, { key, body: checked.body, openedAt: Date.now() });
      return json(res, 200, { status: 'success', msg: 'Ligação notificada com sucesso' });
    }
    windows.delete(key);
    json(res, 200, { status: 'success', msg: 'Ligação cancelada com sucesso' });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const path = url.pathname.replace(/\/+$/, '') || '/';
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const contentType = req.headers['content-type'] ?? '';
      const body = parseBody(rawBody, contentType);
      const auth = req.headers.authorization ?? '';
      const bearer = /^Bearer (.+)$/i.exec(auth)?.[1];
      const authOk = bearer !== undefined && tokens.has(bearer) && tokensAccepted;
      requests.push({ method: req.method ?? '', path, query: Object.fromEntries(url.searchParams), contentType, accept: req.headers.accept ?? '', body, rawBody, authOk, at: Date.now() });

      const answer = (): void => {
        if (path === '/oauth/token') {
          const failure = takeFailure('token');
          if (failure) return fail(failure, req, res);
          if (req.method !== 'POST') return json(res, 405, { message: 'The GET method is not supported for this route. Supported methods: POST.' });
          return handleToken(isObject(body) ? body : {}, res);
        }
        const extra = selfServiceRoute(req.method ?? '', path);
        const context = contextRoute(req.method ?? '', path);
        const fix = selfFixRoute(req.method ?? '', path);
        const known = (path === CLIENTE && req.method === 'GET') || ((path === NOTIFY || path === CANCEL) && req.method === 'POST') || extra !== null || fix !== null || context !== null;
        if (!known) return json(res, 404, { message: 'Not Found' });
        const failure = takeFailure('api');
        if (failure) return fail(failure, req, res);
        // Laravel's auth:api middleware answers this way without or with a bad token (seed 003, chapter 2).
        if (!authOk) return json(res, 401, { message: 'Unauthenticated.' });
        if (fix) {
          const answered = answerSelfFix(fix, body, selfFix);
          return json(res, answered.status, answered.body);
        }
        if (context) {
          const answered = answerContext(context, Object.fromEntries(url.searchParams), contextState);
          return json(res, answered.status, answered.body);
        }
        if (extra) {
          const answered = answerSelfService(extra, Object.fromEntries(url.searchParams), body, selfService);
          return json(res, answered.status, answered.body);
        }
        if (path === CLIENTE) {
          const query = Object.fromEntries(url.searchParams);
          if (lookupDelayMs > 0) {
            setTimeout(() => handleCliente(query, res), lookupDelayMs);
            return;
          }
          return handleCliente(query, res);
        }
        return handlePbx(path, req, body, res);
      };
      const delayMs = delayFor(path);
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });
  const { port, close } = await listenOnLoopback(server);
  const norm = (p: string): string => `/${p.replace(/^\/+/, '')}`;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    windows,
    tokensIssued: () => issued,
    close,
    setClients: (next) => {
      clients = next;
    },
    expireTokens: () => tokens.clear(),
    failNext: (n, kind, scope = 'api') => {
      for (let i = 0; i < n; i += 1) failures.push({ kind, scope });
    },
    clearFailures: () => {
      failures.length = 0;
    },
    setDelay: (ms) => {
      delayFor = typeof ms === 'number' ? () => ms : ms;
    },
    setLookupDelay: (ms) => {
      lookupDelayMs = ms;
    },
    setEmptySearchAnswer: (answer) => {
      emptySearch = answer;
    },
    setExpiresIn: (seconds) => {
      expiresIn = seconds;
    },
    acceptTokens: (accept) => {
      tokensAccepted = accept;
    },
    selfService,
    selfFix,
    setInvoices: (id, list) => {
      selfService.invoices.set(id, list);
    },
    setContext: (id, ctx) => {
      contextState.contexts.set(id, ctx);
    },
    setMaxUnlockDays: (days) => {
      selfService.maxUnlockDays = days;
    },
    count: (p) => requests.filter((r) => r.path === norm(p)).length,
    waitFor: (predicate, timeoutMs = 2000) =>
      new Promise<void>((resolve, reject) => {
        if (predicate(requests)) return resolve();
        const started = Date.now();
        const timer = setInterval(() => {
          if (predicate(requests)) {
            clearInterval(timer);
            resolve();
          } else if (Date.now() - started > timeoutMs) {
            clearInterval(timer);
            reject(new Error(`fake HubSoft: condition not met within ${timeoutMs} ms (${requests.length} requests seen)`));
          }
        }, 5);
      }),
  };
}

function parseBody(raw: string, contentType: string): unknown {
  if (!raw) return undefined;
  if (/application\/json/i.test(contentType)) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return undefined;
    }
  }
  if (/application\/x-www-form-urlencoded/i.test(contentType)) return Object.fromEntries(new URLSearchParams(raw));
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

type PbxCheck =
  | { ok: true; target: string; telefone: string; body: Record<string, unknown> }
  | { ok: false; msg: string; errors: Record<string, string[]> };

const isNumeric = (v: unknown): boolean => (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v));

/** The seed's attribute table (chapter 7) as Laravel rules: required_without, numeric, alpha_num, exists. */
function validatePbx(body: unknown, clients: readonly FakeClient[]): PbxCheck {
  const b = isObject(body) ? body : {};
  const errors: Record<string, string[]> = {};
  const add = (field: string, msg: string): void => {
    (errors[field] ??= []).push(msg);
  };
  const present = (k: string): boolean => b[k] !== undefined && b[k] !== null && b[k] !== '';
  if (!present('ramal') && !present('identificador_interno')) {
    add('ramal', 'O campo ramal é obrigatório quando identificador interno não está presente.');
    add('identificador_interno', 'O campo identificador interno é obrigatório quando ramal não está presente.');
  }
  if (present('ramal') && !isNumeric(b.ramal)) add('ramal', 'O campo ramal deve ser um número.');
  if (present('identificador_interno') && !(typeof b.identificador_interno === 'string' && /^[\p{L}\p{N}]+$/u.test(b.identificador_interno))) {
    add('identificador_interno', 'O campo identificador interno deve conter apenas letras e números.');
  }
  if (present('telefone') && !isNumeric(b.telefone)) add('telefone', 'O campo telefone deve ser um número.');
  for (const [field, label, pick] of [
    ['id_cliente', 'id cliente', (c: FakeClient) => c.id_cliente],
    ['codigo_cliente', 'codigo cliente', (c: FakeClient) => c.codigo_cliente],
  ] as const) {
    if (!present(field)) continue;
    if (!isNumeric(b[field])) add(field, `O campo ${label} deve ser um número.`);
    else if (!clients.some((c) => pick(c) === Number(b[field]))) add(field, `O campo ${label} selecionado é inválido.`);
  }
  if (b.ligacao_params !== undefined && !isObject(b.ligacao_params)) add('ligacao_params', 'O campo ligacao params deve ser um objeto.');
  const first = Object.values(errors)[0]?.[0];
  if (first) return { ok: false, msg: first, errors };
  const target = present('ramal') ? `ramal:${String(b.ramal)}` : `id:${String(b.identificador_interno)}`;
  return { ok: true, target, telefone: present('telefone') ? String(b.telefone) : '', body: b };
}
