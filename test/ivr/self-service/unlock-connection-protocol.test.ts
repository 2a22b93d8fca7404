import { expect } from 'chai';
import type { Tts } from '../../../src/ivr/tts.js';
import { fakeClock } from '../../hubsoft/helpers.js';
import { startHarness, type Harness } from './harness.js';

const CARLOS_PHONE = '37998001122';
const BEATRIZ_PHONE = '3732215000';

describe('ivr/self-service: hubsoft-unlock, hubsoft-connection, hubsoft-protocol over FastAGI', () => {
  let h: Harness;
  const clock = fakeClock(Date.UTC(2024, 2, 12, 15, 0, 0));
  const spoken: string[] = [];
  const tts: Tts = { soundFor: async (text) => (spoken.push(text), '/var/lib/hubsoft-pbx-bridge/sounds/abc') };
  beforeEach(async () => {
    spoken.length = 0;
    h = await startHarness({ now: clock.now, tts });
  });
  afterEach(() => h.close());

  async function confirmed(linkedid: string): Promise<void> {
    await h.call('hubsoft-identify', CARLOS_PHONE, linkedid);
    await h.call('hubsoft-confirm', CARLOS_PHONE, linkedid, '123');
  }

  it('unlocks the blocked service for the configured days', async () => {
    await confirmed('u1');
    const vars = await h.call('hubsoft-unlock', CARLOS_PHONE, 'u1');
    expect(vars).to.include({ HUBSOFT_DESBLOQUEIO_STATUS: 'ok', HUBSOFT_DESBLOQUEIO_DIAS: '1' });
    expect(vars.HUBSOFT_DESBLOQUEIO_MSG).to.match(/^Desbloqueio em confiança realizado com sucesso até a data \d{2}\/\d{2}\/\d{4}$/);
    expect(Number(vars.HUBSOFT_DESBLOQUEIO_ATE)).to.be.greaterThan(0);
    const post = h.hubsoft.requests.find((r) => r.path.endsWith('/desbloqueio_confianca'))!;
    expect(post.body).to.deep.equal({ id_cliente_servico: 11308, dias_desbloqueio: 1 });
  });

  it('HubSoft refusing more days than its rule allows: denied, its msg kept and spoken', async () => {
    await confirmed('u2');
    const vars = await h.call('hubsoft-unlock', CARLOS_PHONE, 'u2', '5');
    expect(vars).to.include({ HUBSOFT_DESBLOQUEIO_STATUS: 'denied', HUBSOFT_DESBLOQUEIO_REASON: 'refused', HUBSOFT_DESBLOQUEIO_MSG_SOM: '/var/lib/hubsoft-pbx-bridge/sounds/abc' });
    expect(vars.HUBSOFT_DESBLOQUEIO_MSG).to.match(/ultrapassa a configuração/);
    expect(spoken).to.deep.equal([vars.HUBSOFT_DESBLOQUEIO_MSG]);
    expect(h.hubsoft.selfService.unlocks).to.have.length(0);
  });

  it('identity confirmation wrong: no unlock', async () => {
    await h.call('hubsoft-identify', CARLOS_PHONE, 'u3');
    await h.call('hubsoft-confirm', CARLOS_PHONE, 'u3', '321');
    expect(await h.call('hubsoft-unlock', CARLOS_PHONE, 'u3')).to.include({ HUBSOFT_DESBLOQUEIO_STATUS: 'denied', HUBSOFT_DESBLOQUEIO_REASON: 'not_confirmed' });
    expect(h.hubsoft.requests.filter((r) => r.path.endsWith('/desbloqueio_confianca'))).to.have.length(0);
  });

  it('a client with no blocked service: notfound', async () => {
    await h.call('hubsoft-identify', BEATRIZ_PHONE, 'u4');
    await h.call('hubsoft-confirm', BEATRIZ_PHONE, 'u4', '987');
    expect(await h.call('hubsoft-unlock', BEATRIZ_PHONE, 'u4')).to.include({ HUBSOFT_DESBLOQUEIO_STATUS: 'notfound', HUBSOFT_DESBLOQUEIO_REASON: 'no_blocked_service' });
  });

  it('connection status: connected since, with ultima_conexao=sim', async () => {
    await h.call('hubsoft-identify', BEATRIZ_PHONE, 'n1');
    const vars = await h.call('hubsoft-connection', BEATRIZ_PHONE, 'n1');
    expect(vars).to.include({ HUBSOFT_CONEXAO_STATUS: 'ok', HUBSOFT_CONECTADO: '1', HUBSOFT_CONEXAO_DESDE: String(Date.parse('2024-03-11T18:22:24-03:00') / 1000) });
    expect(vars.HUBSOFT_CONEXAO_MSG).to.match(/^CONECTADO HÁ/);
    expect(h.hubsoft.requests.at(-1)!.query).to.include({ busca: 'codigo_cliente', termo_busca: '429', ultima_conexao: 'sim' });
  });

  it('connection status: disconnected since; no data at all is notfound', async () => {
    await h.call('hubsoft-identify', CARLOS_PHONE, 'n2');
    expect(await h.call('hubsoft-connection', CARLOS_PHONE, 'n2')).to.include({ HUBSOFT_CONEXAO_STATUS: 'ok', HUBSOFT_CONECTADO: '0', HUBSOFT_CONEXAO_DESDE: String(Date.parse('2024-03-10T00:05:00-03:00') / 1000) });
    await h.call('hubsoft-identify', '37999912222', 'n3');
    expect(await h.call('hubsoft-connection', '37999912222', 'n3')).to.include({ HUBSOFT_CONEXAO_STATUS: 'notfound', HUBSOFT_CONEXAO_REASON: 'no_connection_data' });
  });

  it('opens one atendimento per call and keeps the protocol by linkedid', async () => {
    await confirmed('p1');
    const first = await h.call('hubsoft-protocol', CARLOS_PHONE, 'p1', 'segunda via');
    expect(first.HUBSOFT_PROTOCOLO_STATUS).to.equal('ok');
    expect(first.HUBSOFT_PROTOCOLO).to.match(/^\d{15}$/);
    const again = await h.call('hubsoft-protocol', CARLOS_PHONE, 'p1');
    expect(again.HUBSOFT_PROTOCOLO).to.equal(first.HUBSOFT_PROTOCOLO);
    expect(h.hubsoft.selfService.atendimentos).to.have.length(1);
    const body = h.hubsoft.selfService.atendimentos[0]!.body;
    expect(body).to.include({ id_cliente_servico: 11308, nome: 'CARLOS EDUARDO LIMA', telefone: '37998001122', abrir_os: false });
    expect(String(body.descricao)).to.include('segunda via');
    expect(h.selfService.protocolFor('p1')).to.equal(first.HUBSOFT_PROTOCOLO);
    expect(h.selfService.protocolFor('other')).to.equal(null);
  });

  it('protocol: an account change, so caller ID and the confirmation (denied/not_confirmed, needs_caller_id)', async () => {
    await h.call('hubsoft-identify', CARLOS_PHONE, 'p3');
    expect(await h.call('hubsoft-protocol', CARLOS_PHONE, 'p3')).to.include({ HUBSOFT_PROTOCOLO_STATUS: 'denied', HUBSOFT_PROTOCOLO_REASON: 'not_confirmed' });
    await h.call('hubsoft-identify', '11977776666', 'p4', '12345678909');
    expect(await h.call('hubsoft-protocol', '11977776666', 'p4')).to.include({ HUBSOFT_PROTOCOLO_STATUS: 'denied', HUBSOFT_PROTOCOLO_REASON: 'needs_caller_id' });
    expect(h.hubsoft.selfService.atendimentos).to.have.length(0);
  });

  it('protocol for an unknown caller: denied/not_identified', async () => {
    expect(await h.call('hubsoft-protocol', '37991234567', 'p2')).to.include({ HUBSOFT_PROTOCOLO_STATUS: 'denied', HUBSOFT_PROTOCOLO_REASON: 'not_identified', HUBSOFT_PROTOCOLO: '' });
  });
});
