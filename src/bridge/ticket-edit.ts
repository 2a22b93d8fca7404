import { BridgeError, isBridgeError } from '../errors.js';
import { editAtendimento, type ApiPutter, type AtendimentoEdit } from '../hubsoft/atendimento-edit.js';
import { refusalMessage } from '../hubsoft/refusal.js';
import type { PreparedRequest } from '../outbox/request.js';
import type { TicketAfterCall } from './crm-port.js';

/** The adapter's route name for the edit (journaled with the record). */
export const TICKET_EDIT_ROUTE = 'editar_atendimento';

/** What the journal keeps: everything send() needs (a replayed record is only route + body + key). */
export interface TicketEditBody extends AtendimentoEdit {
  readonly id_atendimento: number;
}

/**
 * The 3.2 PUT for a ticket self-service opened, as a must-deliver request (kind 'cancel': journaled before it
 * leaves, retried through an outage up to state.outbox.cancelMaxAgeMs). Its key is the ticket's own
 * (`atendimento:<id>`), never a `ramal:...|telefone` key: it never waits behind nor holds up a notificar/cancelar.
 * parametros: HubSoft stores the object as given ("qualquer informação da integração"); url_ligacao is the
 * seed's own name for the recording, the rest are the bridge's names, flat strings and numbers.
 */
export function prepareTicketEdit(ticket: TicketAfterCall): PreparedRequest | null {
  if (!Number.isSafeInteger(ticket.id_atendimento) || ticket.id_atendimento <= 0) return null;
  const parametros: Record<string, string | number> = {
    origem: 'hubsoft-pbx-bridge',
    linkedid: ticket.linkedid.slice(0, 64),
    protocolo: ticket.protocolo,
    telefone: ticket.callerNumber.replace(/[^\d+]/g, '').slice(0, 20),
    did: ticket.did.replace(/[^\d+*#A-Za-z]/g, '').slice(0, 40),
    duracao_segundos: Math.max(0, Math.round(ticket.durationSeconds)),
    ura_opcoes: ticket.commands.join(', ').slice(0, 1000),
    resolvido_na_ura: ticket.resolved ? 'sim' : 'nao',
    pediu_atendente: ticket.agentRequested ? 'sim' : 'nao',
  };
  if (ticket.recordingUrl) parametros.url_ligacao = ticket.recordingUrl;
  const body: TicketEditBody = { id_atendimento: ticket.id_atendimento, fechar_atendimento: ticket.close, parametros };
  const describe = `${TICKET_EDIT_ROUTE} ${ticket.id_atendimento} (protocolo ${ticket.protocolo}${ticket.close ? ', fechar' : ''})`;
  return { route: TICKET_EDIT_ROUTE, kind: 'cancel', key: `atendimento:${ticket.id_atendimento}`, body, describe };
}

/**
 * One attempt. HubSoft saying no about this ticket (status "error" with a msg, a 4xx such as 404 for an
 * atendimento it does not know) is final: retrying would not change it and, during the dispatcher's outage hold,
 * a forever-failing edit would be the probe that keeps every notificar waiting. Marked `final` for isFinalRefusal.
 */
export async function sendTicketEdit(api: ApiPutter, body: TicketEditBody, signal: AbortSignal): Promise<void> {
  try {
    await editAtendimento(api, body.id_atendimento, body, { signal });
  } catch (error) {
    const refusal = refusalMessage(error);
    const status = isBridgeError(error) ? Number(error.details.status) : NaN;
    if (refusal !== null || (isBridgeError(error, 'HUBSOFT_HTTP') && status >= 400 && status < 500 && ![401, 408, 429].includes(status))) {
      const details = isBridgeError(error) ? error.details : {};
      throw new BridgeError(isBridgeError(error) ? error.code : 'HUBSOFT_HTTP', (error as Error).message, { ...details, final: true }, { cause: error });
    }
    throw error;
  }
}

/** A failure sendTicketEdit marked final (never retried). */
export function isFinalRefusal(error: unknown): boolean {
  return isBridgeError(error) && error.details.final === true;
}

export function describeTicketEdit(request: PreparedRequest): string {
  const body = request.body as Partial<TicketEditBody> | null;
  return `${TICKET_EDIT_ROUTE} ${body?.id_atendimento ?? '?'}${body?.fechar_atendimento ? ' (fechar)' : ''}`;
}
