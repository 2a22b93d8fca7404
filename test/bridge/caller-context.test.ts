import { expect } from 'chai';
import { AmiScript } from '../support/ami-script.js';
import { startHarness, until, type Harness } from '../support/bridge-harness.js';
import { CONTEXT_QUERY_FIELDS, CONTEXT_ROUTES } from '../support/fake-hubsoft-context.js';
import { FakeAgiClient } from '../support/fake-agi-client.js';
import { BEATRIZ, CARLOS, selfServiceClients } from '../support/sample-clients.js';
import { brDay, hostileContext, visitTomorrow } from '../support/sample-context.js';
import { asTranscript } from '../reliability/support/calls.js';

const FINANCEIRO = '/api/v1/integracao/cliente/financeiro';
const FINANCEIRO_FIELDS = ['busca', 'termo_busca', 'limit', 'apenas_pendente', 'order_by', 'order_type', 'data_inicio', 'data_fim'];
const CONTEXT_PATHS: string[] = [...Object.values(CONTEXT_ROUTES), FINANCEIRO];

/** One inbound call from `from` ringing 1001 until the dial times out; returns the trunk channel's name. */
async function missedCall(harness: Harness, from: string, startEpoch: number): Promise<string> {
  const s = new AmiScript({ startEpoch, noise: false, firstUniqueid: startEpoch % 1000 });
  const call = s.inboundCall({ from, did: '3732220001', at: 0 });
  call.goto('ext-local', '1001', 'Chamada para 1001');
  const dial = call.dial(['1001']);
  call.wait(300);
  dial.timeout();
  call.endInDialplan();
  await harness.play(asTranscript(s.drain()));
  await harness.settle();
  const channel = call.origin.name;
  // The alert push runs beside the notify: HUBSOFT_LOOKUP is its last variable.
  await until(() => harness.ami.variables.some((v) => v.channel === channel && v.variable === 'HUBSOFT_LOOKUP'), 5000, 'HUBSOFT_LOOKUP');
  return channel;
}

function variablesOn(harness: Harness, channel: string): Map<string, string> {
  return new Map(harness.ami.variables.filter((v) => v.channel === channel).map((v) => [v.variable, v.value]));
}

describe('caller context at call entry (fake Asterisk over TCP -> bridge -> fake HubSoft over HTTP)', function () {
  this.timeout(15_000);
  let harness: Harness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('a caller with one open ticket and a visit tomorrow at 10 gets the variables on the trunk channel, and the notify carries the protocol and the work order', async () => {
    harness = await startHarness({ fakeHubsoft: { clients: selfServiceClients() } });
    const expected = visitTomorrow(BEATRIZ);
    const channel = await missedCall(harness, BEATRIZ.telefone_primario, 1796000000);

    const vars = variablesOn(harness, channel);
    const [day, month, year] = brDay(Date.now(), 1).split('/').map(Number) as [number, number, number];
    expect(Object.fromEntries(vars)).to.include({
      HUBSOFT_ATENDIMENTOS: '1',
      HUBSOFT_PROTOCOLO_ABERTO: expected.tickets[0]!.protocolo,
      HUBSOFT_OS_NUMERO: '1250',
      HUBSOFT_OS_TIPO: 'SUPORTE - VISITA TÉCNICA',
      HUBSOFT_OS_STATUS: 'pendente',
      HUBSOFT_OS_DATA: String(Date.UTC(year, month - 1, day, 13, 0, 0) / 1000),
      HUBSOFT_OS_DATA_DIGITOS: `${brDay(Date.now(), 1).replace(/\//g, '')}1000`,
      HUBSOFT_OS_QUANDO: 'amanha',
      HUBSOFT_SERVICO_STATUS: 'habilitado',
      HUBSOFT_FATURAS_VENCIDAS: '0',
      HUBSOFT_ROUTE: 'visit-scheduled',
    });
    const onChannel = harness.ami.variables.filter((v) => v.channel === channel);
    expect(onChannel.at(-1)).to.deep.include({ variable: 'HUBSOFT_LOOKUP', value: 'found' });
    expect(harness.ami.variables.every((v) => v.channel === channel)).to.equal(true);

    const [notify, cancel] = harness.pbxRequests();
    expect(notify?.route).to.equal('notificar');
    const params = notify!.body.ligacao_params as Record<string, unknown>;
    expect(params.atendimentos_abertos).to.deep.equal([expected.tickets[0]!.protocolo]);
    expect(params.ordem_servico).to.deep.equal([
      { numero_ordem_servico: '1250', tipo: 'SUPORTE - VISITA TÉCNICA', status: 'pendente', data_inicio_programado: `${brDay(Date.now(), 1)} 10:00:00` },
    ]);
    expect(params.status_servico).to.equal('habilitado');
    expect(cancel?.body).to.deep.equal(notify!.body, 'the cancel repeats its notify');
  });

  it('every context request sends only the attributes its doc table lists, with values the fake accepts', async () => {
    harness = await startHarness({ fakeHubsoft: { clients: selfServiceClients() } });
    await missedCall(harness, BEATRIZ.telefone_primario, 1796000100);
    const asked = harness.hubsoft.requests.filter((r) => CONTEXT_PATHS.includes(r.path));
    expect(asked.map((r) => r.path).sort()).to.deep.equal([CONTEXT_ROUTES.cliente_atendimento, ...Array(2).fill(CONTEXT_ROUTES.cliente_ordem_servico), FINANCEIRO].sort());
    for (const request of asked) {
      const allowed = request.path === FINANCEIRO ? FINANCEIRO_FIELDS : request.path.endsWith('/atendimento') ? CONTEXT_QUERY_FIELDS.cliente_atendimento : CONTEXT_QUERY_FIELDS.cliente_ordem_servico;
      expect(Object.keys(request.query).filter((k) => !allowed.includes(k)), request.path).to.deep.equal([]);
      expect(request.query).to.include({ busca: 'codigo_cliente', termo_busca: String(BEATRIZ.codigo_cliente) });
    }
    const statuses = asked.filter((r) => r.path.endsWith('/ordem_servico')).map((r) => r.query.status).sort();
    expect(statuses).to.deep.equal(['aguardando_agendamento', 'pendente']);
    // The bridge read the answers (the fake answers 422 or status "error" to anything off the tables).
    expect(variablesOn(harness, harness.ami.variables[0]!.channel!).get('HUBSOFT_ATENDIMENTOS')).to.equal('1');
  });

  it('a blocked caller with overdue invoices gets HUBSOFT_ROUTE=blocked (blocked before overdue)', async () => {
    harness = await startHarness({ fakeHubsoft: { clients: selfServiceClients() } });
    const channel = await missedCall(harness, CARLOS.telefone_primario, 1796000200);
    const vars = variablesOn(harness, channel);
    expect(Object.fromEntries(vars)).to.include({ HUBSOFT_SERVICO_STATUS: 'bloqueado', HUBSOFT_FATURAS_VENCIDAS: '2', HUBSOFT_ATENDIMENTOS: '0', HUBSOFT_ROUTE: 'blocked' });
    expect(vars.has('HUBSOFT_OS_TIPO')).to.equal(false);
    const params = harness.pbxRequests()[0]!.body.ligacao_params as Record<string, unknown>;
    expect(params).to.include({ status_servico: 'bloqueado' });
    expect(params).not.to.have.property('atendimentos_abertos');
    expect(params).not.to.have.property('ordem_servico');
  });

  it('a HubSoft that times out on the context endpoints still gives the notify within lookup.budgetMs, without context', async () => {
    const budgetMs = 400;
    harness = await startHarness({ fakeHubsoft: { clients: selfServiceClients() }, config: { lookup: { budgetMs } } });
    harness.hubsoft.setDelay((path) => (CONTEXT_PATHS.includes(path) ? 10_000 : 0));
    const started = Date.now();
    const channel = await missedCall(harness, BEATRIZ.telefone_primario, 1796000300);
    const notifyAt = harness.hubsoft.requests.find((r) => r.path.endsWith('/notificar'))!.at;
    expect(notifyAt - started).to.be.below(budgetMs + 250);
    const params = harness.pbxRequests()[0]!.body.ligacao_params as Record<string, unknown>;
    expect(params).not.to.have.property('atendimentos_abertos');
    expect(params).not.to.have.property('ordem_servico');
    // Known from the lookup itself.
    expect(params).to.include({ status_servico: 'habilitado' });
    const vars = variablesOn(harness, channel);
    expect(vars.get('HUBSOFT_LOOKUP')).to.equal('found');
    expect(vars.has('HUBSOFT_ATENDIMENTOS')).to.equal(false);
    expect(vars.has('HUBSOFT_FATURAS_VENCIDAS')).to.equal(false);
    expect(vars.get('HUBSOFT_ROUTE')).to.equal('normal');
    const lookupSetAt = harness.ami.actions.find((a) => a.fields.Variable === 'HUBSOFT_LOOKUP');
    expect(lookupSetAt).to.not.equal(undefined);
  });

  it('hostile ticket and work-order texts (CR/LF, bare LF) cannot inject an AMI header or action', async () => {
    harness = await startHarness({ fakeHubsoft: { clients: selfServiceClients() } });
    harness.hubsoft.setContext(BEATRIZ.id_cliente, hostileContext(BEATRIZ));
    const channel = await missedCall(harness, BEATRIZ.telefone_primario, 1796000400);
    const actions = harness.ami.actions.map((a) => a.action.toLowerCase());
    expect(actions.filter((a) => !['login', 'events', 'ping', 'coreshowchannels', 'setvar'].includes(a))).to.deep.equal([]);
    const setvars = harness.ami.actions.filter((a) => a.action.toLowerCase() === 'setvar');
    for (const a of setvars) {
      expect(Object.keys(a.fields).sort()).to.deep.equal(['Action', 'ActionID', 'Channel', 'Value', 'Variable']);
      expect(a.fields.Channel).to.equal(channel);
      expect(String(a.fields.Value)).not.to.match(/[\r\n]/);
    }
    const vars = variablesOn(harness, channel);
    expect(vars.get('HUBSOFT_OS_TIPO')).to.equal('SUPORTE Action: Originate Channel: Local/666@default');
    // Protocols are cut to 30 characters (context-requests.ts), on one line like every value.
    expect(vars.get('HUBSOFT_PROTOCOLO_ABERTO')).to.equal('2024 Action: Hangup Channel: P');
    expect(vars.get('HUBSOFT_LOOKUP')).to.equal('found');
  });

  it('FastAGI hubsoft-lookup sets the same context variables, HUBSOFT_LOOKUP last', async () => {
    harness = await startHarness({ fakeHubsoft: { clients: selfServiceClients() }, config: { agi: { enabled: true, port: 0 } } });
    const port = harness.daemon.listenAddresses().agi!.port;
    const agi = await FakeAgiClient.connect(port, FakeAgiClient.environment('hubsoft-lookup', BEATRIZ.telefone_primario, '1796000500.1'));
    await agi.finished;
    const sets = agi.commands.filter((c) => c.startsWith('SET VARIABLE '));
    expect(sets).to.include('SET VARIABLE HUBSOFT_ROUTE "visit-scheduled"');
    expect(sets).to.include('SET VARIABLE HUBSOFT_OS_QUANDO "amanha"');
    expect(sets).to.include('SET VARIABLE HUBSOFT_ATENDIMENTOS "1"');
    expect(sets.at(-1)).to.equal('SET VARIABLE HUBSOFT_LOOKUP "found"');
  });
});
