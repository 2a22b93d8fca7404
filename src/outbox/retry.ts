import { BridgeError, isBridgeError } from '../errors.js';

import type { Timers } from '../util/timers.js';

export type { Timers };

export interface AttemptGuard {
  readonly timeoutMs: number;
  readonly timers: Timers;
  /** Aborts every attempt at once (shutdown). */
  readonly shutdown: AbortSignal;
}

/**
 * One attempt of a request: settles when run() does, or rejects with HUBSOFT_TIMEOUT after timeoutMs,
 * or with the shutdown reason; either way run()'s signal is aborted so the HTTP request stops too.
 * A run() that ignores its signal is left behind (its result is ignored), never waited for.
 */
export async function runAttempt(run: (signal: AbortSignal) => Promise<void>, guard: AttemptGuard): Promise<void> {
  const { timeoutMs, timers, shutdown } = guard;
  const controller = new AbortController();
  const onShutdown = () => controller.abort(shutdown.reason);
  const stopped = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  const timer = timers.setTimeout(() => {
    controller.abort(new BridgeError('HUBSOFT_TIMEOUT', `HubSoft request not settled within ${timeoutMs} ms.`, { attemptTimeoutMs: timeoutMs }));
  }, timeoutMs);
  if (shutdown.aborted) onShutdown();
  else shutdown.addEventListener('abort', onShutdown, { once: true });
  try {
    await Promise.race([run(controller.signal), stopped]);
  } finally {
    timers.clearTimeout(timer);
    shutdown.removeEventListener('abort', onShutdown);
  }
}

/** Socket-level error codes Node reports for a peer that is down, restarting or far away. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** HTTP status a retry can fix: 5xx, plus 408 (request timeout) and 429 (HubSoft or its proxy throttling). */
export function isRetryableStatus(status: number): boolean {
  // 3xx: a proxy redirecting (HTTP to HTTPS, a login page); fixing hubsoft.url must not cost the queued missed calls.
  return status >= 500 || status === 408 || status === 429 || (status >= 300 && status < 400);
}

/**
 * Whether a failed HubSoft request is worth sending again: network trouble, timeouts, 5xx, and rejected
 * credentials are (the request itself is fine: an installer fixing the password, or HubSoft ending a token
 * revocation, must not cost the missed calls queued meanwhile). So are HubSoft's answers mid-update: a
 * 200 {"status":"error"} or a 4xx that names no field, and a body that is not JSON (an HTML page, a PHP
 * error), whatever its status. Only a refusal that names fields (`errors: { field: [...] }`) is final: that
 * request will never be accepted as it is.
 * The HTTP status is read from BridgeError details.status (or details.statusCode), the fields from details.fields.
 */
export function isRetryable(error: unknown): boolean {
  return retryable(error, 0);
}

function retryable(error: unknown, depth: number): boolean {
  if (isBridgeError(error)) {
    const status = statusOf(error.details);
    switch (error.code) {
      case 'HUBSOFT_TIMEOUT':
      case 'HUBSOFT_UNREACHABLE':
      case 'HUBSOFT_AUTH_REJECTED':
      case 'HUBSOFT_BAD_RESPONSE':
        return true;
      case 'HUBSOFT_HTTP':
        return (status !== undefined && isRetryableStatus(status)) || !namesFields(error.details);
      case 'HUBSOFT_STATUS_ERROR':
        return !namesFields(error.details);
      default:
        return false;
    }
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  // fetch() wraps socket errors: TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }).
  const cause = (error as { cause?: unknown } | null)?.cause;
  return depth < 3 && cause !== undefined && cause !== null && retryable(cause, depth + 1);
}

/** The refusal names the fields it objects to (hubsoft/http.ts puts them in details.fields). */
function namesFields(details: Readonly<Record<string, unknown>>): boolean {
  const fields = details['fields'];
  return Array.isArray(fields) && fields.some((f) => typeof f === 'string');
}

function statusOf(details: Readonly<Record<string, unknown>>): number | undefined {
  const value = details['status'] ?? details['statusCode'];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
