import { normalisePhone } from '../../hubsoft/phone.js';
import type { OpenInvoice } from '../../hubsoft/financeiro.js';
import type { SelfServiceConfig } from '../../config/schema.js';
import type { CallState, IdentifiedClient } from './call-state.js';
import type { CommandContext, CommandOutcome } from './types.js';

/** The identified client, or the outcome to answer when there is none. */
export function requireClient(context: CommandContext): IdentifiedClient | CommandOutcome {
  return context.state.client ?? { status: 'denied', reason: 'not_identified' };
}

/**
 * May this call change the client's account (trust unlock, protocol, any reset/reconnect)? 'allowed'; 'confirm'
 * (identified by caller ID, the confirmation digits not typed yet); 'agent' (identified by the document only: not
 * in this call, unless selfService.documentAloneForChanges). Sending to registered contacts needs only identity.
 */
export type ChangeAccess = 'allowed' | 'confirm' | 'agent';

export function changeAccess(state: CallState, config: SelfServiceConfig): ChangeAccess {
  const client = state.client;
  if (!client) return 'agent';
  if (client.via === 'document') return config.documentAloneForChanges ? 'allowed' : 'agent';
  return state.confirmed || !config.confirmIdentity ? 'allowed' : 'confirm';
}

/** ALTERACOES and CONFIRMAR, as identify and confirm set them for the dialplan. */
export function accessValues(state: CallState, config: SelfServiceConfig): { ALTERACOES: string; CONFIRMAR: string } {
  const access = changeAccess(state, config);
  return { ALTERACOES: { allowed: 'sim', confirm: 'confirmar', agent: 'atendente' }[access], CONFIRMAR: access === 'confirm' ? '1' : '0' };
}

/** For actions that change the account: the client when changeAccess is 'allowed', else why not. */
export function requireAccountChange(context: CommandContext): IdentifiedClient | CommandOutcome {
  const client = requireClient(context);
  if (!isClient(client)) return client;
  const access = changeAccess(context.state, context.shared.deps.config);
  if (access === 'agent') return { status: 'denied', reason: 'needs_caller_id' };
  if (access === 'confirm') return { status: 'denied', reason: 'not_confirmed' };
  return client;
}

export function isClient(value: IdentifiedClient | CommandOutcome): value is IdentifiedClient {
  return 'id_cliente' in value;
}

/** How to search this client in HubSoft's cliente and financeiro routes. */
export function searchTermOf(client: IdentifiedClient): { busca: 'codigo_cliente' | 'cpf_cnpj'; termo: string } | null {
  if (client.codigo_cliente !== null) return { busca: 'codigo_cliente', termo: String(client.codigo_cliente) };
  if (client.cpf_cnpj) return { busca: 'cpf_cnpj', termo: client.cpf_cnpj };
  return null;
}

/** The caller's national number (DDNNNNNNNN(N)), or null for withheld, foreign and special numbers. */
export function callerNational(context: CommandContext): string | null {
  const phone = normalisePhone(context.callerId, { defaultAreaCode: context.shared.deps.defaultAreaCode, maxCandidates: 1 });
  return phone.kind === 'national' && phone.national ? phone.national : null;
}

/** The caller's number as the per-caller counts key it: national when it is one, else its digits. */
export function callerKey(context: CommandContext): string {
  return callerNational(context) ?? (context.callerId.replace(/\D/g, '') || 'unknown');
}

/** Brazilian mobiles: DDD + 9 + 8 digits. */
export function isMobile(national: string): boolean {
  return /^[1-9]{2}9\d{8}$/.test(national);
}

const reportedDates = new Set<number>();

/** An invoice whose due date HubSoft wrote in a form the bridge cannot read is offered anyway, and logged once. */
export function unreadableDateLogger(context: CommandContext): (invoice: OpenInvoice) => void {
  return (invoice) => {
    if (reportedDates.has(invoice.id_fatura)) return;
    if (reportedDates.size >= 10_000) reportedDates.clear();
    reportedDates.add(invoice.id_fatura);
    context.log?.warn({ id_fatura: invoice.id_fatura, data_vencimento: invoice.data_vencimento }, 'invoice due date not understood: offered without it');
  };
}
