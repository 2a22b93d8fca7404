import { expect } from 'chai';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/log/logger.js';
import { FAKE_GSAN_KEY, GSAN_PATH } from '../../support/fake-gsan.js';
import { startHarness, type Harness } from './harness.js';

describe('ivr/self-service: gsan-send-code over FastAGI against a fake GSAN', () => {
  let h: Harness;
  let logged = '';
  beforeEach(async () => {
    logged = '';
    const destination = new Writable({ write: (chunk: Buffer, _enc, done) => ((logged += chunk.toString()), done()) });
    h = await startHarness({ logger: createLogger({ level: 'trace', destination }), gsanTimeoutMs: 150 });
  });
  afterEach(() => h.close());

  it('validado S: ok, and GSAN got key, cpfCnpj and email', async () => {
    const vars = await h.call('gsan-send-code', '', 'g1', '123.456.789-09', 'carlos@example.com.br');
    expect(vars).to.include({ HUBSOFT_GSAN_STATUS: 'ok', HUBSOFT_GSAN_VALIDADO: 'S', HUBSOFT_GSAN_MSG: '' });
    expect(h.gsan.requests[0]).to.deep.equal({ path: GSAN_PATH, body: { key: FAKE_GSAN_KEY, cpfCnpj: '12345678909', email: 'carlos@example.com.br' } });
  });

  it('validado N with HTTP 200 (another e-mail on record): denied with mensagemCritica', async () => {
    const vars = await h.call('gsan-send-code', '', 'g2', '12345678909', 'outro@example.com');
    expect(vars).to.include({ HUBSOFT_GSAN_STATUS: 'denied', HUBSOFT_GSAN_VALIDADO: 'N', HUBSOFT_GSAN_REASON: 'not_validated' });
    expect(vars.HUBSOFT_GSAN_MSG).to.match(/^O cliente já possui um email cadastrado semelhante a car\*\*\*\*\*/);
  });

  it('validado N with HTTP 500 (sending failed): denied with mensagemCritica, not an error', async () => {
    h.gsan.failSending(true);
    const vars = await h.call('gsan-send-code', '', 'g3', '12345678909', 'carlos@example.com.br');
    expect(vars).to.include({ HUBSOFT_GSAN_STATUS: 'denied', HUBSOFT_GSAN_VALIDADO: 'N' });
    expect(vars.HUBSOFT_GSAN_MSG).to.match(/^Erro no envio do email!/);
  });

  it('a CPF with a wrong check digit never reaches GSAN', async () => {
    expect(await h.call('gsan-send-code', '', 'g4', '12345678900', 'carlos@example.com.br')).to.include({ HUBSOFT_GSAN_STATUS: 'denied', HUBSOFT_GSAN_REASON: 'invalid_document' });
    expect(await h.call('gsan-send-code', '', 'g5', '12345678909', 'not-an-email')).to.include({ HUBSOFT_GSAN_STATUS: 'denied', HUBSOFT_GSAN_REASON: 'invalid_email' });
    expect(h.gsan.requests).to.have.length(0);
  });

  it('GSAN slower than gsan.requestTimeoutMs: error, and the key is in no log line', async () => {
    h.gsan.setDelay(600);
    expect(await h.call('gsan-send-code', '', 'g6', '12345678909', 'carlos@example.com.br')).to.include({ HUBSOFT_GSAN_STATUS: 'error', HUBSOFT_GSAN_REASON: 'gsan_timeout' });
    expect(logged).to.include('GSAN_TIMEOUT');
    expect(logged).not.to.include(FAKE_GSAN_KEY);
  });
});
