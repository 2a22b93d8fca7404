import { openInvoices, sendInvoice, SEND_PATHS, type SendChannel } from '../../hubsoft/financeiro.js';
import { refusalMessage } from '../../hubsoft/refusal.js';
import { callerNational, isClient, isMobile, requireConfirmed, searchTermOf } from './guards.js';
import type { SelfServiceCommand } from './types.js';

/**
 * hubsoft-second-copy,linkedid,sms|email|push: sends the oldest open invoice. SMS goes to the registered phones
 * plus the caller's mobile (telefone_adicional); e-mail to the registered addresses; push to the client's app.
 * Once per invoice and channel per call (denied/already_sent), selfService.dailyCapPerClient per client per day
 * (denied/daily_cap). A send that outlives the deadline still counts when HubSoft accepts it later.
 */
export const secondCopyCommand: SelfServiceCommand = {
  name: 'hubsoft-second-copy',
  variable: 'SEGUNDA_VIA',
  values: ['SEGUNDA_VIA_CANAL', 'SEGUNDA_VIA_VENCIMENTO', 'SEGUNDA_VIA_VALOR'],
  async run(context) {
    const channel = (context.args[0] ?? '').toLowerCase();
    if (!(channel in SEND_PATHS)) return { status: 'error', reason: 'bad_channel' };
    const client = requireConfirmed(context);
    if (!isClient(client)) return client;
    const term = searchTermOf(client);
    if (!term) return { status: 'error', reason: 'no_search_term' };
    const { api, cap } = context.shared;
    const invoice = (await openInvoices(api, term.busca, term.termo))[0];
    if (!invoice) return { status: 'notfound', reason: 'no_open_invoice' };
    const values = { SEGUNDA_VIA_CANAL: channel, SEGUNDA_VIA_VENCIMENTO: String(invoice.dueAt), SEGUNDA_VIA_VALOR: invoice.valor.toFixed(2) };
    const sentKey = `${invoice.id_fatura}:${channel}`;
    if (context.state.sent.has(sentKey)) return { status: 'denied', reason: 'already_sent', values };
    const capKey = String(client.id_cliente);
    if (!cap.tryTake(capKey)) return { status: 'denied', reason: 'daily_cap', values };
    context.state.sent.add(sentKey);
    const caller = callerNational(context);
    try {
      const msg = await sendInvoice(api, channel as SendChannel, invoice.id_fatura, {
        telefones: channel === 'sms' && caller && isMobile(caller) ? [caller] : [],
      });
      return { status: 'ok', msg, values };
    } catch (error) {
      cap.release(capKey);
      context.state.sent.delete(sentKey);
      const refusal = refusalMessage(error);
      if (refusal !== null) return { status: 'denied', reason: 'refused', msg: refusal, values };
      throw error;
    }
  },
};
