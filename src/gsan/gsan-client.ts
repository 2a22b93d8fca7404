import { request as undiciRequest, Agent } from 'undici';
import type { GsanConfig } from '../config/schema.js';
import { BridgeError } from '../errors.js';

/** GSAN's answer to enviarCodigoValidacaoEmailCliente (seed 002): validado S/N and, when N, why. */
export interface GsanValidation {
  readonly validado: 'S' | 'N';
  readonly mensagemCritica: string;
  readonly httpStatus: number;
}

export interface GsanClient {
  sendValidationCode(cpfCnpj: string, email: string): Promise<GsanValidation>;
}

/**
 * POST {key, cpfCnpj, email} as JSON. GSAN answers 200 (S, or N with a reason) and 500 (N, "Erro no envio do
 * email!...") with the same body: both are answers, not failures. Never retried (each call sends an e-mail).
 * The key is in every request body and echoed in every answer: no error or log here carries either body.
 */
export function createGsanClient(config: GsanConfig): GsanClient {
  // undici, as for HubSoft (src/hubsoft/http.ts): one keep-alive agent, answers capped, no retry, no redirect.
  const agent = new Agent({
    connect: { timeout: config.connectTimeoutMs, rejectUnauthorized: !config.tls.insecure },
    headersTimeout: config.requestTimeoutMs,
    bodyTimeout: config.requestTimeoutMs,
    maxResponseSize: MAX_ANSWER_BYTES,
  });
  const path = config.path.replace(/^\/+/, '');
  const url = new URL(path, config.url.endsWith('/') ? config.url : `${config.url}/`);
  return {
    async sendValidationCode(cpfCnpj, email) {
      let statusCode: number;
      let text: string;
      try {
        const response = await undiciRequest(url, {
          dispatcher: agent,
          method: 'POST',
          headers: { accept: 'application/json', 'user-agent': 'hubsoft-pbx-bridge', 'content-type': 'application/json' },
          body: JSON.stringify({ key: config.key, cpfCnpj, email }),
          // The whole exchange within requestTimeoutMs, to the millisecond (the IVR waits on it; undici's own
          // headers/body timeouts are coarse, about a second).
          signal: AbortSignal.timeout(config.requestTimeoutMs),
        });
        statusCode = response.statusCode;
        text = await response.body.text();
      } catch (error) {
        const e = error as { code?: unknown; name?: string };
        const code = typeof e.code === 'string' ? e.code : null;
        if (e.name === 'TimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
          throw new BridgeError('GSAN_TIMEOUT', undefined, { path, code });
        }
        throw new BridgeError('GSAN_UNREACHABLE', `GSAN unreachable on POST /${path}: ${code ?? 'network error'}`, { path, code });
      }
      const parsed = parseAnswer(text);
      if (!parsed) {
        throw new BridgeError('GSAN_BAD_RESPONSE', `GSAN answered HTTP ${statusCode} on POST /${path} without body.validado`, { status: statusCode });
      }
      return { ...parsed, httpStatus: statusCode };
    },
  };
}

/** A GSAN answer is a few hundred bytes. */
const MAX_ANSWER_BYTES = 256 * 1024;

function parseAnswer(text: string): Omit<GsanValidation, 'httpStatus'> | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const body = json !== null && typeof json === 'object' ? (json as Record<string, unknown>).body : undefined;
  if (body === null || typeof body !== 'object') return null;
  const { validado, mensagemCritica } = body as Record<string, unknown>;
  if (validado !== 'S' && validado !== 'N') return null;
  return { validado, mensagemCritica: typeof mensagemCritica === 'string' ? mensagemCritica.slice(0, 1000) : '' };
}
