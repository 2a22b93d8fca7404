import { expect } from 'chai';
import fc from 'fast-check';
import { silentLogger } from '../../src/log/logger.js';
import { CLIENTE_PATH, CustomerLookup, type SearchOutcome, type SearchStrategy } from '../../src/hubsoft/customers.js';
import type { HubsoftClient } from '../../src/hubsoft/client.js';
import type { LookupResult } from '../../src/hubsoft/types.js';
import { startFakeHubsoft, type EmptySearchAnswer, type FakeHubsoft } from '../support/fake-hubsoft.js';
import { JOAO, sampleClients, type FakeClient } from '../support/sample-clients.js';
import { fakeClock, testClient, testConfig, type ConfigOverrides } from './helpers.js';

function client(id: number, phones: readonly string[], enabled = true): FakeClient {
  return {
    ...structuredClone(JOAO),
    id_cliente: id,
    codigo_cliente: id + 1000,
    nome_razaosocial: `CLIENTE ${id}`,
    cpf_cnpj: String(10_000_000_000 + id),
    telefone_primario: phones[0] ?? '',
    telefone_secundario: phones[1] ?? '',
    telefone_terciario: phones[2] ?? '',
    servicos: [{ id_cliente_servico: id + 5000, nome: 'FIBRA', status: enabled ? 'Serviço Habilitado' : 'Cancelado', status_prefixo: enabled ? 'servico_habilitado' : 'cancelado' }],
  };
}

describe('hubsoft/customers: the cold search (parallel terms, no-result answers, the caller\'s own number)', () => {
  let fake: FakeHubsoft;
  const clock = fakeClock();
  beforeEach(async () => {
    fake = await startFakeHubsoft();
  });
  afterEach(() => fake.close());

  function makeLookup(overrides: ConfigOverrides = {}, strategy?: SearchStrategy, onSearch?: (o: SearchOutcome, n: number) => void): CustomerLookup {
    const config = testConfig(fake, overrides);
    return new CustomerLookup({ client: testClient(config), config: config.lookup, logger: silentLogger(), now: clock.now, strategy, onSearch });
  }
  const searches = (): string[] => fake.requests.filter((r) => r.path === `/${CLIENTE_PATH}`).map((r) => r.query.termo_busca!);

  for (const answer of ['status-error', 'not-found-404'] as const) {
    it(`HubSoft answering an empty search with ${answer}: a later candidate still finds the client (stored 37999912222, calling as 3799912222)`, async () => {
      fake.setEmptySearchAnswer(answer);
      const result = await makeLookup().lookup('3799912222');
      expect(result.status).to.equal('found');
      expect(result.client?.id_cliente).to.equal(JOAO.id_cliente);
      expect(result.candidates).to.deep.equal(['3799912222', '37999912222']);
    });

    it(`HubSoft answering an empty search with ${answer}: an unknown caller is "notfound" and negative-cached`, async () => {
      fake.setEmptySearchAnswer(answer);
      const lookup = makeLookup();
      const first = await lookup.lookup('37911112222');
      expect(first.status).to.equal('notfound');
      expect(first.candidates).to.have.length(4);
      expect((await lookup.lookup('37911112222')).status).to.equal('notfound');
      expect(fake.count(CLIENTE_PATH)).to.equal(4);
      expect(lookup.stats()).to.include({ hits: 1, size: 1 });
    });
  }

  it('other error answers stay errors, named: a 422 with field errors, a 404 of a wrong URL, a status "error" about something else', async () => {
    fake.failNext(1, 'validation422');
    const invalid = await makeLookup().lookup('37999912222');
    expect(invalid.status).to.equal('error');
    expect(invalid.reason).to.match(/client search for 37999912222: HubSoft answered HTTP 422 .*\(fields: termo_busca\)/);

    const wrongUrl = await makeLookup({ hubsoft: { url: `${fake.url}/wrong` } }).lookup('37999912222');
    expect(wrongUrl.status).to.equal('error');
    expect(wrongUrl.reason).to.contain('HTTP 404');

    fake.failNext(1, 'status-error');
    const other = await makeLookup().lookup('37999912222');
    expect(other.status).to.equal('error');
    expect(other.reason).to.contain('Falha simulada');
  });

  it('never the wrong client: a caller whose last digits match a client in another area code is not that client', async () => {
    // The fake searches phones as a substring: the term 999912222 (no DDD) brings back the client in DDD 11.
    fake.setClients([client(1, ['11999912222'])]);
    const result = await makeLookup().lookup('37999912222');
    expect(searches()).to.include('999912222');
    expect(result.status).to.equal('notfound');
    expect(result.client).to.equal(null);
    expect(result.clients).to.deep.equal([]);
  });

  it('keeps only the clients having the caller\'s number among the ones a free-text term brings back', async () => {
    fake.setClients([client(1, ['11999912222']), client(2, ['', '999912222'], false), client(3, ['(37) 3221-8000'])]);
    // 999912222 stored without DDD reads as 37999912222 under lookup.defaultAreaCode 37.
    const local = await makeLookup().lookup('37999912222');
    expect(local.status).to.equal('found');
    expect(local.clients.map((c) => c.id_cliente)).to.deep.equal([2]);
    const other = await makeLookup().lookup('11999912222');
    expect(other.clients.map((c) => c.id_cliente)).to.deep.equal([1]);
    expect((await makeLookup().lookup('3221-8000')).client?.id_cliente).to.equal(3);
  });

  it('found on the first term: one request; unknown: the first term alone, then the other three at once', async () => {
    const counts: number[] = [];
    const lookup = makeLookup({}, undefined, (_o, n) => counts.push(n));
    expect((await lookup.lookup('37999912222')).status).to.equal('found');
    expect(fake.count(CLIENTE_PATH)).to.equal(1);

    fake.setLookupDelay(300);
    const unknown = lookup.lookup('37911112222');
    await fake.waitFor((r) => r.filter((x) => x.path === `/${CLIENTE_PATH}`).length === 2, 1000);
    // The other three follow the first answer (300 ms) together; one after another, the last would come at 900 ms.
    await fake.waitFor((r) => r.filter((x) => x.path === `/${CLIENTE_PATH}`).length === 5, 550);
    expect((await unknown).status).to.equal('notfound');
    expect(counts).to.deep.equal([1, 4]);
  });

  it('all-at-once asks every term in one round', async () => {
    const counts: number[] = [];
    const lookup = makeLookup({}, 'all-at-once', (_o, n) => counts.push(n));
    const result = await lookup.lookup('37999912222');
    expect(result.status).to.equal('found');
    expect(result.candidates).to.deep.equal(['37999912222']);
    expect(counts).to.deep.equal([4]);
  });

  it('an error on the first term is the lookup\'s error: the other terms are not asked, nothing is cached', async () => {
    const lookup = makeLookup();
    fake.failNext(1, 'status500');
    const failed = await lookup.lookup('37911112222');
    expect(failed.status).to.equal('error');
    expect(failed.candidates).to.deep.equal(['37911112222']);
    expect(fake.count(CLIENTE_PATH)).to.equal(1);
    expect(lookup.stats().size).to.equal(0);
  });
});

describe('hubsoft/customers: the parallel search chooses as the sequential one (property)', function () {
  this.timeout(60_000);
  let fake: FakeHubsoft;
  let api: HubsoftClient;
  let config: ReturnType<typeof testConfig>;
  before(async () => {
    fake = await startFakeHubsoft({ clients: sampleClients() });
    config = testConfig(fake);
    api = testClient(config);
  });
  after(() => fake.close());

  // Lines in two area codes with the same last digits, in the forms people type them.
  const lines = ['999912222', '99912222', '32218000', '988776655'];
  const forms = (ddd: string, local: string): string[] => {
    const eight = local.length === 9 ? local.slice(1) : local;
    const nine = local.length === 8 && /^[6-9]/.test(local) ? `9${local}` : local;
    return [`${ddd}${local}`, `${ddd}${eight}`, `${ddd}${nine}`, local, `0${ddd}${local}`, `(${ddd}) ${local.slice(0, -4)}-${local.slice(-4)}`];
  };
  const phonePool = lines.flatMap((l) => [...forms('37', l), ...forms('11', l)]);
  const callerPool = lines.flatMap((l) => [`37${l}`, `11${l}`, l, `+5537${l}`]);
  const clientSet = fc.array(fc.record({ phones: fc.array(fc.constantFrom(...phonePool, ''), { minLength: 1, maxLength: 3 }), enabled: fc.boolean() }), { maxLength: 8 });
  const shape = (r: LookupResult) => ({ status: r.status, client: r.client?.id_cliente ?? null, clients: r.clients.map((c) => c.id_cliente), candidates: r.candidates });

  it('same status, client, clients and terms for any client set sharing phones, caller and empty-search answer', async () => {
    await fc.assert(
      fc.asyncProperty(clientSet, fc.constantFrom(...callerPool), fc.constantFrom<EmptySearchAnswer>('empty-list', 'status-error', 'not-found-404'), async (set, caller, empty) => {
        fake.setClients(set.map((c, i) => client(i + 1, c.phones, c.enabled)));
        fake.setEmptySearchAnswer(empty);
        const run = (strategy: SearchStrategy) => new CustomerLookup({ client: api, config: config.lookup, logger: silentLogger(), strategy }).lookup(caller);
        const sequential = shape(await run('sequential'));
        expect(shape(await run('first-then-rest'))).to.deep.equal(sequential);
        expect(shape(await run('all-at-once'))).to.deep.equal(sequential);
        // Whatever was chosen has the caller's number (the sequential search included).
        expect(sequential.status).not.to.equal('error');
      }),
      { numRuns: 80, seed: 15 },
    );
  });
});
