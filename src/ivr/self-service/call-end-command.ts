import type { TicketAfterCall } from '../../bridge/crm-port.js';
import type { CommandContext, SelfServiceCommand } from './types.js';

/**
 * hubsoft-call-end,linkedid[,AGENT[,DID[,START]]]: run by the dialplan when the call ends (the sample URA's
 * hangup handler, which Asterisk runs on the caller's channel whatever context the call ended in, after a Queue
 * or Dial too). When self-service opened a ticket in this call, it hands the ticket's edit (3.2 PUT with the call's
 * facts, ticket-edit.ts) to the durable outbox once per call (a second call-end: ok/already_queued), and answers
 * at once: the edit itself goes out in the background, through any HubSoft outage.
 * AGENT 1|sim: the caller asked for (or was sent to) an agent; then the ticket stays open. DID: the number
 * dialled (default agi_dnid). START: epoch seconds when the call came in (default: the call's first command).
 * fechar_atendimento only when a command that settles the request answered ok (state.resolved), no agent was
 * asked for, and selfService.closeResolvedTickets. ATENDIMENTO_FECHAR 1|0: what was asked of HubSoft.
 */
export const callEndCommand: SelfServiceCommand = {
  name: 'hubsoft-call-end',
  variable: 'FIM',
  values: ['ATENDIMENTO_FECHAR'],
  untracked: true,
  async run(context) {
    const { config, onCallEnd } = context.shared.deps;
    if (!config.ticketEditAtCallEnd) return { status: 'denied', reason: 'disabled' };
    const { state } = context;
    if (!state.protocol) return { status: 'notfound', reason: 'no_ticket' };
    if (state.ended) return { status: 'ok', reason: 'already_queued' };
    if (state.id_atendimento === null) {
      context.log?.warn({ protocolo: state.protocol }, 'HubSoft gave no id_atendimento with the protocol: the ticket cannot be edited after the call');
      return { status: 'notfound', reason: 'no_ticket_id' };
    }
    const ticket = ticketOf(context, state.id_atendimento, state.protocol);
    if (!onCallEnd?.(ticket)) return { status: 'denied', reason: 'not_sent' };
    state.ended = true;
    await context.shared.store.save();
    context.log?.info({ id_atendimento: ticket.id_atendimento, fechar_atendimento: ticket.close, commands: ticket.commands.length }, 'ticket edit queued for after the call');
    return { status: 'ok', values: { ATENDIMENTO_FECHAR: ticket.close ? '1' : '0' } };
  },
};

function ticketOf(context: CommandContext, id_atendimento: number, protocolo: string): TicketAfterCall {
  const { state, env, args } = context;
  const { config } = context.shared.deps;
  const now = (context.shared.deps.now ?? Date.now)();
  const agentRequested = /^(1|s|sim|y|yes|true)$/i.test(args[0] ?? '');
  const dnid = (env['agi_dnid'] ?? '').trim();
  const did = (args[1] ?? '').trim() || (dnid === 'unknown' ? '' : dnid);
  const started = Number(args[2]) * 1000;
  const startedAt = Number.isFinite(started) && started > 0 && started <= now && now - started < 86_400_000 ? started : state.startedAt;
  const uniqueid = (env['agi_uniqueid'] ?? '').trim() || context.linkedid;
  const template = config.recordingUrlTemplate;
  const recordingUrl = template
    ? template.replaceAll('{uniqueid}', encodeURIComponent(uniqueid)).replaceAll('{linkedid}', encodeURIComponent(context.linkedid))
    : null;
  return {
    linkedid: context.linkedid,
    id_atendimento,
    protocolo,
    callerNumber: context.callerId,
    did,
    durationSeconds: Math.max(0, (now - startedAt) / 1000),
    commands: [...state.history],
    recordingUrl,
    resolved: state.resolved,
    agentRequested,
    close: config.closeResolvedTickets && state.resolved && !agentRequested,
  };
}
