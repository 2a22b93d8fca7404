import { expect } from 'chai';
import { startHarness, type Harness } from './harness.js';

const CARLOS_PHONE = '37998001122';

/** HubSoft slower than selfService.deadlineMs: every command answers STATUS=error in time and the session ends. */
describe('ivr/self-service: HubSoft slow past the deadline', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ selfService: { deadlineMs: 80 } });
    // Identified and confirmed by hand: an 80 ms deadline is too tight for a real identify on a busy machine.
    const state = h.selfService.calls.get('s1');
    state.client = { id_cliente: 11208, codigo_cliente: 428, cpf_cnpj: '12345678909', nome_razaosocial: 'CARLOS EDUARDO LIMA', via: 'document' };
    state.confirmed = true;
    h.hubsoft.setDelay(400);
  });
  afterEach(() => h.close());

  for (const [script, stem, args] of [
    ['hubsoft-invoices', 'FATURAS', []],
    ['hubsoft-second-copy', 'SEGUNDA_VIA', ['sms']],
    ['hubsoft-unlock', 'DESBLOQUEIO', []],
    ['hubsoft-connection', 'CONEXAO', []],
    ['hubsoft-protocol', 'PROTOCOLO', []],
  ] as const) {
    it(`${script}: STATUS error, reason timeout`, async () => {
      const vars = await h.call(script, CARLOS_PHONE, 's1', ...args);
      expect(vars).to.include({ [`HUBSOFT_${stem}_STATUS`]: 'error', [`HUBSOFT_${stem}_REASON`]: 'timeout' });
      expect(Object.keys(vars).at(-1)).to.equal(`HUBSOFT_${stem}_STATUS`);
    });
  }

  it('hubsoft-identify by phone: error when the lookup is late', async () => {
    expect(await h.call('hubsoft-identify', CARLOS_PHONE, 's2')).to.include({ HUBSOFT_IDENTIFICACAO_STATUS: 'error', HUBSOFT_IDENTIFICACAO_REASON: 'timeout' });
  });

  it('a second copy HubSoft accepts after the deadline still counts: no second send in the same call', async () => {
    expect(await h.call('hubsoft-second-copy', CARLOS_PHONE, 's1', 'sms')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'error' });
    await h.hubsoft.waitFor(() => h.hubsoft.selfService.sends.length === 1, 5000);
    h.hubsoft.setDelay(0);
    expect(await h.call('hubsoft-second-copy', CARLOS_PHONE, 's1', 'sms')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'denied', HUBSOFT_SEGUNDA_VIA_REASON: 'already_sent' });
  });
});
