import { expect } from 'chai';
import { silentLogger } from '../../src/log/logger.js';
import { CallerContextSource, routeOf, serviceStatusOf } from '../../src/hubsoft/caller-context.js';
import { CLIENT_TICKETS_PATH, CLIENT_WORK_ORDERS_PATH } from '../../src/hubsoft/context-requests.js';
import { isBridgeError } from '../../src/errors.js';
import type { LookupResult } from '../../src/hubsoft/types.js';
import { startFakeHubsoft, type FakeHubsoft } from '../support/fake-hubsoft.js';
import { BEATRIZ, selfServiceClients } from '../support/sample-clients.js';
import { testClient, testConfig } from './helpers.js';

const found = (client: { id_cliente: number; codigo_cliente: number; nome_razaosocial: string; cpf_cnpj: string }, prefixes: string[]): LookupResult => ({
  status: 'found',
  raw: '',
  phone: null,
  candidates: [],
  clients: [],
  client: { ...client, alerta: false, alerta_mensagens: [], hasEnabledService: true, servicos_status_prefixo: prefixes },
});

describe('hubsoft/caller-context against the fake HubSoft (cliente/atendimento, cliente/ordem_servico)', () => {
  let fake: FakeHubsoft;
  beforeEach(async () => {
    fake = await startFakeHubsoft({ clients: selfServiceClients() });
  });
  afterEach(() => fake.close());

  it('the fake answers 422 to a busca or status off the doc tables, and status "error" for a search that names no client', async () => {
    const api = testClient(testConfig(fake));
    const refusal = async (path: string, query: Record<string, string>): Promise<string> => {
      try {
        await api.get(path, query);
        return 'accepted';
      } catch (error) {
        return isBridgeError(error) ? `${error.code}:${String(error.details.status ?? '')}` : String(error);
      }
    };
    expect(await refusal(CLIENT_TICKETS_PATH, { busca: 'telefone', termo_busca: '1' })).to.equal('HUBSOFT_HTTP:422');
    expect(await refusal(CLIENT_TICKETS_PATH, { busca: 'codigo_cliente' })).to.equal('HUBSOFT_HTTP:422');
    expect(await refusal(CLIENT_TICKETS_PATH, { busca: 'codigo_cliente', termo_busca: '429', apenas_pendente: 'talvez' })).to.equal('HUBSOFT_HTTP:422');
    expect(await refusal(CLIENT_WORK_ORDERS_PATH, { busca: 'codigo_cliente', termo_busca: '429', status: 'aberta' })).to.equal('HUBSOFT_HTTP:422');
    expect(await refusal(CLIENT_WORK_ORDERS_PATH, { busca: 'codigo_cliente', termo_busca: '429', limit: '51' })).to.equal('HUBSOFT_HTTP:422');
    expect((await refusal(CLIENT_TICKETS_PATH, { busca: 'codigo_cliente', termo_busca: '99999' })).startsWith('HUBSOFT_STATUS_ERROR')).to.equal(true);
    expect(await refusal(CLIENT_WORK_ORDERS_PATH, { busca: 'protocolo', termo_busca: '1' })).to.equal('HUBSOFT_HTTP:422');
  });

  it('one fetch per client at a time, cached for ttlSeconds: four GETs for two concurrent calls and a third one', async () => {
    const source = new CallerContextSource({ api: testClient(testConfig(fake)), config: { ttlSeconds: 60, cacheMaxKeys: 10, utcOffset: '-03:00' }, logger: silentLogger() });
    const result = found(BEATRIZ, ['servico_habilitado']);
    const [a, b] = await Promise.all([source.forCaller(result, 2000), source.forCaller(result, 2000)]);
    const c = await source.forCaller(result, 0);
    expect(a).to.deep.equal(b);
    expect(c).to.deep.equal(a);
    expect(a?.atendimentos?.total).to.equal(1);
    expect(a?.ordens_servico?.map((o) => [o.numero_ordem_servico, o.when])).to.deep.equal([['1250', 'amanha']]);
    expect(fake.requests.filter((r) => r.path.includes('/cliente/')).length).to.equal(4);
  });

  it('service status and route: blocked > overdue > visit-scheduled > open-ticket > normal', () => {
    expect(serviceStatusOf({ servicos_status_prefixo: ['servico_habilitado', 'servico_bloqueado'] })).to.equal('bloqueado');
    expect(serviceStatusOf({ servicos_status_prefixo: ['cancelado', 'suspenso_parcialmente'] })).to.equal('suspenso');
    expect(serviceStatusOf({ servicos_status_prefixo: ['cancelado'] })).to.equal('cancelado');
    expect(serviceStatusOf({ servicos_status_prefixo: ['aguardando_instalacao', 'cancelado'] })).to.equal('outro');
    expect(serviceStatusOf({})).to.equal(null);
    const base = { status_servico: 'habilitado' as const, atendimentos: { total: 1, newest: [] }, ordens_servico: [], faturas_vencidas: 0 };
    const visit = { numero_ordem_servico: '1', tipo: 'X', status: 'pendente' as const, data_inicio_programado: '', protocolo: null, scheduledAt: 1, digits: null, when: 'amanha' as const };
    expect(routeOf({ ...base, status_servico: 'suspenso', faturas_vencidas: 3 })).to.equal('blocked');
    expect(routeOf({ ...base, faturas_vencidas: 1, ordens_servico: [visit] })).to.equal('overdue');
    expect(routeOf({ ...base, ordens_servico: [visit] })).to.equal('visit-scheduled');
    expect(routeOf({ ...base, ordens_servico: [{ ...visit, status: 'aguardando_agendamento' }] })).to.equal('open-ticket');
    expect(routeOf({ ...base, ordens_servico: [{ ...visit, when: 'passado' }] })).to.equal('open-ticket');
    expect(routeOf({ ...base, atendimentos: { total: 0, newest: [] } })).to.equal('normal');
    expect(routeOf({ status_servico: null, atendimentos: null, ordens_servico: null, faturas_vencidas: null })).to.equal('normal');
  });
});
