import { expect } from 'chai';
import { createHubsoftClient } from '../../src/hubsoft/client.js';
import { CLIENTE_PATH } from '../../src/hubsoft/customers.js';
import { captureLogger } from '../ami/helpers.js';
import { startFakeHubsoft, type FakeHubsoft } from '../support/fake-hubsoft.js';
import { fakeClock, testConfig } from './helpers.js';

const search = { busca: 'telefone', termo_busca: '37999912222', limit: 5 };
const WARN = 40;

describe('hubsoft/auth: a failed early renewal keeps the current token', () => {
  let fake: FakeHubsoft;
  beforeEach(async () => {
    fake = await startFakeHubsoft();
    fake.setExpiresIn(600);
  });
  afterEach(() => fake.close());

  function client(now: () => number) {
    const logs = captureLogger();
    const config = testConfig(fake, { hubsoft: { tokenRenewMarginSeconds: 300 } });
    return { logs, client: createHubsoftClient(config.hubsoft, { logger: logs.logger, now, retryBaseMs: 10, retryMaxMs: 20 }) };
  }

  it('renewal failing inside the margin: requests go on with the current token, retried with backoff, one warning', async () => {
    const clock = fakeClock();
    const { client: api, logs } = client(clock.now);
    await api.get(CLIENTE_PATH, search);
    const firstToken = fake.requests.at(-1)!;
    expect(fake.count('oauth/token')).to.equal(1);

    clock.advance(301_000); // inside the 300 s margin, 299 s before expiry
    fake.failNext(1000, 'status503', 'token');
    for (let i = 0; i < 5; i++) await api.get(CLIENTE_PATH, search);
    expect(fake.count('oauth/token')).to.equal(2); // one renewal tried; the next four wait out the backoff
    expect(fake.requests.filter((r) => r.path !== '/oauth/token').every((r) => r.authOk)).to.equal(true);

    clock.advance(5_001); // first backoff over: tried again, fails again, backoff doubles
    await api.get(CLIENTE_PATH, search);
    expect(fake.count('oauth/token')).to.equal(3);
    clock.advance(5_001);
    await api.get(CLIENTE_PATH, search);
    expect(fake.count('oauth/token')).to.equal(3);
    clock.advance(5_000);
    await api.get(CLIENTE_PATH, search);
    expect(fake.count('oauth/token')).to.equal(4);

    const warnings = logs.records.filter((r) => r.level === WARN && /token renewal failed/.test(r.msg));
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.include({ retryInMs: 5000 });

    fake.clearFailures();
    clock.advance(20_001); // backoff 5 s, 10 s, 20 s
    await api.get(CLIENTE_PATH, search);
    expect(fake.count('oauth/token')).to.equal(5);
    expect(fake.requests.at(-1)!.authOk).to.equal(true);
    expect(firstToken.authOk).to.equal(true);
  });

  it('past the real expiry the failure is the request\'s: no stale token is sent', async () => {
    const clock = fakeClock();
    const { client: api } = client(clock.now);
    await api.get(CLIENTE_PATH, search);
    clock.advance(301_000);
    fake.failNext(1000, 'status503', 'token');
    await api.get(CLIENTE_PATH, search);
    clock.advance(300_000); // expired now
    const apiCalls = fake.requests.filter((r) => r.path !== '/oauth/token').length;
    let failed = false;
    await api.get(CLIENTE_PATH, search).catch(() => (failed = true));
    expect(failed).to.equal(true);
    expect(fake.requests.filter((r) => r.path !== '/oauth/token')).to.have.length(apiCalls);
  });
});
