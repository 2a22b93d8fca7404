import { expect } from 'chai';
import { silentLogger } from '../../src/log/logger.js';
import { CLIENTE_PATH, CustomerLookup } from '../../src/hubsoft/customers.js';
import { chooseClient, parseClient, PARSE_LIMITS } from '../../src/hubsoft/client-parse.js';
import type { ClientSummary } from '../../src/hubsoft/types.js';
import { startFakeHubsoft, type FakeHubsoft } from '../support/fake-hubsoft.js';
import { ANA, ANTIGO, JOAO, MARIA, PADARIA } from '../support/sample-clients.js';
import { fakeClock, testClient, testConfig, type ConfigOverrides } from './helpers.js';

describe('hubsoft/customers: caller lookup', () => {
  let fake: FakeHubsoft;
  const clock = fakeClock();
  beforeEach(async () => {
    fake = await startFakeHubsoft();
  });
  afterEach(() => fake.close());

  function makeLookup(overrides: ConfigOverrides = {}): CustomerLookup {
    const config = testConfig(fake, overrides);
    return new CustomerLookup({ client: testClient(config), config: config.lookup, logger: silentLogger(), now: clock.now });
  }
  const searches = (): string[] => fake.requests.filter((r) => r.path === `/${CLIENTE_PATH}`).map((r) => r.query.termo_busca!);

  it('finds the client whose phone is 37999912222 from the caller ID 037999912222', async () => {
    const result = await makeLookup().lookup('037999912222');
    expect(result.status).to.equal('found');
    expect(result.phone).to.equal('37999912222');
    expect(result.raw).to.equal('037999912222');
    expect(result.client?.id_cliente).to.equal(JOAO.id_cliente);
    expect(result.client?.codigo_cliente).to.equal(JOAO.codigo_cliente);
    expect(result.candidates).to.deep.equal(['37999912222']);
    const request = fake.requests.find((r) => r.path === `/${CLIENTE_PATH}`)!;
    expect(request.query).to.deep.equal({ busca: 'telefone', termo_busca: '37999912222', limit: '5' });
  });

  it('returns the alerts of the client', async () => {
    const result = await makeLookup().lookup('+5537988242968');
    expect(result.status).to.equal('found');
    expect(result.client?.alerta).to.equal(true);
    expect(result.client?.alerta_mensagens).to.deep.equal(MARIA.alerta_mensagens);
  });

  it('asks the first candidate, then the others at once, and keeps the first hit in order (old record without the 9th digit)', async () => {
    const result = await makeLookup().lookup('37988776655');
    expect(result.status).to.equal('found');
    expect(result.client?.id_cliente).to.equal(ANTIGO.id_cliente);
    expect(result.candidates).to.deep.equal(['37988776655', '3788776655']);
    await fake.waitFor((r) => r.filter((x) => x.path === `/${CLIENTE_PATH}`).length === 4);
    expect(searches()[0]).to.equal('37988776655');
    expect(searches().slice(1)).to.have.members(['3788776655', '037988776655', '988776655']);
  });

  it('stops after lookup.maxRequests terms', async () => {
    const result = await makeLookup({ lookup: { maxRequests: 2 } }).lookup('37911112222');
    expect(result.status).to.equal('notfound');
    expect(searches()).to.deep.equal(['37911112222', '3711112222']);
  });

  it('family phone: picks the single client with an enabled service', async () => {
    const result = await makeLookup().lookup('3732224444');
    expect(result.status).to.equal('found');
    expect(result.clients).to.have.length(2);
    expect(result.client?.id_cliente).to.equal(ANA.id_cliente);
  });

  it('two enabled clients on one phone: ambiguous, no client chosen', async () => {
    const result = await makeLookup().lookup('3133335555');
    expect(result.status).to.equal('ambiguous');
    expect(result.client).to.equal(null);
    expect(result.clients.map((c) => c.id_cliente)).to.include(PADARIA.id_cliente);
  });

  it('withheld caller IDs skip the lookup without a request', async () => {
    const result = await makeLookup().lookup('anonymous');
    expect(result.status).to.equal('skipped');
    expect(result.phone).to.equal(null);
    expect(fake.requests).to.have.length(0);
  });

  it('cache hit: the second lookup of a number makes no request', async () => {
    const lookup = makeLookup();
    await lookup.lookup('37999912222');
    const again = await lookup.lookup('+55 37 99991-2222');
    expect(again.status).to.equal('found');
    expect(again.raw).to.equal('+55 37 99991-2222');
    expect(fake.count(CLIENTE_PATH)).to.equal(1);
    expect(lookup.stats()).to.include({ hits: 1, misses: 1, size: 1 });
  });

  it('found answers expire after foundTtlSeconds', async () => {
    const lookup = makeLookup({ lookup: { foundTtlSeconds: 300 } });
    await lookup.lookup('37999912222');
    clock.advance(299_000);
    await lookup.lookup('37999912222');
    expect(fake.count(CLIENTE_PATH)).to.equal(1);
    clock.advance(2000);
    await lookup.lookup('37999912222');
    expect(fake.count(CLIENTE_PATH)).to.equal(2);
  });

  it('negative cache: "not found" is cached for notFoundTtlSeconds', async () => {
    const lookup = makeLookup({ lookup: { notFoundTtlSeconds: 60, maxRequests: 1 } });
    expect((await lookup.lookup('3730001111')).status).to.equal('notfound');
    expect((await lookup.lookup('3730001111')).status).to.equal('notfound');
    expect(fake.count(CLIENTE_PATH)).to.equal(1);
    clock.advance(61_000);
    await lookup.lookup('3730001111');
    expect(fake.count(CLIENTE_PATH)).to.equal(2);
  });

  it('single flight: concurrent lookups of one number share one request', async () => {
    const lookup = makeLookup();
    fake.setLookupDelay(40);
    const results = await Promise.all(['37999912222', '037999912222', '+5537999912222', '37999912222'].map((n) => lookup.lookup(n)));
    expect(results.map((r) => r.status)).to.deep.equal(['found', 'found', 'found', 'found']);
    expect(fake.count(CLIENTE_PATH)).to.equal(1);
  });

  it('errors are not cached: the next lookup asks again', async () => {
    const lookup = makeLookup();
    fake.failNext(1, 'status500');
    const failed = await lookup.lookup('37999912222');
    expect(failed.status).to.equal('error');
    expect(failed.reason).to.contain('500');
    expect(failed.candidates).to.deep.equal(['37999912222']);
    const ok = await lookup.lookup('37999912222');
    expect(ok.status).to.equal('found');
    expect(fake.count(CLIENTE_PATH)).to.equal(2);
  });

  it('HubSoft status "error" about something else than "no client" is an error, not "not found", and is not cached', async () => {
    const lookup = makeLookup();
    fake.failNext(1, 'status-error');
    const result = await lookup.lookup('37999912222');
    expect(result.status).to.equal('error');
    expect(result.reason).to.contain('Falha simulada');
    expect(lookup.stats().size).to.equal(0);
  });

  it('bounds the cache at lookup.cacheMaxKeys', async () => {
    const lookup = makeLookup({ lookup: { cacheMaxKeys: 3, maxRequests: 1 } });
    for (const n of ['3730001111', '3730001112', '3730001113', '3730001114', '3730001115']) await lookup.lookup(n);
    expect(lookup.stats().size).to.be.at.most(3);
  });
});

describe('hubsoft/client-parse: hostile payloads', () => {
  it('drops entries without a usable id_cliente', () => {
    for (const bad of [null, 'x', [], {}, { id_cliente: -1 }, { id_cliente: 'abc' }, { id_cliente: 1.5 }]) {
      expect(parseClient(bad)).to.equal(null);
    }
    expect(parseClient({ id_cliente: '42' })?.id_cliente).to.equal(42);
  });

  it('caps names, alert texts and the number of alerts; drops non-strings', () => {
    const client = parseClient({
      id_cliente: 1,
      nome_razaosocial: 'N'.repeat(5000),
      alerta: true,
      alerta_mensagens: ['a\u0000b\nc', 42, { x: 1 }, 'x'.repeat(5000), ...Array.from({ length: 50 }, (_, i) => `alerta ${i}`)],
      servicos: 'not a list',
    })!;
    expect(client.nome_razaosocial).to.have.length(PARSE_LIMITS.maxNameChars);
    expect(client.alerta_mensagens).to.have.length(PARSE_LIMITS.maxAlerts);
    expect(client.alerta_mensagens[0]).to.equal('a b c');
    expect(client.alerta_mensagens[1]).to.have.length(PARSE_LIMITS.maxAlertChars);
    expect(client.hasEnabledService).to.equal(false);
    expect(client.codigo_cliente).to.equal(null);
  });

  it('ambiguity rule: none, one, or several enabled', () => {
    const c = (id: number, enabled: boolean): ClientSummary => ({
      id_cliente: id,
      codigo_cliente: id,
      nome_razaosocial: `C${id}`,
      cpf_cnpj: null,
      alerta: false,
      alerta_mensagens: [],
      hasEnabledService: enabled,
    });
    expect(chooseClient([])).to.equal(null);
    expect(chooseClient([c(1, false)])).to.deep.include({ status: 'found' });
    expect(chooseClient([c(1, false), c(2, true)])?.client?.id_cliente).to.equal(2);
    expect(chooseClient([c(1, true), c(2, true)])?.status).to.equal('ambiguous');
    expect(chooseClient([c(1, false), c(2, false)])?.status).to.equal('ambiguous');
  });
});
