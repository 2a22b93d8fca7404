import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tts } from '../../../src/ivr/tts.js';
import { fakeClock } from '../../hubsoft/helpers.js';
import { FAKE_CREDENTIALS } from '../../support/fake-hubsoft.js';
import { startHarness, type Harness } from './harness.js';

const BEATRIZ_PHONE = '3732215000';
const BEATRIZ_SERVICE = 11309;
const CARLOS_PHONE = '37998001122';
const ON = { resetMacEnabled: true, reconnectEnabled: true };

/** Issue 17 item 4: hubsoft-reset-mac (4.12) and hubsoft-reconnect (4.5), over FastAGI against the fake HubSoft. */
describe('ivr/self-service: self-fix (hubsoft-reset-mac, hubsoft-reconnect)', () => {
  let h: Harness | undefined;
  let dir: string;
  let clock = fakeClock(Date.UTC(2024, 2, 12, 15, 0, 0));
  const spoken: string[] = [];
  const tts: Tts = { soundFor: async (text) => (spoken.push(text), '/var/lib/hubsoft-pbx-bridge/sounds/refusal') };
  const start = async (selfService: Record<string, unknown> = ON, stateDir?: string): Promise<Harness> => {
    await h?.close();
    h = await startHarness({ now: clock.now, tts, selfService, ...(stateDir ? { stateDir } : {}) });
    return h;
  };
  const confirmed = async (harness: Harness, linkedid: string, phone = BEATRIZ_PHONE, digits = '987'): Promise<void> => {
    await harness.call('hubsoft-identify', phone, linkedid);
    expect(await harness.call('hubsoft-confirm', phone, linkedid, digits)).to.include({ HUBSOFT_CONFIRMACAO_STATUS: 'ok' });
  };
  const selfFixRequests = (harness: Harness) => harness.hubsoft.requests.filter((r) => /reset_mac_addr|solicitar_desconexao/.test(r.path));

  beforeEach(() => {
    spoken.length = 0;
    clock = fakeClock(Date.UTC(2024, 2, 12, 15, 0, 0));
    dir = mkdtempSync(join(tmpdir(), 'self-fix-'));
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('is off by default: denied/disabled for a confirmed caller, nothing asked of HubSoft', async () => {
    const a = await start({});
    await confirmed(a, 'off1');
    expect(await a.call('hubsoft-reset-mac', BEATRIZ_PHONE, 'off1')).to.include({ HUBSOFT_RESET_MAC_STATUS: 'denied', HUBSOFT_RESET_MAC_REASON: 'disabled' });
    expect(await a.call('hubsoft-reconnect', BEATRIZ_PHONE, 'off1')).to.include({ HUBSOFT_RECONEXAO_STATUS: 'denied', HUBSOFT_RECONEXAO_REASON: 'disabled' });
    expect(selfFixRequests(a)).to.have.length(0);
  });

  it('confirmed caller: reset MAC posts the enabled service id_cliente_servico; reconnect GETs solicitar_desconexao/<id>', async () => {
    const a = await start();
    await confirmed(a, 'f1');
    const reset = await a.call('hubsoft-reset-mac', BEATRIZ_PHONE, 'f1');
    expect(reset).to.include({ HUBSOFT_RESET_MAC_STATUS: 'ok', HUBSOFT_RESET_MAC_SERVICO: String(BEATRIZ_SERVICE), HUBSOFT_RESET_MAC_MSG: 'Endereço MAC resetado com sucesso!' });
    const reconnect = await a.call('hubsoft-reconnect', BEATRIZ_PHONE, 'f1');
    expect(reconnect).to.include({ HUBSOFT_RECONEXAO_STATUS: 'ok', HUBSOFT_RECONEXAO_SERVICO: String(BEATRIZ_SERVICE) });
    expect(reconnect.HUBSOFT_RECONEXAO_MSG).to.match(/^A desconexão foi bem sucedida para o login /);
    const [post, get] = selfFixRequests(a);
    expect(post).to.include({ method: 'POST', path: '/api/v1/integracao/cliente/reset_mac_addr' });
    expect(post!.body).to.deep.equal({ id_cliente_servico: BEATRIZ_SERVICE });
    expect(get).to.include({ method: 'GET', path: `/api/v1/integracao/cliente/solicitar_desconexao/${BEATRIZ_SERVICE}` });
    expect(a.hubsoft.selfFix.selfFixes).to.deep.equal([
      { route: 'reset_mac', id_cliente_servico: BEATRIZ_SERVICE },
      { route: 'desconexao', id_cliente_servico: BEATRIZ_SERVICE },
    ]);
  });

  it('never runs for a caller who failed the CPF check, was not asked, or typed the document only', async () => {
    const a = await start();
    await a.call('hubsoft-identify', BEATRIZ_PHONE, 'w1');
    expect(await a.call('hubsoft-reset-mac', BEATRIZ_PHONE, 'w1')).to.include({ HUBSOFT_RESET_MAC_STATUS: 'denied', HUBSOFT_RESET_MAC_REASON: 'not_confirmed' });
    expect(await a.call('hubsoft-confirm', BEATRIZ_PHONE, 'w1', '111')).to.include({ HUBSOFT_CONFIRMACAO_REASON: 'wrong_digits' });
    expect(await a.call('hubsoft-reset-mac', BEATRIZ_PHONE, 'w1')).to.include({ HUBSOFT_RESET_MAC_STATUS: 'denied', HUBSOFT_RESET_MAC_REASON: 'not_confirmed' });
    expect(await a.call('hubsoft-reconnect', BEATRIZ_PHONE, 'w1')).to.include({ HUBSOFT_RECONEXAO_STATUS: 'denied', HUBSOFT_RECONEXAO_REASON: 'not_confirmed' });
    // Identified by the CPF typed, from another number: an agent's job.
    await a.call('hubsoft-identify', '31999990000', 'w2', '98765432100');
    expect(await a.call('hubsoft-reconnect', '31999990000', 'w2')).to.include({ HUBSOFT_RECONEXAO_STATUS: 'denied', HUBSOFT_RECONEXAO_REASON: 'needs_caller_id' });
    expect(selfFixRequests(a)).to.have.length(0);
  });

  it('a failed confirmation blocks it even where caller ID alone would do (confirmIdentity: false)', async () => {
    const b = await start({ ...ON, confirmIdentity: false });
    await b.call('hubsoft-identify', BEATRIZ_PHONE, 'w4');
    b.selfService.calls.get('w4').confirmFailures = 1; // a wrong try saved before the key changed
    expect(await b.call('hubsoft-reset-mac', BEATRIZ_PHONE, 'w4')).to.include({ HUBSOFT_RESET_MAC_STATUS: 'denied', HUBSOFT_RESET_MAC_REASON: 'confirmation_failed' });
    expect(selfFixRequests(b)).to.have.length(0);
  });

  it('HubSoft refuses a service without authentication data: denied/refused with its msg spoken, the URA falls back to an agent', async () => {
    const a = await start();
    a.hubsoft.selfFix.withoutAuthentication.add(BEATRIZ_SERVICE);
    await confirmed(a, 'r1');
    const reset = await a.call('hubsoft-reset-mac', BEATRIZ_PHONE, 'r1');
    expect(reset).to.include({
      HUBSOFT_RESET_MAC_STATUS: 'denied',
      HUBSOFT_RESET_MAC_REASON: 'refused',
      HUBSOFT_RESET_MAC_MSG: 'O serviço informado não possui dados de autenticação.',
      HUBSOFT_RESET_MAC_MSG_SOM: '/var/lib/hubsoft-pbx-bridge/sounds/refusal',
    });
    const reconnect = await a.call('hubsoft-reconnect', BEATRIZ_PHONE, 'r1');
    expect(reconnect).to.include({ HUBSOFT_RECONEXAO_STATUS: 'denied', HUBSOFT_RECONEXAO_REASON: 'refused' });
    expect(spoken).to.deep.equal([reset.HUBSOFT_RESET_MAC_MSG, reconnect.HUBSOFT_RECONEXAO_MSG]);
    expect(a.hubsoft.selfFix.selfFixes).to.have.length(0);
  });

  it('is capped per service per day, and the cap holds across a restart; the next Sao Paulo day starts again', async () => {
    const caps = { ...ON, resetMacPerServicePerDay: 1, reconnectsPerServicePerDay: 1 };
    let a = await start(caps, dir);
    await confirmed(a, 'c1');
    expect(await a.call('hubsoft-reset-mac', BEATRIZ_PHONE, 'c1')).to.include({ HUBSOFT_RESET_MAC_STATUS: 'ok' });
    expect(await a.call('hubsoft-reconnect', BEATRIZ_PHONE, 'c1')).to.include({ HUBSOFT_RECONEXAO_STATUS: 'ok' });
    expect(await a.call('hubsoft-reset-mac', BEATRIZ_PHONE, 'c1')).to.include({ HUBSOFT_RESET_MAC_STATUS: 'denied', HUBSOFT_RESET_MAC_REASON: 'daily_cap' });

    a = await start(caps, dir);
    await confirmed(a, 'c2');
    expect(await a.call('hubsoft-reset-mac', BEATRIZ_PHONE, 'c2')).to.include({ HUBSOFT_RESET_MAC_STATUS: 'denied', HUBSOFT_RESET_MAC_REASON: 'daily_cap' });
    expect(await a.call('hubsoft-reconnect', BEATRIZ_PHONE, 'c2')).to.include({ HUBSOFT_RECONEXAO_STATUS: 'denied', HUBSOFT_RECONEXAO_REASON: 'daily_cap' });
    expect(selfFixRequests(a)).to.have.length(0);

    clock.advance(12 * 3600 * 1000 + 1000); // past 00:00 in Sao Paulo
    a = await start(caps, dir);
    await confirmed(a, 'c3');
    expect(await a.call('hubsoft-reset-mac', BEATRIZ_PHONE, 'c3')).to.include({ HUBSOFT_RESET_MAC_STATUS: 'ok' });
  });

  it('acts on the client\'s service that is not cancelled when none is enabled', async () => {
    const a = await start();
    await confirmed(a, 's1', CARLOS_PHONE, '123');
    expect(await a.call('hubsoft-reset-mac', CARLOS_PHONE, 's1')).to.include({ HUBSOFT_RESET_MAC_STATUS: 'ok', HUBSOFT_RESET_MAC_SERVICO: '11308' });
  });

  it('the fake checks the attribute tables: 422 naming the field, 404 for an unknown path id', async () => {
    const a = await start();
    const token = await fetch(`${a.hubsoft.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', client_id: FAKE_CREDENTIALS.clientId, client_secret: FAKE_CREDENTIALS.clientSecret, username: FAKE_CREDENTIALS.username, password: FAKE_CREDENTIALS.password }),
    }).then(async (r) => ((await r.json()) as { access_token: string }).access_token);
    const ask = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${a.hubsoft.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      return { status: r.status, body: (await r.json()) as { errors?: Record<string, unknown> } };
    };
    const fields = (answer: { body: { errors?: Record<string, unknown> } }) => Object.keys(answer.body.errors ?? {});
    expect(fields(await ask('POST', '/api/v1/integracao/cliente/reset_mac_addr', {}))).to.deep.equal(['id_cliente_servico']);
    const bad = await ask('POST', '/api/v1/integracao/cliente/reset_mac_addr', { id_cliente_servico: 'abc' });
    expect(bad.status).to.equal(422);
    expect((await ask('GET', '/api/v1/integracao/cliente/solicitar_desconexao/0')).status).to.equal(422);
    expect((await ask('GET', '/api/v1/integracao/cliente/solicitar_desconexao/999999')).status).to.equal(404);
    expect((await ask('PUT', '/api/v1/integracao/atendimento/999', { fechar_atendimento: false, parametros: {} })).status).to.equal(404);
    await confirmed(a, 'v1');
    await a.call('hubsoft-protocol', BEATRIZ_PHONE, 'v1');
    const id = a.hubsoft.selfService.atendimentos[0]!.id_atendimento;
    const edit = `/api/v1/integracao/atendimento/${id}`;
    expect(fields(await ask('PUT', edit, { parametros: {} }))).to.deep.equal(['fechar_atendimento']);
    expect(fields(await ask('PUT', edit, { fechar_atendimento: 'sim', parametros: {} }))).to.deep.equal(['fechar_atendimento']);
    expect(fields(await ask('PUT', edit, { fechar_atendimento: true }))).to.deep.equal(['parametros']);
    expect(fields(await ask('PUT', edit, { fechar_atendimento: true, parametros: [1] }))).to.deep.equal(['parametros']);
    expect(a.hubsoft.selfFix.ticketEdits).to.have.length(0);
    expect((await ask('PUT', edit, { fechar_atendimento: true, parametros: { url_ligacao: 'https://pbx.example/rec/1.wav' } })).status).to.equal(200);
    expect(a.hubsoft.selfFix.ticketEdits).to.deep.equal([{ id_atendimento: id, fechar_atendimento: true, parametros: { url_ligacao: 'https://pbx.example/rec/1.wav' } }]);
  });
});
