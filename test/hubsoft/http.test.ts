import { expect } from 'chai';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { isBridgeError, type BridgeError } from '../../src/errors.js';
import { CLIENTE_PATH, CustomerLookup } from '../../src/hubsoft/customers.js';
import { MAX_RESPONSE_BYTES } from '../../src/hubsoft/http.js';
import { silentLogger } from '../../src/log/logger.js';
import { NOTIFY_PATH } from '../../src/hubsoft/pbx.js';
import { HUGE_ANSWER_BYTES, startFakeHubsoft, type FakeHubsoft } from '../support/fake-hubsoft.js';
import { testClient, testConfig } from './helpers.js';

const search = { busca: 'telefone', termo_busca: '37999912222', limit: 5 };
const notify = { ramal: '111', telefone: '37999912222' };

async function failure(promise: Promise<unknown>): Promise<BridgeError> {
  try {
    await promise;
  } catch (error) {
    if (isBridgeError(error)) return error;
    throw error;
  }
  throw new Error('expected a BridgeError');
}

/** No secret or token in what an error carries. */
function expectClean(error: BridgeError, client: { auth: { authorization(): Promise<string> } }, token: string): void {
  const text = `${error.message} ${JSON.stringify(error.details)} ${String(error.stack)}`;
  expect(text).not.to.contain(token.replace(/^Bearer /, ''));
  expect(text.toLowerCase()).not.to.contain('authorization: bearer');
  expect(error.cause).to.equal(undefined);
  void client;
}

describe('hubsoft/http: timeouts, retries and error mapping', () => {
  let fake: FakeHubsoft;
  beforeEach(async () => {
    fake = await startFakeHubsoft();
  });
  afterEach(() => fake.close());

  it('sends Accept: application/json and returns the body', async () => {
    const client = testClient(testConfig(fake));
    const body = await client.get(CLIENTE_PATH, search);
    expect(body.status).to.equal('success');
    expect(Array.isArray(body.clientes)).to.equal(true);
    expect(fake.requests.map((r) => r.accept)).to.deep.equal(['application/json', 'application/json']);
  });

  it('HTTP 200 with status "error" gives HUBSOFT_STATUS_ERROR keeping msg', async () => {
    const client = testClient(testConfig(fake));
    fake.failNext(1, 'status-error');
    const error = await failure(client.post(NOTIFY_PATH, notify));
    expect(error.code).to.equal('HUBSOFT_STATUS_ERROR');
    expect(error.details.msg).to.equal('Falha simulada pelo HubSoft falso');
    expect(error.message).to.contain('Falha simulada pelo HubSoft falso');
  });

  it('an HTML 502 from a proxy gives HUBSOFT_BAD_RESPONSE with the status and the start of the page', async () => {
    const client = testClient(testConfig(fake));
    const token = await client.auth.authorization();
    fake.failNext(1, 'html502');
    const error = await failure(client.post(NOTIFY_PATH, notify));
    expect(error.code).to.equal('HUBSOFT_BAD_RESPONSE');
    expect(error.details.status).to.equal(502);
    expect(error.message).to.contain('502 Bad Gateway');
    expect(String(error.details.snippet).length).to.be.at.most(80);
    expectClean(error, client, token);
  });

  it('POSTs are never retried; GETs are retried on 502/503 and network resets', async () => {
    const client = testClient(testConfig(fake, { hubsoft: { retries: 2 } }));
    fake.failNext(1, 'html502');
    await failure(client.post(NOTIFY_PATH, notify));
    expect(fake.count(NOTIFY_PATH)).to.equal(1);

    fake.failNext(1, 'html502');
    fake.failNext(1, 'reset');
    const body = await client.get(CLIENTE_PATH, search);
    expect(body.status).to.equal('success');
    expect(fake.count(CLIENTE_PATH)).to.equal(3);
  });

  it('a GET that keeps failing gives up after hubsoft.retries', async () => {
    const client = testClient(testConfig(fake, { hubsoft: { retries: 1 } }));
    fake.failNext(5, 'status503');
    const error = await failure(client.get(CLIENTE_PATH, search));
    expect(error.code).to.equal('HUBSOFT_HTTP');
    expect(error.details.status).to.equal(503);
    expect(fake.count(CLIENTE_PATH)).to.equal(2);
  });

  it('a 500 with a JSON body gives HUBSOFT_HTTP with the status', async () => {
    const client = testClient(testConfig(fake));
    fake.failNext(1, 'status500');
    const error = await failure(client.post(NOTIFY_PATH, notify));
    expect(error.code).to.equal('HUBSOFT_HTTP');
    expect(error.details.status).to.equal(500);
    expect(error.message).to.contain('Server Error');
  });

  it('a server that never answers gives HUBSOFT_TIMEOUT within requestTimeoutMs', async () => {
    const client = testClient(testConfig(fake, { hubsoft: { requestTimeoutMs: 150 } }));
    const token = await client.auth.authorization();
    fake.failNext(1, 'timeout');
    const error = await failure(client.post(NOTIFY_PATH, notify));
    expect(error.code).to.equal('HUBSOFT_TIMEOUT');
    expect(error.message).to.contain('requestTimeoutMs');
    expectClean(error, client, token);
  });

  it('a closed port gives HUBSOFT_UNREACHABLE', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const client = testClient(testConfig({ url: `http://127.0.0.1:${port}` }));
    const error = await failure(client.get(CLIENTE_PATH, search));
    expect(error.code).to.equal('HUBSOFT_UNREACHABLE');
    expect(error.message).to.contain('ECONNREFUSED');
    expect(error.message).not.to.contain('fake-Senha');
  });

  it('a validation error (422 with status "error") keeps HubSoft msg and the status', async () => {
    const client = testClient(testConfig(fake));
    const error = await failure(client.post(NOTIFY_PATH, { telefone: '37999912222' }));
    expect(error.code).to.equal('HUBSOFT_HTTP');
    expect(error.details.status).to.equal(422);
    expect(error.details.msg).to.contain('ramal');
  });

  it('lookups answered with a body over the size cap fail cleanly (HUBSOFT_BAD_RESPONSE) and memory stays bounded', async function () {
    this.timeout(30_000);
    const config = testConfig(fake);
    const client = testClient(config);
    await client.auth.authorization();
    const lookup = new CustomerLookup({ client, config: config.lookup, logger: silentLogger() });
    const callers = 20;
    fake.failNext(callers, 'huge');
    // 20 answers of 20 MB read whole would be >= 400 MB; at the 1 MB cap each stops at about 1 MB.
    const heapBefore = process.memoryUsage().heapUsed;
    let peak = heapBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 2);
    const results = await Promise.all(Array.from({ length: callers }, (_, i) => lookup.lookup(`3799990${String(i).padStart(4, '0')}`))).finally(() => clearInterval(sampler));
    for (const result of results) {
      expect(result.status).to.equal('error');
      expect(result.reason).to.contain(`body over ${MAX_RESPONSE_BYTES} bytes`);
    }
    expect(HUGE_ANSWER_BYTES).to.be.greaterThan(10 * MAX_RESPONSE_BYTES);
    expect((peak - heapBefore) / 1048576, 'heap growth, MB').to.be.below(100);
    // The error is the bridge's own, named, and the cap error is not retried.
    const error = await failure((fake.failNext(1, 'huge'), client.get(CLIENTE_PATH, search)));
    expect(error.code).to.equal('HUBSOFT_BAD_RESPONSE');
    expect(error.details.maxResponseBytes).to.equal(MAX_RESPONSE_BYTES);
    // The pool still serves the next request.
    expect((await client.get(CLIENTE_PATH, search)).status).to.equal('success');
  });

  it('hubsoft.tls.ca that cannot be read is a config error naming the key', () => {
    const config = testConfig(fake, { hubsoft: { tls: { ca: '/nonexistent/ca.pem' } } });
    expect(() => testClient(config)).to.throw(/hubsoft\.tls\.ca/);
  });
});
