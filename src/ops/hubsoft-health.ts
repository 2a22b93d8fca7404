import { isBridgeError } from '../errors.js';

type SearchParams = Readonly<Record<string, string | number>>;

interface Api {
  get(path: string, searchParams: SearchParams): Promise<Record<string, unknown>>;
  post(path: string, json: unknown, options?: { signal?: AbortSignal }): Promise<Record<string, unknown>>;
}

/** Outcome of the last HubSoft API call, for /healthz. */
export interface HubsoftHealth {
  up: boolean;
  /** The error code of the last failure (what /healthz shows); '' when up. */
  code?: string;
  detail: string;
  at: number;
}

/**
 * Wraps the HubSoft client to keep the outcome of the last API call for /healthz. A 4xx or a status
 * "error" about one request does not make HubSoft "down"; timeouts, 5xx and refused credentials do.
 */
export function healthTrackedApi(api: Api, health: HubsoftHealth, now: () => number = Date.now): Api {
  const tracked = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      const result = await call();
      Object.assign(health, { up: true, code: '', detail: 'last request accepted', at: now() });
      return result;
    } catch (error) {
      if (isOutage(error)) Object.assign(health, { up: false, code: isBridgeError(error) ? error.code : 'HUBSOFT_FAILING', detail: error instanceof Error ? error.message : String(error), at: now() });
      throw error;
    }
  };
  return {
    get: (path, searchParams) => tracked(() => api.get(path, searchParams)),
    post: (path, json, options) => tracked(() => api.post(path, json, options)),
  };
}

function isOutage(error: unknown): boolean {
  if (!isBridgeError(error)) return true;
  if (['HUBSOFT_TIMEOUT', 'HUBSOFT_UNREACHABLE', 'HUBSOFT_AUTH_REJECTED', 'HUBSOFT_BAD_RESPONSE'].includes(error.code)) return true;
  return error.code === 'HUBSOFT_HTTP' && Number(error.details.status) >= 500;
}
