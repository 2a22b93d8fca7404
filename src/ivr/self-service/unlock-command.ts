import { fetchClients } from '../../hubsoft/client-record.js';
import { trustUnlock } from '../../hubsoft/desbloqueio.js';
import { isBridgeError } from '../../errors.js';
import { isClient, requireAccountChange, searchTermOf } from './guards.js';
import type { SelfServiceCommand } from './types.js';

/**
 * hubsoft-unlock,linkedid[,DAYS]: trust unlock (desbloqueio_confianca) of the client's blocked service for DAYS
 * (default selfService.unlockDays). A change to the account: caller ID and the confirmation (guards.ts), at most
 * selfService.unlocksPerClientPerDay (denied/daily_cap). HubSoft's own rule may refuse: denied/refused with its
 * msg for TTS. DESBLOQUEIO_ATE: epoch seconds of the date HubSoft names (SayUnixTime).
 */
export const unlockCommand: SelfServiceCommand = {
  name: 'hubsoft-unlock',
  variable: 'DESBLOQUEIO',
  values: ['DESBLOQUEIO_ATE', 'DESBLOQUEIO_DIAS'],
  resolves: true,
  async run(context) {
    const { config } = context.shared.deps;
    const asked = context.args[0] ? Number(context.args[0]) : config.unlockDays;
    if (!Number.isInteger(asked) || asked < 1 || asked > 30) return { status: 'error', reason: 'bad_days' };
    const client = requireAccountChange(context);
    if (!isClient(client)) return client;
    const { counters, store } = context.shared;
    const capKey = `unlock:${client.id_cliente}`;
    if (counters.used(capKey) >= config.unlocksPerClientPerDay) return { status: 'denied', reason: 'daily_cap' };
    const term = searchTermOf(client);
    if (!term) return { status: 'error', reason: 'no_search_term' };
    const blocked = new RegExp(config.blockedStatusPattern, 'i');
    const records = await fetchClients(context.shared.api, term.busca, term.termo);
    const service = records
      .filter((r) => r.id_cliente === client.id_cliente)
      .flatMap((r) => r.servicos)
      .find((s) => blocked.test(s.status_prefixo));
    if (!service) return { status: 'notfound', reason: 'no_blocked_service' };
    if (context.overdue) return { status: 'error', reason: 'timeout' }; // the caller heard an error: change nothing
    if (!counters.tryTake(capKey, config.unlocksPerClientPerDay)) return { status: 'denied', reason: 'daily_cap' };
    await store.save(); // the count is on disk before the unlock leaves
    const outcome = await trustUnlock(context.shared.api, service.id_cliente_servico, asked).catch((error: unknown) => {
      // Unanswered in time: it may have been applied, the count stays.
      if (!isBridgeError(error, 'HUBSOFT_TIMEOUT')) counters.release(capKey);
      void store.save();
      throw error;
    });
    const days = String(asked);
    if (outcome.status === 'denied') {
      counters.release(capKey);
      void store.save();
      return { status: 'denied', reason: 'refused', msg: outcome.msg, values: { DESBLOQUEIO_DIAS: days } };
    }
    return { status: 'ok', msg: outcome.msg, values: { DESBLOQUEIO_DIAS: days, DESBLOQUEIO_ATE: outcome.until === null ? '' : String(outcome.until) } };
  },
};
