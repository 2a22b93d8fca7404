import { expect } from 'chai';
import { isBridgeError } from '../../src/errors.js';
import { CLIENTE_PATH } from '../../src/hubsoft/customers.js';
import { startFakeHubsoft, FAKE_CREDENTIALS, type FakeHubsoft } from '../support/fake-hubsoft.js';
import { fakeClock, testClient, testConfig } from './helpers.js';

const search = { busca: 'telefone', termo_busca: '37999912222', limit: 5 };

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('hubsoft/auth: OAuth2 password grant', () => {
  let fake: FakeHubsoft;
  beforeEach(async () => {
    fake = await startFakeHubsoft();
  });
  afterEach(() => fake.close());

  it('sends the password grant as JSON and reuses one token for many calls', async () => {
    const client = testClient(testConfig(fake));
    for (let i = 0; i < 5; i += 1) await client.get(CLIENTE_PATH, search);
    await Promise.all([client.get(CLIENTE_PATH, search), client.get(CLIENTE_PATH, search)]);
    expect(fake.count('oauth/token')).to.equal(1);
    const tokenRequest = fake.requests.find((r) => r.path === '/oauth/token')!;
    expect(tokenRequest.contentType).to.match(/application\/json/);
    expect(tokenRequest.body).to.deep.equal({
      grant_type: 'password',
      client_id: FAKE_CREDENTIALS.clientId,
      client_secret: FAKE_CREDENTIALS.clientSecret,
      username: FAKE_CREDENTIALS.username,
      password: FAKE_CREDENTIALS.password,
    });
    expect(fake.requests.filter((r) => r.path !== '/oauth/token').every((r) => r.authOk)).to.equal(true);
  });

  it('renews the token tokenRenewMarginSeconds before it expires', async () => {
    fake.setExpiresIn(3600);
    const clock = fakeClock();
    const client = testClient(testConfig(fake, { hubsoft: { tokenRenewMarginSeconds: 300 } }), clock.now);
    await client.get(CLIENTE_PATH, search);
    clock.advance((3600 - 301) * 1000);
    await client.get(CLIENTE_PATH, search);
    expect(fake.count('oauth/token')).to.equal(1);
    clock.advance(2000);
    await client.get(CLIENTE_PATH, search);
    expect(fake.count('oauth/token')).to.equal(2);
  });

  it('concurrent calls during a renewal share one token request', async () => {
    fake.setExpiresIn(600);
    const clock = fakeClock();
    const client = testClient(testConfig(fake), clock.now);
    await client.get(CLIENTE_PATH, search);
    clock.advance(600 * 1000);
    fake.setDelay(30);
    await Promise.all(Array.from({ length: 10 }, () => client.get(CLIENTE_PATH, search)));
    expect(fake.count('oauth/token')).to.equal(2);
    expect(fake.count(CLIENTE_PATH)).to.equal(11);
  });

  it('on a 401 gets a new token once and retries the request once', async () => {
    const client = testClient(testConfig(fake));
    await client.get(CLIENTE_PATH, search);
    fake.expireTokens();
    const body = await client.get(CLIENTE_PATH, search);
    expect(body.status).to.equal('success');
    expect(fake.count('oauth/token')).to.equal(2);
    const api = fake.requests.filter((r) => r.path !== '/oauth/token');
    expect(api.map((r) => r.authOk)).to.deep.equal([true, false, true]);
  });

  it('a second 401 after the re-login is an error, not a loop', async () => {
    fake.acceptTokens(false);
    const client = testClient(testConfig(fake));
    const error = await rejection(client.get(CLIENTE_PATH, search));
    expect(isBridgeError(error, 'HUBSOFT_AUTH_REJECTED')).to.equal(true);
    expect((error as unknown as { details: { status: number } }).details.status).to.equal(401);
    expect(fake.count('oauth/token')).to.equal(2);
    expect(fake.count(CLIENTE_PATH)).to.equal(2);
  });

  it('wrong credentials: HUBSOFT_AUTH_REJECTED with the error_description, and no hammering', async () => {
    const clock = fakeClock();
    const client = testClient(testConfig(fake, { hubsoft: { password: 'wrong-password-123' } }), clock.now);
    const error = await rejection(client.get(CLIENTE_PATH, search));
    expect(isBridgeError(error, 'HUBSOFT_AUTH_REJECTED')).to.equal(true);
    expect(error.message).to.contain('The user credentials were incorrect.');
    expect(error.message).not.to.contain('wrong-password-123');
    expect(JSON.stringify((error as { details?: unknown }).details)).not.to.contain('wrong-password-123');
    // Within the backoff the token endpoint is not asked again.
    const again = await rejection(client.get(CLIENTE_PATH, search));
    expect(isBridgeError(again, 'HUBSOFT_AUTH_REJECTED')).to.equal(true);
    expect(fake.count('oauth/token')).to.equal(1);
    clock.advance(5001);
    await rejection(client.get(CLIENTE_PATH, search));
    expect(fake.count('oauth/token')).to.equal(2);
    // The backoff doubled: 5 s later is still too early.
    clock.advance(5001);
    await rejection(client.get(CLIENTE_PATH, search));
    expect(fake.count('oauth/token')).to.equal(2);
    expect(fake.count(CLIENTE_PATH)).to.equal(0);
  });

  it('a wrong client_secret is rejected the same way (Passport answers 401 invalid_client)', async () => {
    const client = testClient(testConfig(fake, { hubsoft: { clientSecret: 'not-the-secret' } }));
    const error = await rejection(client.auth.authorization());
    expect(isBridgeError(error, 'HUBSOFT_AUTH_REJECTED')).to.equal(true);
    expect(error.message).to.contain('Client authentication failed');
  });
});
