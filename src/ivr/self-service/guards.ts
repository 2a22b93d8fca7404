import { normalisePhone } from '../../hubsoft/phone.js';
import type { IdentifiedClient } from './call-state.js';
import type { CommandContext, CommandOutcome } from './types.js';

/** The identified client, or the outcome to answer when there is none. */
export function requireClient(context: CommandContext): IdentifiedClient | CommandOutcome {
  return context.state.client ?? { status: 'denied', reason: 'not_identified' };
}

/** For actions that change something: identified and, when found by phone, confirmed (unless confirmIdentity is off). */
export function requireConfirmed(context: CommandContext): IdentifiedClient | CommandOutcome {
  const client = requireClient(context);
  if (!isClient(client)) return client;
  if (context.shared.deps.config.confirmIdentity && !context.state.confirmed) return { status: 'denied', reason: 'not_confirmed' };
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

/** Brazilian mobiles: DDD + 9 + 8 digits. */
export function isMobile(national: string): boolean {
  return /^[1-9]{2}9\d{8}$/.test(national);
}
