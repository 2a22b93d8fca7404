import { expect } from 'chai';
import { fakeClock } from '../../hubsoft/helpers.js';
import { startHarness, type Harness } from './harness.js';

const CARLOS_PHONE = '37998001122';
const FINANCEIRO = '/api/v1/integracao/cliente/financeiro';

describe('ivr/self-service: hubsoft-invoices and hubsoft-second-copy over FastAGI', () => {
  let h: Harness;
  const clock = fakeClock(Date.UTC(2024, 2, 12, 15, 0, 0));
  beforeEach(async () => {
    h = await startHarness({ now: clock.now, selfService: { dailyCapPerClient: 2 } });
  });
  afterEach(() => h.close());

  async function identified(linkedid: string, confirm = true): Promise<void> {
    await h.call('hubsoft-identify', CARLOS_PHONE, linkedid);
    if (confirm) await h.call('hubsoft-confirm', CARLOS_PHONE, linkedid, '123');
  }

  it('counts open invoices and gives the oldest due date and amount for SayUnixTime/SayNumber', async () => {
    await identified('c1', false);
    const vars = await h.call('hubsoft-invoices', CARLOS_PHONE, 'c1');
    expect(vars).to.include({
      HUBSOFT_FATURAS_STATUS: 'ok',
      HUBSOFT_FATURAS_TOTAL: '2',
      HUBSOFT_FATURAS_VALOR_TOTAL: '229.80',
      HUBSOFT_FATURA_VENCIMENTO: String(Date.UTC(2024, 1, 10, 15) / 1000),
      HUBSOFT_FATURA_VENCIMENTO_DATA: '10/02/2024',
      HUBSOFT_FATURA_VALOR: '99.90',
      HUBSOFT_FATURA_VALOR_REAIS: '99',
      HUBSOFT_FATURA_VALOR_CENTAVOS: '90',
      HUBSOFT_FATURA_VENCIDA: '1',
    });
    const asked = h.hubsoft.requests.find((r) => r.path === FINANCEIRO)!;
    expect(asked.query).to.include({ busca: 'codigo_cliente', termo_busca: '428', apenas_pendente: 'sim' });
  });

  it('reads due dates in every form HubSoft writes; an invoice whose date cannot be read is still offered, last, without a date', async () => {
    const base = { valor: 50, data_pagamento: null, tipo_cobranca: 'boleto', linha_digitavel: null, link: null };
    h.hubsoft.setInvoices(11208, [
      { ...base, id_fatura: 1, data_vencimento: 'em breve' },
      { ...base, id_fatura: 2, data_vencimento: '2024-02-10 00:00:00' },
      { ...base, id_fatura: 3, data_vencimento: '2024-01-10T03:00:00.000Z' },
      { ...base, id_fatura: 4, data_vencimento: '10/03/2024 10:30' },
    ]);
    await identified('dates', false);
    expect(await h.call('hubsoft-invoices', CARLOS_PHONE, 'dates')).to.include({
      HUBSOFT_FATURAS_STATUS: 'ok',
      HUBSOFT_FATURAS_TOTAL: '4',
      HUBSOFT_FATURA_VENCIMENTO: String(Date.UTC(2024, 0, 10, 15) / 1000),
    });
    h.hubsoft.setInvoices(11208, [{ ...base, id_fatura: 5, data_vencimento: '31/02/2024' }]);
    expect(await h.call('hubsoft-invoices', CARLOS_PHONE, 'dates'), 'not "no open invoices"').to.include({
      HUBSOFT_FATURAS_TOTAL: '1',
      HUBSOFT_FATURA_VENCIMENTO: '',
      HUBSOFT_FATURA_VENCIMENTO_DATA: '31/02/2024',
      HUBSOFT_FATURA_VENCIDA: '0',
    });
  });

  it('a client with no open invoice: ok with total 0; an unidentified call: denied', async () => {
    await h.call('hubsoft-identify', '3732215000', 'c2');
    expect(await h.call('hubsoft-invoices', '3732215000', 'c2')).to.include({ HUBSOFT_FATURAS_STATUS: 'ok', HUBSOFT_FATURAS_TOTAL: '0', HUBSOFT_FATURA_VENCIMENTO: '' });
    expect(await h.call('hubsoft-invoices', '3732215000', 'nobody')).to.include({ HUBSOFT_FATURAS_STATUS: 'denied', HUBSOFT_FATURAS_REASON: 'not_identified' });
  });

  it('sends the oldest open invoice by SMS to the registered phones only (no telefone_adicional)', async () => {
    await identified('c3');
    const vars = await h.call('hubsoft-second-copy', '37991112233', 'c3', 'sms');
    expect(vars).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'ok', HUBSOFT_SEGUNDA_VIA_CANAL: 'sms', HUBSOFT_SEGUNDA_VIA_VALOR: '99.90' });
    expect(vars.HUBSOFT_SEGUNDA_VIA_MSG).to.match(/SMS/);
    const post = h.hubsoft.requests.find((r) => r.path.endsWith('/enviar_sms'))!;
    expect(post.body).to.deep.equal({ id_fatura: 50949 });
    expect(h.hubsoft.selfService.sends).to.deep.equal([{ channel: 'sms', id_fatura: 50949, id_cliente: 11208, to: ['37998001122'] }]);
  });

  it('e-mail and push go to what HubSoft has on record', async () => {
    await identified('c4');
    expect(await h.call('hubsoft-second-copy', CARLOS_PHONE, 'c4', 'email')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'ok' });
    expect(await h.call('hubsoft-second-copy', CARLOS_PHONE, 'c4', 'push')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'ok' });
    const bodies = h.hubsoft.requests.filter((r) => /enviar_(email|push)$/.test(r.path)).map((r) => r.body);
    expect(bodies).to.deep.equal([{ id_fatura: 50949 }, { id_fatura: 50949 }]);
  });

  it('a landline caller adds no telefone_adicional', async () => {
    await h.call('hubsoft-identify', 'anonymous', 'c5', '12345678909');
    await h.call('hubsoft-second-copy', '3732210000', 'c5', 'sms');
    expect(h.hubsoft.requests.filter((r) => r.path.endsWith('/enviar_sms')).at(-1)!.body).to.deep.equal({ id_fatura: 50949 });
  });

  it('needs no confirmation: it goes to registered contacts only', async () => {
    await identified('c6', false);
    expect(await h.call('hubsoft-second-copy', CARLOS_PHONE, 'c6', 'sms')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'ok' });
    expect(h.hubsoft.selfService.sends).to.have.length(1);
    expect(await h.call('hubsoft-second-copy', CARLOS_PHONE, 'nobody', 'sms')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'denied', HUBSOFT_SEGUNDA_VIA_REASON: 'not_identified' });
  });

  it('at most once per invoice and channel per call', async () => {
    await identified('c7');
    await h.call('hubsoft-second-copy', CARLOS_PHONE, 'c7', 'sms');
    expect(await h.call('hubsoft-second-copy', CARLOS_PHONE, 'c7', 'sms')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'denied', HUBSOFT_SEGUNDA_VIA_REASON: 'already_sent' });
    expect(h.hubsoft.selfService.sends).to.have.length(1);
  });

  it('stops at the daily cap per client; the next day it sends again', async () => {
    for (const id of ['d1', 'd2']) {
      await identified(id);
      expect(await h.call('hubsoft-second-copy', CARLOS_PHONE, id, 'sms')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'ok' });
    }
    await identified('d3');
    expect(await h.call('hubsoft-second-copy', CARLOS_PHONE, 'd3', 'sms')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'denied', HUBSOFT_SEGUNDA_VIA_REASON: 'daily_cap' });
    expect(h.hubsoft.selfService.sends).to.have.length(2);
    clock.advance(24 * 3600 * 1000);
    await identified('d4');
    expect(await h.call('hubsoft-second-copy', CARLOS_PHONE, 'd4', 'sms')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'ok' });
  });

  it('HubSoft refusing (no e-mail on record) is denied with its msg and does not use the cap', async () => {
    await h.call('hubsoft-identify', 'anonymous', 'c8', '98765432100');
    h.hubsoft.setInvoices(11209, [{ id_fatura: 60001, valor: 80, data_vencimento: '20/03/2024', data_pagamento: null, tipo_cobranca: 'boleto_bancario', linha_digitavel: null, link: null }]);
    const vars = await h.call('hubsoft-second-copy', '3732215000', 'c8', 'email');
    expect(vars).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'denied', HUBSOFT_SEGUNDA_VIA_REASON: 'refused' });
    expect(vars.HUBSOFT_SEGUNDA_VIA_MSG).to.match(/e-mail/);
  });

  it('no open invoice: notfound', async () => {
    await h.call('hubsoft-identify', 'anonymous', 'c9', '98765432100');
    expect(await h.call('hubsoft-second-copy', '3732215000', 'c9', 'sms')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'notfound', HUBSOFT_SEGUNDA_VIA_REASON: 'no_open_invoice' });
  });
});
