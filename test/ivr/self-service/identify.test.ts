import { expect } from 'chai';
import { startHarness, type Harness } from './harness.js';

const CARLOS_PHONE = '37998001122';

describe('ivr/self-service: hubsoft-identify and hubsoft-confirm over FastAGI', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  it('identifies a caller by phone and asks for confirmation before changes; STATUS is set last', async () => {
    const vars = await h.call('hubsoft-identify', CARLOS_PHONE, 'call-1');
    expect(vars).to.include({ HUBSOFT_IDENTIFICACAO_STATUS: 'ok', HUBSOFT_ID_CLIENTE: '11208', HUBSOFT_CODIGO_CLIENTE: '428', HUBSOFT_IDENTIFICADO_POR: 'telefone', HUBSOFT_CONFIRMAR: '1', HUBSOFT_ALTERACOES: 'confirmar' });
    expect(Object.keys(vars).at(-1)).to.equal('HUBSOFT_IDENTIFICACAO_STATUS');
    expect(h.selfService.calls.clientFor('call-1')?.id_cliente).to.equal(11208);
  });

  it('identifies by a typed CPF (busca=cpf_cnpj): not a confirmation, account changes only by an agent', async () => {
    const vars = await h.call('hubsoft-identify', 'anonymous', 'call-2', '12345678909');
    expect(vars).to.include({ HUBSOFT_IDENTIFICACAO_STATUS: 'ok', HUBSOFT_ID_CLIENTE: '11208', HUBSOFT_IDENTIFICADO_POR: 'documento', HUBSOFT_CONFIRMAR: '0', HUBSOFT_ALTERACOES: 'atendente' });
    const search = h.hubsoft.requests.find((r) => r.path === '/api/v1/integracao/cliente' && r.query.busca === 'cpf_cnpj');
    expect(search?.query.termo_busca).to.equal('12345678909');
  });

  it('refuses a CPF with a wrong check digit without asking HubSoft', async () => {
    const before = h.hubsoft.requests.length;
    const vars = await h.call('hubsoft-identify', 'anonymous', 'call-3', '12345678908');
    expect(vars).to.include({ HUBSOFT_IDENTIFICACAO_STATUS: 'denied', HUBSOFT_IDENTIFICACAO_REASON: 'invalid_document', HUBSOFT_ID_CLIENTE: '' });
    expect(h.hubsoft.requests.length).to.equal(before);
  });

  it('notfound for a valid CPF HubSoft does not know, and for an unknown phone', async () => {
    expect(await h.call('hubsoft-identify', 'anonymous', 'call-4', '52998224725')).to.include({ HUBSOFT_IDENTIFICACAO_STATUS: 'notfound', HUBSOFT_IDENTIFICACAO_REASON: 'not_found' });
    expect(await h.call('hubsoft-identify', '37991234567', 'call-5')).to.include({ HUBSOFT_IDENTIFICACAO_STATUS: 'notfound' });
    expect(await h.call('hubsoft-identify', '3133335555', 'call-6')).to.include({ HUBSOFT_IDENTIFICACAO_STATUS: 'notfound', HUBSOFT_IDENTIFICACAO_REASON: 'ambiguous' });
  });

  it('confirms the first 3 digits; a wrong try is denied and counted; attempts run out', async () => {
    await h.call('hubsoft-identify', CARLOS_PHONE, 'call-7');
    expect(await h.call('hubsoft-confirm', CARLOS_PHONE, 'call-7', '999')).to.include({ HUBSOFT_CONFIRMACAO_STATUS: 'denied', HUBSOFT_CONFIRMACAO_REASON: 'wrong_digits', HUBSOFT_CONFIRMACAO_RESTANTES: '2' });
    expect(await h.call('hubsoft-confirm', CARLOS_PHONE, 'call-7', '123')).to.include({ HUBSOFT_CONFIRMACAO_STATUS: 'ok', HUBSOFT_CONFIRMAR: '0', HUBSOFT_ALTERACOES: 'sim' });

    await h.call('hubsoft-identify', CARLOS_PHONE, 'call-8');
    for (let i = 0; i < 3; i++) await h.call('hubsoft-confirm', CARLOS_PHONE, 'call-8', '000');
    const last = await h.call('hubsoft-confirm', CARLOS_PHONE, 'call-8', '123');
    expect(last).to.include({ HUBSOFT_CONFIRMACAO_STATUS: 'denied', HUBSOFT_CONFIRMACAO_REASON: 'too_many_attempts' });
  });

  it('confirm without an identified client is denied/not_identified', async () => {
    expect(await h.call('hubsoft-confirm', CARLOS_PHONE, 'call-9', '123')).to.include({ HUBSOFT_CONFIRMACAO_STATUS: 'denied', HUBSOFT_CONFIRMACAO_REASON: 'not_identified' });
  });

  it('HubSoft down: STATUS error, the session still ends', async () => {
    h.hubsoft.failNext(5, 'status500');
    expect(await h.call('hubsoft-identify', 'anonymous', 'call-10', '12345678909')).to.include({ HUBSOFT_IDENTIFICACAO_STATUS: 'error' });
  });
});
