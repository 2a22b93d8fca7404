import type { HubsoftApi } from './api-port.js';
import { parseHubsoftDate } from './financeiro.js';
import { refusalMessage } from './refusal.js';

export const DESBLOQUEIO_PATH = 'api/v1/integracao/cliente/desbloqueio_confianca';

export type UnlockOutcome =
  | { readonly status: 'ok'; readonly msg: string; /** "até a data DD/MM/YYYY" in the msg, epoch seconds (noon UTC-3). */ readonly until: number | null }
  | { readonly status: 'denied'; readonly msg: string };

/**
 * Trust unlock (seed 003 section 4.4). HubSoft checks the provider's own rule (e.g. at most 3 days) and says
 * no with a msg: that is 'denied', with the msg kept for the caller. Other failures reject.
 */
export async function trustUnlock(api: HubsoftApi, id_cliente_servico: number, dias_desbloqueio: number): Promise<UnlockOutcome> {
  try {
    const answer = await api.post(DESBLOQUEIO_PATH, { id_cliente_servico, dias_desbloqueio });
    const msg = typeof answer.msg === 'string' ? answer.msg : '';
    const date = /(\d{2}\/\d{2}\/\d{4})/.exec(msg)?.[1];
    return { status: 'ok', msg, until: date ? parseHubsoftDate(date) : null };
  } catch (error) {
    const refusal = refusalMessage(error);
    if (refusal !== null) return { status: 'denied', msg: refusal };
    throw error;
  }
}
