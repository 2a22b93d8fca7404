import type { HubsoftApi } from './api-port.js';
import { refusalMessage } from './refusal.js';

export const RESET_MAC_PATH = 'api/v1/integracao/cliente/reset_mac_addr';
export const DISCONNECT_PATH = 'api/v1/integracao/cliente/solicitar_desconexao';

export type SelfFixOutcome = { readonly status: 'ok'; readonly msg: string } | { readonly status: 'denied'; readonly msg: string };

/**
 * 4.12 POST /cliente/reset_mac_addr {id_cliente_servico} (seed 003): HubSoft forgets the MAC bound to the
 * service's authentication, so a new router logs in. A service without authentication data is refused with
 * status "error" and a msg: 'denied', msg kept for the caller. Other failures reject.
 * The seed's example sends the id as a string ("11000"), its attribute table says "an integer greater than 0":
 * the table wins (README of the seeds), so it goes as a JSON number.
 */
export function resetMac(api: HubsoftApi, id_cliente_servico: number): Promise<SelfFixOutcome> {
  return asOutcome(() => api.post(RESET_MAC_PATH, { id_cliente_servico }));
}

/**
 * 4.5 GET /cliente/solicitar_desconexao/<id_cliente_servico> (seed 003): HubSoft asks the concentrator (RADIUS
 * CoA/disconnect, the INCOMING port) to drop the PPPoE session; the router dials again. Its failure answer is
 * {"status":"error","msg":"A desconexão não foi bem sucedida..."}: 'denied' with that msg.
 */
export function requestDisconnection(api: HubsoftApi, id_cliente_servico: number): Promise<SelfFixOutcome> {
  return asOutcome(() => api.get(`${DISCONNECT_PATH}/${id_cliente_servico}`));
}

async function asOutcome(call: () => Promise<Record<string, unknown>>): Promise<SelfFixOutcome> {
  try {
    const answer = await call();
    return { status: 'ok', msg: typeof answer.msg === 'string' ? answer.msg : '' };
  } catch (error) {
    const refusal = refusalMessage(error);
    if (refusal !== null) return { status: 'denied', msg: refusal };
    throw error;
  }
}
