import type { HubsoftConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { BridgeError } from '../errors.js';
import { TokenProvider } from './auth.js';
import { createHubsoftHttp, expectSuccess, observedHttp, type HttpObserver, type HttpOptions, type HttpRequest, type HubsoftHttp } from './http.js';

export type SearchParams = Readonly<Record<string, string | number>>;

export interface RequestOptions {
  /** Aborts the HTTP request (shutdown, the dispatcher's attempt timeout). */
  readonly signal?: AbortSignal;
}

/** Authenticated HubSoft API calls: Bearer token, one re-login and retry on 401, body status checked. */
export class HubsoftClient {
  constructor(
    private readonly http: HubsoftHttp,
    readonly auth: TokenProvider,
  ) {}

  get(path: string, searchParams: SearchParams = {}, options: RequestOptions = {}): Promise<Record<string, unknown>> {
    return this.call({ method: 'GET', path, searchParams, ...options });
  }

  post(path: string, json: unknown, options: RequestOptions = {}): Promise<Record<string, unknown>> {
    return this.call({ method: 'POST', path, json, ...options });
  }

  put(path: string, json: unknown, options: RequestOptions = {}): Promise<Record<string, unknown>> {
    return this.call({ method: 'PUT', path, json, ...options });
  }

  /** Closes kept-alive connections (shutdown). */
  close(): void {
    this.http.close?.();
  }

  private async call(request: HttpRequest): Promise<Record<string, unknown>> {
    const where = `${request.method} /${request.path.replace(/^\/+/, '')}`;
    let authorization = await this.auth.authorization();
    let response = await this.http.send({ ...request, headers: { authorization } });
    if (response.statusCode === 401) {
      // The token expired or was revoked on the server side: one fresh login, one retry.
      this.auth.invalidate(authorization);
      authorization = await this.auth.authorization();
      response = await this.http.send({ ...request, headers: { authorization } });
      if (response.statusCode === 401) {
        // A token HubSoft just issued is refused too: the API user lacks access. Not this request's fault (retryable).
        throw new BridgeError('HUBSOFT_AUTH_REJECTED', `HubSoft refused a fresh token on ${where}: check the API user's permissions`, { status: 401 });
      }
    }
    return expectSuccess(response, where);
  }
}

export interface HubsoftClientOptions extends HttpOptions {
  readonly logger: Logger;
  readonly now?: () => number;
  readonly rejectBackoffInitialMs?: number;
  readonly rejectBackoffMaxMs?: number;
  /** Sees every HTTP exchange, token requests included (metrics). */
  readonly observe?: HttpObserver;
}

/** Builds the HTTP layer, the token provider and the client from hubsoft config. */
export function createHubsoftClient(config: HubsoftConfig, options: HubsoftClientOptions): HubsoftClient {
  if (config.tls.insecure) {
    options.logger.warn('hubsoft.tls.insecure is true: the HubSoft TLS certificate is NOT verified; prefer hubsoft.tls.ca');
  }
  const raw = createHubsoftHttp(config, options);
  const http = options.observe ? observedHttp(raw, options.observe) : raw;
  const auth = new TokenProvider({
    http,
    config,
    logger: options.logger,
    now: options.now,
    rejectBackoffInitialMs: options.rejectBackoffInitialMs,
    rejectBackoffMaxMs: options.rejectBackoffMaxMs,
  });
  return new HubsoftClient(http, auth);
}
