import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * POSTs straight on node:http with our own keep-alive agents, for the ring -> notify path. got@14 builds and
 * normalises a full Options object per request, about 0.5-1 ms of CPU on a busy 2-core box, which is a third
 * of the warm ring -> notify time; POSTs need none of its features (they are never retried, never
 * redirected). GETs (lookups, with their retries) stay on got. Errors are shaped like got's where
 * mapTransportError reads them (code, name TimeoutError, event connect/request).
 */
export interface DirectOptions {
  readonly baseUrl: string;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly rejectUnauthorized: boolean;
  readonly ca?: Buffer | string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface DirectAnswer {
  readonly statusCode: number;
  readonly text: string;
}

export interface DirectPoster {
  post(
    path: string,
    json: unknown,
    headers: Readonly<Record<string, string>> | undefined,
    searchParams?: Readonly<Record<string, string | number>>,
    signal?: AbortSignal,
  ): Promise<DirectAnswer>;
  /** Destroys the kept-alive sockets (daemon stop). */
  close(): void;
}

/** A PBX answer is a few hundred bytes; anything this large is not HubSoft's JSON. */
const MAX_ANSWER_CHARS = 1024 * 1024;

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'ETIMEDOUT';
  constructor(readonly event: 'connect' | 'request', ms: number) {
    super(`Timeout awaiting '${event}' for ${ms}ms`);
  }
}

export function createDirectPoster(options: DirectOptions): DirectPoster {
  const base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  const secure = base.protocol === 'https:';
  // Idle sockets are unref'd by Node and closed a second before the server's Keep-Alive timeout hint.
  const agent = secure
    ? new HttpsAgent({ keepAlive: true, timeout: 5000, rejectUnauthorized: options.rejectUnauthorized, ...(options.ca ? { ca: options.ca } : {}) })
    : new HttpAgent({ keepAlive: true, timeout: 5000 });
  const send = secure ? httpsRequest : httpRequest;

  const once = (url: URL, body: Buffer, headers: Record<string, string>, signal?: AbortSignal): Promise<DirectAnswer & { error?: unknown }> =>
    new Promise((resolve) => {
      let settled = false;
      let req: ClientRequest | undefined;
      const finish = (answer: DirectAnswer & { error?: unknown }) => {
        if (settled) return;
        settled = true;
        clearTimeout(requestTimer);
        clearTimeout(connectTimer);
        resolve(answer);
      };
      let connectTimer: NodeJS.Timeout | undefined;
      let requestTimer: NodeJS.Timeout | undefined;
      try {
        req = send(url, {
        method: 'POST',
        agent,
        headers: { ...options.headers, ...headers, 'content-type': 'application/json', 'content-length': String(body.length) },
        ...(secure ? { rejectUnauthorized: options.rejectUnauthorized, ...(options.ca ? { ca: options.ca } : {}) } : {}),
        ...(signal ? { signal } : {}),
        });
      } catch (error) {
        // e.g. a header value Node refuses (CR/LF from a token): nothing was sent.
        finish({ statusCode: 0, text: '', error });
        return;
      }
      requestTimer = setTimeout(() => req?.destroy(new TimeoutError('request', options.requestTimeoutMs)), options.requestTimeoutMs);
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        connectTimer = setTimeout(() => req?.destroy(new TimeoutError('connect', options.connectTimeoutMs)), options.connectTimeoutMs);
        socket.once('connect', () => clearTimeout(connectTimer));
      });
      req.on('response', (res: IncomingMessage) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (chunk: string) => {
          text += chunk;
          if (text.length > MAX_ANSWER_CHARS) req?.destroy(new Error(`HubSoft answer larger than ${MAX_ANSWER_CHARS} characters`));
        });
        res.on('end', () => finish({ statusCode: res.statusCode ?? 0, text }));
        res.on('error', (error) => finish({ statusCode: 0, text: '', error }));
      });
      req.on('error', (error) => finish({ statusCode: 0, text: '', error }));
      req.end(body);
    });

  return {
    async post(path, json, headers = {}, searchParams, signal) {
      const url = new URL(path.replace(/^\/+/, ''), base);
      for (const [name, value] of Object.entries(searchParams ?? {})) url.searchParams.set(name, String(value));
      const body = Buffer.from(JSON.stringify(json ?? null), 'utf8');
      // No resend here, as got does for POSTs: a reset may come after HubSoft processed the request; the dispatcher retries.
      const answer = await once(url, body, headers, signal);
      if (answer.error) throw answer.error;
      return { statusCode: answer.statusCode, text: answer.text };
    },
    close() {
      agent.destroy();
    },
  };
}
