import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { boundConnections } from './bounded-connections.js';

/**
 * One component as the daemon sees it right now. `code` (an error code such as HUBSOFT_TIMEOUT, or a state such
 * as disconnected) is what /healthz shows; `detail` stays inside the process: it can hold upstream text
 * (HubSoft echoing a request back), so it never reaches the unauthenticated HTTP answer.
 */
export interface ComponentHealth {
  readonly up: boolean;
  readonly code?: string;
  readonly detail?: string;
}

/** What /healthz says of a component: up and a code, nothing else. */
export interface PublicComponentHealth {
  up: boolean;
  code?: string;
}

export interface HealthReport {
  /** Up when the AMI session is logged in. */
  readonly ami: ComponentHealth;
  /** Up when HubSoft auth works (a valid token, or the last token request succeeded). */
  readonly hubsoft: ComponentHealth;
  /** Down while requests are not journaled (state dir not writable), and for a while after HubSoft refused one for good. */
  readonly delivery?: ComponentHealth;
}

/** Supplied by the daemon; should answer from in-memory state, never by calling out. */
export type HealthSource = () => HealthReport | Promise<HealthReport>;

export type HealthStatus = 'ok' | 'degraded' | 'down';

export interface HealthBody {
  status: HealthStatus;
  reason?: string;
  ami: PublicComponentHealth;
  hubsoft: PublicComponentHealth;
  delivery?: PublicComponentHealth;
}

export interface HealthServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  healthSource: HealthSource;
  /** The registry /metrics serves (createMetrics().registry); /metrics answers 404 without one. */
  registry?: Registry;
  /** A healthSource slower than this counts as down (default 2000 ms). */
  sourceTimeoutMs?: number;
  /** When set, every request needs `Authorization: Bearer <token>` (else 401). */
  token?: string;
  /** A request's headers must all arrive within this long of the connect (slowloris); default 5000 ms. */
  headersTimeoutMs?: number;
  /** Open connections; at the cap the oldest idle one is dropped for a new one. Default 128. */
  maxConnections?: number;
}

export interface HealthServer {
  /** Resolves once listening; `port` is the real one (useful with port 0). */
  start(): Promise<{ host: string; port: number }>;
  stop(): Promise<void>;
}

const CODE = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const LEADING_CODE = /^([A-Z][A-Z0-9]*_[A-Z0-9_]+)\b/;

/** A code from the fixed vocabulary of codes and states; free text (upstream messages) never passes. */
function publicCode(component: ComponentHealth, fallback: string): string {
  if (component.code && CODE.test(component.code)) return component.code;
  const leading = component.detail ? LEADING_CODE.exec(component.detail) : null;
  return leading ? leading[1]! : fallback;
}

function publicHealth(component: ComponentHealth, fallback: string): PublicComponentHealth {
  if (component.up) return component.code && CODE.test(component.code) ? { up: true, code: component.code } : { up: true };
  return { up: false, code: publicCode(component, fallback) };
}

/** OK only when both are up; HubSoft failing while AMI is up is "degraded" (calls are followed, not reported). */
export function judgeHealth(report: HealthReport): { code: number; body: HealthBody } {
  const ami = publicHealth(report.ami, 'AMI_NOT_LOGGED_IN');
  const hubsoft = publicHealth(report.hubsoft, 'HUBSOFT_FAILING');
  if (!ami.up) return { code: 503, body: { status: 'down', reason: `AMI: ${ami.code}`, ami, hubsoft } };
  if (!hubsoft.up) return { code: 503, body: { status: 'degraded', reason: `HubSoft: ${hubsoft.code}`, ami, hubsoft } };
  const delivery = report.delivery ? publicHealth(report.delivery, 'DELIVERY_DEGRADED') : null;
  if (delivery && !delivery.up) return { code: 503, body: { status: 'degraded', reason: `delivery: ${delivery.code}`, ami, hubsoft, delivery } };
  return { code: 200, body: { status: 'ok', ami, hubsoft, ...(delivery ? { delivery } : {}) } };
}

export function createHealthServer(options: HealthServerOptions): HealthServer {
  const sourceTimeoutMs = options.sourceTimeoutMs ?? 2000;
  let server: Server | null = null;

  const healthz = async (res: ServerResponse): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const report = await Promise.race([
        Promise.resolve().then(options.healthSource),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new HealthSourceTimeout()), sourceTimeoutMs);
        }),
      ]);
      const { code, body } = judgeHealth(report);
      sendJson(res, code, body);
    } catch (error) {
      const reason = error instanceof HealthSourceTimeout ? 'HEALTH_SOURCE_TIMEOUT' : 'HEALTH_SOURCE_FAILED';
      sendJson(res, 503, { status: 'down', reason, ami: { up: false, code: reason }, hubsoft: { up: false, code: reason } });
    } finally {
      clearTimeout(timer);
    }
  };

  const metrics = async (res: ServerResponse): Promise<void> => {
    if (!options.registry) return sendText(res, 404, 'metrics are not enabled\n');
    try {
      const text = await options.registry.metrics();
      res.writeHead(200, { 'content-type': options.registry.contentType, 'cache-control': 'no-store' });
      res.end(text);
    } catch {
      sendText(res, 500, 'metrics failed\n');
    }
  };

  const authorized = bearerCheck(options.token);

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (!authorized(req.headers.authorization)) {
      res.setHeader('www-authenticate', 'Bearer realm="hubsoft-pbx-bridge"');
      return sendText(res, 401, 'unauthorized: send Authorization: Bearer <health.token>\n');
    }
    const path = (req.url ?? '/').split('?')[0];
    const known = path === '/healthz' || path === '/metrics';
    if (!known) return sendText(res, 404, 'not found: try /healthz or /metrics\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendText(res, 405, 'method not allowed\n');
    }
    void (path === '/healthz' ? healthz(res) : metrics(res));
  };

  return {
    start() {
      return new Promise((resolve, reject) => {
        const headersTimeout = options.headersTimeoutMs ?? 5000;
        // The check interval bounds how late a stalled request is cut; Node's default (30 s) is far too lax.
        const created = createServer({ headersTimeout, requestTimeout: headersTimeout * 2, connectionsCheckingInterval: Math.max(50, Math.min(1000, headersTimeout / 2)) }, handle);
        created.keepAliveTimeout = Math.min(5000, headersTimeout);
        // A connection that sends nothing at all is dropped as soon as one that stalls mid-headers.
        created.setTimeout(headersTimeout * 2);
        boundConnections(created, options.maxConnections ?? 128);
        created.once('error', reject);
        created.listen(options.port, options.host, () => {
          created.off('error', reject);
          server = created;
          const address = created.address() as AddressInfo;
          resolve({ host: address.address, port: address.port });
        });
      });
    },
    stop() {
      const current = server;
      server = null;
      if (!current) return Promise.resolve();
      return new Promise((resolve) => {
        current.close(() => resolve());
        current.closeAllConnections();
      });
    },
  };
}

/** Creates and starts the listener; the daemon calls stop() on shutdown. */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer & { port: number; host: string }> {
  const server = createHealthServer(options);
  const address = await server.start();
  return { ...server, ...address };
}

class HealthSourceTimeout extends Error {}

/** Constant-time comparison of the Authorization header with the configured token; no token: all pass. */
function bearerCheck(token: string | undefined): (header: string | undefined) => boolean {
  if (!token) return () => true;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  const expected = digest(`Bearer ${token}`);
  return (header) => header !== undefined && timingSafeEqual(digest(header.trim()), expected);
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`${JSON.stringify(body)}\n`);
}

function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}
