import { isBridgeError } from '../errors.js';

/**
 * HubSoft's own rule said no (its msg says why): {"status":"error"} with HTTP 200, or a 4xx validation answer
 * with a msg. Returns that msg; null for anything else (5xx, timeouts, auth), which is an error, not a refusal.
 */
export function refusalMessage(error: unknown): string | null {
  if (!isBridgeError(error)) return null;
  const msg = typeof error.details.msg === 'string' && error.details.msg ? error.details.msg : null;
  if (error.code === 'HUBSOFT_STATUS_ERROR') return msg ?? 'HubSoft recusou o pedido.';
  if (error.code === 'HUBSOFT_HTTP') {
    const status = Number(error.details.status);
    if (msg && status >= 400 && status < 500 && ![401, 403, 404, 405, 429].includes(status)) return msg;
  }
  return null;
}
