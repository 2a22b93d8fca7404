import { openInvoices } from '../../hubsoft/financeiro.js';
import { isClient, requireClient, searchTermOf, unreadableDateLogger } from './guards.js';
import type { SelfServiceCommand } from './types.js';

/**
 * hubsoft-invoices,linkedid: open invoices of the identified client. FATURAS_TOTAL (0 is an answer: STATUS ok),
 * and for the oldest one FATURA_VENCIMENTO (epoch seconds for SayUnixTime; empty when HubSoft's date cannot be
 * read), FATURA_VENCIMENTO_DATA (as HubSoft wrote it), FATURA_VALOR_REAIS and FATURA_VALOR_CENTAVOS (for SayNumber),
 * FATURA_VALOR (54.95), FATURA_VENCIDA 1|0.
 */
export const invoicesCommand: SelfServiceCommand = {
  name: 'hubsoft-invoices',
  variable: 'FATURAS',
  values: ['FATURAS_TOTAL', 'FATURAS_VALOR_TOTAL', 'FATURA_VENCIMENTO', 'FATURA_VENCIMENTO_DATA', 'FATURA_VALOR', 'FATURA_VALOR_REAIS', 'FATURA_VALOR_CENTAVOS', 'FATURA_VENCIDA'],
  async run(context) {
    const client = requireClient(context);
    if (!isClient(client)) return client;
    const term = searchTermOf(client);
    if (!term) return { status: 'error', reason: 'no_search_term' };
    const invoices = await openInvoices(context.shared.api, term.busca, term.termo, unreadableDateLogger(context));
    const total = invoices.reduce((sum, i) => sum + Math.round(i.valor * 100), 0);
    const first = invoices[0];
    if (!first) return { status: 'ok', values: { FATURAS_TOTAL: '0', FATURAS_VALOR_TOTAL: '0.00' } };
    const cents = Math.round(first.valor * 100);
    const now = (context.shared.deps.now ?? Date.now)() / 1000;
    return {
      status: 'ok',
      values: {
        FATURAS_TOTAL: String(invoices.length),
        FATURAS_VALOR_TOTAL: (total / 100).toFixed(2),
        FATURA_VENCIMENTO: first.dueAt === null ? '' : String(first.dueAt),
        FATURA_VENCIMENTO_DATA: first.data_vencimento,
        FATURA_VALOR: (cents / 100).toFixed(2),
        FATURA_VALOR_REAIS: String(Math.floor(cents / 100)),
        FATURA_VALOR_CENTAVOS: String(cents % 100),
        // Due at noon that day: overdue from the next day on.
        FATURA_VENCIDA: first.dueAt !== null && first.dueAt + 12 * 3600 < now ? '1' : '0',
      },
    };
  },
};
