import { isBridgeError } from '../../errors.js';
import type { SelfServiceConfig } from '../../config/schema.js';
import type { HubsoftApi } from '../../hubsoft/api-port.js';
import { fetchClients } from '../../hubsoft/client-record.js';
import { requestDisconnection, resetMac, type SelfFixOutcome } from '../../hubsoft/self-fix.js';
import { isClient, requireAccountChange, searchTermOf } from './guards.js';
import type { SelfServiceCommand } from './types.js';

interface SelfFix {
  readonly name: string;
  readonly variable: string;
  /** Counter key stem: `<stem>:<id_cliente_servico>`. */
  readonly stem: string;
  readonly enabled: (config: SelfServiceConfig) => boolean;
  readonly perServicePerDay: (config: SelfServiceConfig) => number;
  readonly act: (api: HubsoftApi, id_cliente_servico: number) => Promise<SelfFixOutcome>;
}

/**
 * A self-fix changes the client's connection, so it asks what a trust unlock asks (guards.ts: caller ID and the
 * typed confirmation) and more: a caller whose confirmation failed in this call and never succeeded is refused
 * even when selfService.confirmIdentity is false (denied/confirmation_failed). Off unless configured
 * (denied/disabled, nothing asked of HubSoft). The service: the identified client's first enabled one
 * (servico_habilitado), else the first not cancelled (what hubsoft-protocol opens the ticket for); the URA has no
 * way to choose among several. At most perServicePerDay per service per day (denied/daily_cap), counted in
 * state.dir before the request leaves; HubSoft's refusal (status "error", e.g. a service without authentication
 * data) is denied/refused with its msg for TTS and keeps the count (the request reached HubSoft); an unanswered
 * request keeps it too (it may have been applied); any other failure gives it back. <X>_SERVICO: the
 * id_cliente_servico acted on.
 */
function selfFixCommand(fix: SelfFix): SelfServiceCommand {
  const servico = `${fix.variable}_SERVICO`;
  return {
    name: fix.name,
    variable: fix.variable,
    values: [servico],
    resolves: true,
    async run(context) {
      const { config } = context.shared.deps;
      if (!fix.enabled(config)) return { status: 'denied', reason: 'disabled' };
      const client = requireAccountChange(context);
      if (!isClient(client)) return client;
      if (context.state.confirmFailures > 0 && !context.state.confirmed) return { status: 'denied', reason: 'confirmation_failed' };
      const term = searchTermOf(client);
      if (!term) return { status: 'error', reason: 'no_search_term' };
      const records = await fetchClients(context.shared.api, term.busca, term.termo);
      const services = records.filter((r) => r.id_cliente === client.id_cliente).flatMap((r) => r.servicos);
      const service = services.find((s) => s.status_prefixo === 'servico_habilitado') ?? services.find((s) => s.status_prefixo !== 'cancelado');
      if (!service) return { status: 'notfound', reason: 'no_service' };
      const values = { [servico]: String(service.id_cliente_servico) };
      const { counters, store } = context.shared;
      const capKey = `${fix.stem}:${service.id_cliente_servico}`;
      if (context.overdue) return { status: 'error', reason: 'timeout' }; // the caller heard an error: change nothing
      if (!counters.tryTake(capKey, fix.perServicePerDay(config))) return { status: 'denied', reason: 'daily_cap', values };
      await store.save(); // the count is on disk before the request leaves
      const outcome = await fix.act(context.shared.api, service.id_cliente_servico).catch((error: unknown) => {
        if (!isBridgeError(error, 'HUBSOFT_TIMEOUT')) {
          counters.release(capKey);
          void store.save();
        }
        throw error;
      });
      const logged = { id_cliente: client.id_cliente, id_cliente_servico: service.id_cliente_servico, result: outcome.status };
      context.log?.info(logged, `self-service ${fix.name}`);
      if (outcome.status === 'denied') return { status: 'denied', reason: 'refused', msg: outcome.msg, values };
      return { status: 'ok', msg: outcome.msg, values };
    },
  };
}

/** hubsoft-reset-mac,linkedid: 4.12 reset_mac_addr of the client's service (a new router can log in). */
export const resetMacCommand = selfFixCommand({
  name: 'hubsoft-reset-mac',
  variable: 'RESET_MAC',
  stem: 'reset-mac',
  enabled: (config) => config.resetMacEnabled,
  perServicePerDay: (config) => config.resetMacPerServicePerDay,
  act: resetMac,
});

/** hubsoft-reconnect,linkedid: 4.5 solicitar_desconexao of the client's service (the PPPoE session drops, the router reconnects). */
export const reconnectCommand = selfFixCommand({
  name: 'hubsoft-reconnect',
  variable: 'RECONEXAO',
  stem: 'reconnect',
  enabled: (config) => config.reconnectEnabled,
  perServicePerDay: (config) => config.reconnectsPerServicePerDay,
  act: requestDisconnection,
});
