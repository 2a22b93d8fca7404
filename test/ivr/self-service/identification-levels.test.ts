import { expect } from 'chai';
import { startHarness, type Harness } from './harness.js';
import { capturingLogger } from '../../support/capturing-logger.js';

const CARLOS_PHONE = '37998001122';
const CARLOS_CPF = '12345678909';
/** A mobile that is no client's phone. */
const STRANGER = '11977776666';
const UNLOCK = '/desbloqueio_confianca';

/** Issue 13: caller ID vs a typed document, and what each may do. */
describe('ivr/self-service: identification levels (caller ID, document, confirmation)', () => {
  let h: Harness;
  afterEach(() => h.close());

  const unlocks = () => h.hubsoft.requests.filter((r) => r.path.endsWith(UNLOCK));
  const sendBodies = () => h.hubsoft.requests.filter((r) => /enviar_(sms|email)$/.test(r.path)).map((r) => r.body);

  it('an unregistered number that types a valid CPF: the invoice goes to the registered contacts only, and no unlock', async () => {
    h = await startHarness();
    expect(await h.call('hubsoft-identify', STRANGER, 'x1', CARLOS_CPF)).to.include({ HUBSOFT_IDENTIFICACAO_STATUS: 'ok', HUBSOFT_IDENTIFICADO_POR: 'documento', HUBSOFT_ALTERACOES: 'atendente' });
    expect(await h.call('hubsoft-second-copy', STRANGER, 'x1', 'sms')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'ok' });
    expect(await h.call('hubsoft-second-copy', STRANGER, 'x1', 'email')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'ok' });
    // HubSoft's enviar_sms / enviar_email bodies: no telefone_adicional, no email_adicional.
    expect(sendBodies()).to.deep.equal([{ id_fatura: 50949 }, { id_fatura: 50949 }]);
    expect(h.hubsoft.selfService.sends.map((s) => s.to)).to.deep.equal([[CARLOS_PHONE], ['carlos@example.com.br']]);

    expect(await h.call('hubsoft-unlock', STRANGER, 'x1')).to.include({ HUBSOFT_DESBLOQUEIO_STATUS: 'denied', HUBSOFT_DESBLOQUEIO_REASON: 'needs_caller_id' });
    // The confirmation digits do not help without caller ID: not even checked.
    expect(await h.call('hubsoft-confirm', STRANGER, 'x1', '123')).to.include({ HUBSOFT_CONFIRMACAO_STATUS: 'denied', HUBSOFT_CONFIRMACAO_REASON: 'needs_caller_id' });
    expect(await h.call('hubsoft-unlock', STRANGER, 'x1')).to.include({ HUBSOFT_DESBLOQUEIO_STATUS: 'denied', HUBSOFT_DESBLOQUEIO_REASON: 'needs_caller_id' });
    expect(unlocks()).to.have.length(0);
  });

  it('a caller identified by caller ID with the confirmation can unlock; without it cannot', async () => {
    h = await startHarness();
    await h.call('hubsoft-identify', CARLOS_PHONE, 'y1');
    expect(await h.call('hubsoft-unlock', CARLOS_PHONE, 'y1')).to.include({ HUBSOFT_DESBLOQUEIO_STATUS: 'denied', HUBSOFT_DESBLOQUEIO_REASON: 'not_confirmed' });
    expect(await h.call('hubsoft-confirm', CARLOS_PHONE, 'y1', '123')).to.include({ HUBSOFT_CONFIRMACAO_STATUS: 'ok', HUBSOFT_ALTERACOES: 'sim' });
    expect(await h.call('hubsoft-unlock', CARLOS_PHONE, 'y1')).to.include({ HUBSOFT_DESBLOQUEIO_STATUS: 'ok' });
    expect(unlocks()).to.have.length(1);
  });

  it('caller ID and the whole document typed (at identify or at confirm) is a confirmation', async () => {
    h = await startHarness();
    await h.call('hubsoft-identify', CARLOS_PHONE, 'w1');
    expect(await h.call('hubsoft-identify', CARLOS_PHONE, 'w1', CARLOS_CPF)).to.include({ HUBSOFT_IDENTIFICADO_POR: 'telefone', HUBSOFT_ALTERACOES: 'sim' });
    await h.call('hubsoft-identify', CARLOS_PHONE, 'w2');
    expect(await h.call('hubsoft-confirm', CARLOS_PHONE, 'w2', CARLOS_CPF)).to.include({ HUBSOFT_CONFIRMACAO_STATUS: 'ok' });
    expect(await h.call('hubsoft-protocol', CARLOS_PHONE, 'w2')).to.include({ HUBSOFT_PROTOCOLO_STATUS: 'ok' });
  });

  it('documentAloneForChanges: true lets a typed document alone unlock (off by default)', async () => {
    h = await startHarness({ selfService: { documentAloneForChanges: true } });
    expect(await h.call('hubsoft-identify', STRANGER, 'z1', CARLOS_CPF)).to.include({ HUBSOFT_ALTERACOES: 'sim', HUBSOFT_CONFIRMAR: '0' });
    expect(await h.call('hubsoft-unlock', STRANGER, 'z1')).to.include({ HUBSOFT_DESBLOQUEIO_STATUS: 'ok' });
  });

  it('protocolNeedsConfirmation: false gives any identified caller a protocol, still no unlock', async () => {
    h = await startHarness({ selfService: { protocolNeedsConfirmation: false } });
    await h.call('hubsoft-identify', STRANGER, 'q1', CARLOS_CPF);
    expect(await h.call('hubsoft-protocol', STRANGER, 'q1')).to.include({ HUBSOFT_PROTOCOLO_STATUS: 'ok' });
    expect(await h.call('hubsoft-unlock', STRANGER, 'q1')).to.include({ HUBSOFT_DESBLOQUEIO_REASON: 'needs_caller_id' });
  });

  it("smsToCallerMobile: true adds the caller's mobile only when identified by caller ID", async () => {
    h = await startHarness({ selfService: { smsToCallerMobile: true } });
    await h.call('hubsoft-identify', CARLOS_PHONE, 'm1');
    await h.call('hubsoft-second-copy', CARLOS_PHONE, 'm1', 'sms');
    await h.call('hubsoft-identify', STRANGER, 'm2', CARLOS_CPF);
    await h.call('hubsoft-second-copy', STRANGER, 'm2', 'sms');
    expect(sendBodies()).to.deep.equal([{ id_fatura: 50949, telefone_adicional: [CARLOS_PHONE] }, { id_fatura: 50949 }]);
  });

  it("logs every confirmation attempt with the caller's number, never the digits typed", async () => {
    const { logger, lines } = capturingLogger();
    h = await startHarness({ logger });
    await h.call('hubsoft-identify', CARLOS_PHONE, 'l1');
    await h.call('hubsoft-confirm', CARLOS_PHONE, 'l1', '987');
    await h.call('hubsoft-confirm', CARLOS_PHONE, 'l1', '123');
    const attempts = lines.filter((l) => String(l.msg).startsWith('self-service confirmation'));
    expect(attempts.map((l) => [l.caller, l.id_cliente, l.result])).to.deep.equal([
      [CARLOS_PHONE, 11208, 'wrong'],
      [CARLOS_PHONE, 11208, 'confirmed'],
    ]);
    const text = JSON.stringify(attempts.map(({ time: _t, pid: _p, hostname: _h, ...rest }) => rest));
    expect(text).not.to.match(/987|123(?!45)/);
  });
});
