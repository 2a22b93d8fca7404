import { expect } from 'chai';
import { startHarness, type Harness } from './harness.js';

const CARLOS_PHONE = '37998001122';

/** HubSoft slower than selfService.deadlineMs: every command answers STATUS=error in time and the session ends. */
describe('ivr/self-service: HubSoft slow past the deadline', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ selfService: { deadlineMs: 80 } });
    // Identified by caller ID and confirmed by hand: an 80 ms deadline is too tight for a real identify on a busy machine.
    const state = h.selfService.calls.get('s1');
    state.client = { id_cliente: 11208, codigo_cliente: 428, cpf_cnpj: '12345678909', nome_razaosocial: 'CARLOS EDUARDO LIMA', via: 'phone' };
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

  it('a second copy whose invoice search answers late sends nothing: the caller heard an error', async () => {
    expect(await h.call('hubsoft-second-copy', CARLOS_PHONE, 's1', 'sms')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'error', HUBSOFT_SEGUNDA_VIA_REASON: 'timeout' });
    await h.hubsoft.waitFor(() => h.hubsoft.requests.some((r) => r.path.endsWith('/financeiro')), 5000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.hubsoft.requests.filter((r) => r.path.endsWith('/enviar_sms'))).to.have.length(0);
  });
});

/** Issue 14 item 4: a second copy by SMS or e-mail that timed out may have been sent. */
describe('ivr/self-service: a second copy that timed out may have been sent', function () {
  this.timeout(15000);
  let h: Harness;
  afterEach(() => h.close());

  async function identifiedCall(deadlineMs: number): Promise<void> {
    h = await startHarness({ selfService: { deadlineMs, dailyCapPerClient: 1 } });
    await h.call('hubsoft-identify', CARLOS_PHONE, 't1');
  }

  it('past selfService.deadlineMs: ok/pending (may take a few minutes), not sent again in the call, the cap kept', async () => {
    await identifiedCall(600);
    h.hubsoft.setDelay((path) => (path.endsWith('enviar_sms') ? 1200 : 0));
    expect(await h.call('hubsoft-second-copy', CARLOS_PHONE, 't1', 'sms')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'ok', HUBSOFT_SEGUNDA_VIA_REASON: 'pending', HUBSOFT_SEGUNDA_VIA_CANAL: 'sms' });
    expect(await h.call('hubsoft-second-copy', CARLOS_PHONE, 't1', 'sms')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'ok', HUBSOFT_SEGUNDA_VIA_REASON: 'pending' });
    await h.hubsoft.waitFor(() => h.hubsoft.selfService.sends.length === 1, 5000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await h.call('hubsoft-second-copy', CARLOS_PHONE, 't1', 'sms')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'denied', HUBSOFT_SEGUNDA_VIA_REASON: 'already_sent' });
    await h.call('hubsoft-identify', CARLOS_PHONE, 't2');
    expect(await h.call('hubsoft-second-copy', CARLOS_PHONE, 't2', 'email')).to.include({ HUBSOFT_SEGUNDA_VIA_REASON: 'daily_cap' });
    expect(h.hubsoft.requests.filter((r) => r.path.endsWith('/enviar_sms'))).to.have.length(1);
  });

  it("HubSoft's own timeout (hubsoft.requestTimeoutMs) on enviar_email: ok/pending, the cap kept, no second send", async () => {
    await identifiedCall(4000);
    h.hubsoft.setDelay((path) => (path.endsWith('enviar_email') ? 2500 : 0));
    expect(await h.call('hubsoft-second-copy', CARLOS_PHONE, 't1', 'email')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'ok', HUBSOFT_SEGUNDA_VIA_REASON: 'pending' });
    h.hubsoft.setDelay(0);
    expect(await h.call('hubsoft-second-copy', CARLOS_PHONE, 't1', 'email')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'ok', HUBSOFT_SEGUNDA_VIA_REASON: 'pending' });
    await h.call('hubsoft-identify', CARLOS_PHONE, 't2');
    expect(await h.call('hubsoft-second-copy', CARLOS_PHONE, 't2', 'sms')).to.include({ HUBSOFT_SEGUNDA_VIA_REASON: 'daily_cap' });
    expect(h.hubsoft.requests.filter((r) => r.path.endsWith('/enviar_email'))).to.have.length(1);
  });
});
