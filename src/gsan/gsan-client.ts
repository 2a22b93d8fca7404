import got, { type Got } from 'got';
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
  const client: Got = got.extend({
    prefixUrl: config.url,
    headers: { accept: 'application/json', 'user-agent': 'hubsoft-pbx-bridge' },
    timeout: { connect: config.connectTimeoutMs, request: config.requestTimeoutMs },
    https: { rejectUnauthorized: !config.tls.insecure },
    throwHttpErrors: false,
    followRedirect: false,
    responseType: 'text',
    retry: { limit: 0 },
  });
  const path = config.path.replace(/^\/+/, '');
  return {
    async sendValidationCode(cpfCnpj, email) {
      let response;
      try {
        response = await client.post(path, { json: { key: config.key, cpfCnpj, email } });
      } catch (error) {
        const e = error as { code?: string; name?: string };
        if (e.name === 'TimeoutError' || e.code === 'ETIMEDOUT') throw new BridgeError('GSAN_TIMEOUT', undefined, { path, code: e.code ?? null });
        throw new BridgeError('GSAN_UNREACHABLE', `GSAN unreachable on POST /${path}: ${e.code ?? 'network error'}`, { path, code: e.code ?? null });
      }
      const parsed = parseAnswer(typeof response.body === 'string' ? response.body : '');
      if (!parsed) {
        throw new BridgeError('GSAN_BAD_RESPONSE', `GSAN answered HTTP ${response.statusCode} on POST /${path} without body.validado`, { status: response.statusCode });
      }
      return { ...parsed, httpStatus: response.statusCode };
    },
  };
}

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
