import { BridgeError, isBridgeError } from '../errors.js';
import type { HubsoftConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { isRecord, messageOf, type HubsoftHttp } from './http.js';

export const TOKEN_PATH = 'oauth/token';

export interface TokenProviderDeps {
  readonly http: HubsoftHttp;
  readonly config: Pick<HubsoftConfig, 'clientId' | 'clientSecret' | 'username' | 'password' | 'tokenRenewMarginSeconds'>;
  readonly logger: Logger;
  readonly now?: () => number;
  /** After a rejected login, wait this long before asking again; doubles up to rejectBackoffMaxMs. */
  readonly rejectBackoffInitialMs?: number;
  readonly rejectBackoffMaxMs?: number;
  /** After a failed early renewal, wait this long before trying again; doubles up to renewBackoffMaxMs. */
  readonly renewBackoffInitialMs?: number;
  readonly renewBackoffMaxMs?: number;
}

interface Token {
  readonly authorization: string;
  readonly expiresAt: number;
  readonly renewAt: number;
}

/**
 * OAuth2 password grant (seed 003, chapter 2). One token in memory, reused until shortly
 * before it expires; concurrent callers share one token request.
 */
export class TokenProvider {
  private token: Token | null = null;
  private pending: Promise<Token> | null = null;
  private rejection: { error: BridgeError; until: number; backoffMs: number } | null = null;
  /** A failed early renewal of the current token: when to try again, and whether its warning was logged. */
  private renewal: { token: Token; retryAt: number; backoffMs: number } | null = null;
  private readonly now: () => number;
  private requests = 0;

  constructor(private readonly deps: TokenProviderDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * The Authorization header value ("Bearer ..."). Inside the renewal margin the token is renewed; when that
   * fails (network, 5xx, even a refused login) the current token is used until it really expires, the renewal
   * is retried with backoff (no request in between), and one warning is logged per token.
   */
  async authorization(): Promise<string> {
    const current = this.token;
    const now = this.now();
    if (current && now < current.renewAt) return current.authorization;
    const renewal = this.renewal?.token === current ? this.renewal : null;
    if (current && renewal && now < renewal.retryAt && now < current.expiresAt) return current.authorization;
    try {
      const token = await this.fetchShared();
      this.renewal = null;
      return token.authorization;
    } catch (error) {
      if (current && this.token === current && this.now() < current.expiresAt) {
        this.renewalFailed(current, error);
        return current.authorization;
      }
      throw error;
    }
  }

  /** Drops the token after a 401, unless a newer one has already replaced it. */
  invalidate(authorization?: string): void {
    if (!authorization || this.token?.authorization === authorization) this.token = null;
  }

  /** How many times the token endpoint was called (for metrics and tests). */
  get tokenRequests(): number {
    return this.requests;
  }

  private renewalFailed(current: Token, error: unknown): void {
    const initial = this.deps.renewBackoffInitialMs ?? 5_000;
    const max = this.deps.renewBackoffMaxMs ?? 60_000;
    const previous = this.renewal?.token === current ? this.renewal : null;
    const backoffMs = previous ? Math.min(previous.backoffMs * 2, max) : initial;
    this.renewal = { token: current, retryAt: this.now() + backoffMs, backoffMs };
    const expiresInMs = current.expiresAt - this.now();
    const details = { err: error, retryInMs: backoffMs, tokenExpiresInMs: expiresInMs };
    if (previous) this.deps.logger.debug(details, 'hubsoft: token renewal failed again, still using the current token');
    else this.deps.logger.warn(details, 'hubsoft: token renewal failed, using the current token until it expires; retrying with backoff');
  }

  private fetchShared(): Promise<Token> {
    if (!this.pending) {
      this.pending = this.fetchToken().finally(() => {
        this.pending = null;
      });
    }
    return this.pending;
  }

  private async fetchToken(): Promise<Token> {
    const rejected = this.rejection;
    if (rejected && this.now() < rejected.until) {
      // Bad credentials do not fix themselves: do not hammer the server.
      throw rejected.error;
    }
    const { config } = this.deps;
    this.requests += 1;
    const startedAt = this.now();
    let response;
    try {
      response = await this.deps.http.send({
        method: 'POST',
        path: TOKEN_PATH,
        json: {
          grant_type: 'password',
          client_id: config.clientId,
          client_secret: config.clientSecret,
          username: config.username,
          password: config.password,
        },
      });
    } catch (error) {
      throw isBridgeError(error) ? error : new BridgeError('HUBSOFT_UNREACHABLE', `HubSoft login failed: ${(error as Error).message}`);
    }
    const body = isRecord(response.json) ? response.json : undefined;
    if (response.statusCode === 400 || response.statusCode === 401) {
      throw this.reject(body, response.statusCode);
    }
    if (response.statusCode >= 400) {
      const detail = body ? (messageOf(body) ?? '') : `body is not JSON: ${JSON.stringify(response.snippet)}`;
      throw new BridgeError('HUBSOFT_HTTP', `HubSoft login answered HTTP ${response.statusCode}: ${detail}`, { status: response.statusCode });
    }
    if (body?.status === 'error') throw this.reject(body, response.statusCode);
    const accessToken = body?.access_token;
    if (!body || typeof accessToken !== 'string' || !accessToken) {
      // No HTTP status in the details: a broken login answer says nothing against the request waiting for it (retryable).
      const detail = body ? 'without access_token' : `a body that is not JSON: ${JSON.stringify(response.snippet)}`;
      throw new BridgeError('HUBSOFT_BAD_RESPONSE', `HubSoft login answered HTTP ${response.statusCode} with ${detail}`, { loginStatus: response.statusCode });
    }
    this.rejection = null;
    const tokenType = typeof body.token_type === 'string' && body.token_type ? body.token_type : 'Bearer';
    const expiresInMs = (typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600) * 1000;
    // A short-lived token still gets used for at least half its life.
    const marginMs = Math.min(config.tokenRenewMarginSeconds * 1000, expiresInMs / 2);
    const token: Token = {
      authorization: `${tokenType.charAt(0).toUpperCase()}${tokenType.slice(1)} ${accessToken}`,
      expiresAt: startedAt + expiresInMs,
      renewAt: startedAt + expiresInMs - marginMs,
    };
    this.token = token;
    this.deps.logger.debug({ expiresInSeconds: expiresInMs / 1000 }, 'hubsoft: new API token');
    return token;
  }

  private reject(body: Record<string, unknown> | undefined, status: number): BridgeError {
    const initial = this.deps.rejectBackoffInitialMs ?? 5_000;
    const max = this.deps.rejectBackoffMaxMs ?? 300_000;
    const backoffMs = this.rejection ? Math.min(this.rejection.backoffMs * 2, max) : initial;
    const reason = ((body && messageOf(body)) ?? `HTTP ${status}`).replace(/[.\s]+$/, '');
    const oauthError = body && typeof body.error === 'string' ? body.error : null;
    const error = new BridgeError(
      'HUBSOFT_AUTH_REJECTED',
      `HubSoft refused the API login: ${reason}. Check hubsoft.clientId, clientSecret, username and password.`,
      { status, error: oauthError, retryInMs: backoffMs },
    );
    this.rejection = { error, until: this.now() + backoffMs, backoffMs };
    this.deps.logger.error({ status, oauthError, retryInMs: backoffMs }, `hubsoft: login rejected: ${reason}`);
    return error;
  }
}
