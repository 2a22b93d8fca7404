import { fetchClients } from '../../hubsoft/client-record.js';
import { trustUnlock } from '../../hubsoft/desbloqueio.js';
import { isClient, requireConfirmed, searchTermOf } from './guards.js';
import type { SelfServiceCommand } from './types.js';

/**
 * hubsoft-unlock,linkedid[,DAYS]: trust unlock (desbloqueio_confianca) of the client's blocked service for DAYS
 * (default selfService.unlockDays). HubSoft's own rule may refuse: denied/refused with its msg for TTS.
 * DESBLOQUEIO_ATE: epoch seconds of the date HubSoft names (SayUnixTime).
 */
export const unlockCommand: SelfServiceCommand = {
  name: 'hubsoft-unlock',
  variable: 'DESBLOQUEIO',
  values: ['DESBLOQUEIO_ATE', 'DESBLOQUEIO_DIAS'],
  async run(context) {
    const { config } = context.shared.deps;
    const asked = context.args[0] ? Number(context.args[0]) : config.unlockDays;
    if (!Number.isInteger(asked) || asked < 1 || asked > 30) return { status: 'error', reason: 'bad_days' };
    const client = requireConfirmed(context);
    if (!isClient(client)) return client;
    const term = searchTermOf(client);
    if (!term) return { status: 'error', reason: 'no_search_term' };
    const blocked = new RegExp(config.blockedStatusPattern, 'i');
    const records = await fetchClients(context.shared.api, term.busca, term.termo);
    const service = records
      .filter((r) => r.id_cliente === client.id_cliente)
      .flatMap((r) => r.servicos)
      .find((s) => blocked.test(s.status_prefixo));
    if (!service) return { status: 'notfound', reason: 'no_blocked_service' };
    const outcome = await trustUnlock(context.shared.api, service.id_cliente_servico, asked);
    const days = String(asked);
    if (outcome.status === 'denied') return { status: 'denied', reason: 'refused', msg: outcome.msg, values: { DESBLOQUEIO_DIAS: days } };
    return { status: 'ok', msg: outcome.msg, values: { DESBLOQUEIO_DIAS: days, DESBLOQUEIO_ATE: outcome.until === null ? '' : String(outcome.until) } };
  },
};
