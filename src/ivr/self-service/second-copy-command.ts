import { isBridgeError } from '../../errors.js';
import { openInvoices, sendInvoice, SEND_PATHS, type SendChannel } from '../../hubsoft/financeiro.js';
import { refusalMessage } from '../../hubsoft/refusal.js';
import { callerNational, isClient, isMobile, requireClient, searchTermOf, unreadableDateLogger } from './guards.js';
import type { CommandContext, CommandOutcome, SelfServiceCommand } from './types.js';

/**
 * hubsoft-second-copy,linkedid,sms|email|push: sends the oldest open invoice to the client's registered contacts
 * only (SMS to the registered phones, e-mail to the registered addresses, push to the client's app): no
 * telefone_adicional/email_adicional, so any identified caller may ask. The caller's own mobile is added only
 * with selfService.smsToCallerMobile and caller ID. Once per invoice and channel per call (denied/already_sent),
 * selfService.dailyCapPerClient per client per day (denied/daily_cap). A send HubSoft did not answer in time may
 * have left: it keeps the cap, is not sent again in this call, and answers ok/pending ("may take a few minutes").
 */
export const secondCopyCommand: SelfServiceCommand = {
  name: 'hubsoft-second-copy',
  variable: 'SEGUNDA_VIA',
  values: ['SEGUNDA_VIA_CANAL', 'SEGUNDA_VIA_VENCIMENTO', 'SEGUNDA_VIA_VALOR'],
  resolves: true,
  async run(context) {
    const channel = (context.args[0] ?? '').toLowerCase();
    if (!(channel in SEND_PATHS)) return { status: 'error', reason: 'bad_channel' };
    const client = requireClient(context);
    if (!isClient(client)) return client;
    const term = searchTermOf(client);
    if (!term) return { status: 'error', reason: 'no_search_term' };
    const { api, counters, store, deps } = context.shared;
    const invoice = (await openInvoices(api, term.busca, term.termo, unreadableDateLogger(context)))[0];
    if (!invoice) return { status: 'notfound', reason: 'no_open_invoice' };
    const values = { SEGUNDA_VIA_CANAL: channel, SEGUNDA_VIA_VENCIMENTO: invoice.dueAt === null ? '' : String(invoice.dueAt), SEGUNDA_VIA_VALOR: invoice.valor.toFixed(2) };
    const pending: CommandOutcome = { status: 'ok', reason: 'pending', values };
    const sentKey = `${invoice.id_fatura}:${channel}`;
    const { sent } = context.state;
    if (sent.get(sentKey) === 'pending') return pending;
    if (sent.has(sentKey)) return { status: 'denied', reason: 'already_sent', values };
    if (context.overdue) return { status: 'error', reason: 'timeout' }; // the caller heard an error: send nothing
    const capKey = `copy:${client.id_cliente}`;
    if (!counters.tryTake(capKey, deps.config.dailyCapPerClient)) return { status: 'denied', reason: 'daily_cap', values };
    sent.set(sentKey, 'pending');
    await store.save(); // the count is on disk before the send leaves
    context.late = pending;
    try {
      const msg = await sendInvoice(api, channel as SendChannel, invoice.id_fatura, { telefones: callerMobile(context, channel) });
      sent.set(sentKey, 'sent');
      void store.save();
      return { status: 'ok', msg, values };
    } catch (error) {
      if (mayHaveBeenSent(error)) {
        context.log?.warn({ err: error, id_fatura: invoice.id_fatura, channel }, 'second copy unanswered: it may have been sent, not sent again in this call');
        return pending;
      }
      counters.release(capKey);
      sent.delete(sentKey);
      void store.save();
      const refusal = refusalMessage(error);
      if (refusal !== null) return { status: 'denied', reason: 'refused', msg: refusal, values };
      throw error;
    }
  },
};

/** The caller's mobile as telefone_adicional: only with smsToCallerMobile and a caller identified by caller ID. */
function callerMobile(context: CommandContext, channel: string): string[] {
  if (channel !== 'sms' || !context.shared.deps.config.smsToCallerMobile || context.state.client?.via !== 'phone') return [];
  const caller = callerNational(context);
  return caller && isMobile(caller) ? [caller] : [];
}

/** HubSoft (or a proxy before it) gave up waiting: the send may have gone out. */
function mayHaveBeenSent(error: unknown): boolean {
  return isBridgeError(error, 'HUBSOFT_TIMEOUT') || (isBridgeError(error, 'HUBSOFT_HTTP') && Number(error.details.status) === 504);
}
