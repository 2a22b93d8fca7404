import { isBridgeError } from '../errors.js';
import { hubsoftRoute, type BridgeMetrics } from './metrics.js';

type SearchParams = Readonly<Record<string, string | number>>;

interface Api {
  get(path: string, searchParams: SearchParams): Promise<Record<string, unknown>>;
  post(path: string, json: unknown, options?: { signal?: AbortSignal }): Promise<Record<string, unknown>>;
}

const TRANSPORT_LABELS: Partial<Record<string, string>> = { HUBSOFT_TIMEOUT: 'timeout', HUBSOFT_UNREACHABLE: 'unreachable' };

/** Outcome of the last HubSoft API call, for /healthz. */
export interface HubsoftHealth {
  up: boolean;
  detail: string;
  at: number;
}

/**
 * Wraps the HubSoft client: every API call is timed into hubsoft_request_duration_seconds and
 * its outcome kept for /healthz (a 4xx about one request does not make HubSoft "down").
 */
export function meteredApi(api: Api, metrics: BridgeMetrics, health: HubsoftHealth, now: () => number = Date.now): Api {
  const timed = async <T>(path: string, call: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const route = hubsoftRoute(path);
    try {
      const result = await call();
      metrics.observeHubsoftRequest(route, 200, (performance.now() - started) / 1000);
      Object.assign(health, { up: true, detail: 'last request accepted', at: now() });
      return result;
    } catch (error) {
      const status = isBridgeError(error) ? ((error.details.status as number | undefined) ?? TRANSPORT_LABELS[error.code] ?? 'error') : 'error';
      metrics.observeHubsoftRequest(route, status, (performance.now() - started) / 1000);
      if (isOutage(error)) Object.assign(health, { up: false, detail: error instanceof Error ? error.message : String(error), at: now() });
      throw error;
    }
  };
  return {
    get: (path, searchParams) => timed(path, () => api.get(path, searchParams)),
    post: (path, json, options) => timed(path, () => api.post(path, json, options)),
  };
}

function isOutage(error: unknown): boolean {
  if (!isBridgeError(error)) return true;
  if (['HUBSOFT_TIMEOUT', 'HUBSOFT_UNREACHABLE', 'HUBSOFT_AUTH_REJECTED', 'HUBSOFT_BAD_RESPONSE'].includes(error.code)) return true;
  return error.code === 'HUBSOFT_HTTP' && Number(error.details.status) >= 500;
}
