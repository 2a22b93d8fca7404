import { expect } from 'chai';
import { BridgeError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import { runCheck, type CheckStep } from '../../src/cli/check.js';
import { startFakeHubsoft, type FakeHubsoft } from '../support/fake-hubsoft.js';
import { testConfig } from '../hubsoft/helpers.js';
import { parseConfig } from '../../src/config/load.js';
import { FAKE_CREDENTIALS } from '../support/fake-hubsoft.js';

function capture(): { write(text: string): void; text: () => string } {
  let buffer = '';
  return { write: (t: string) => void (buffer += t), text: () => buffer };
}

describe('cli/check', () => {
  let fake: FakeHubsoft;
  beforeEach(async () => {
    fake = await startFakeHubsoft();
  });
  afterEach(() => fake.close());

  it('prints OK for every step and exits 0 against a working HubSoft', async () => {
    const out = capture();
    const code = await runCheck({ config: testConfig(fake), logger: silentLogger(), out });
    expect(code).to.equal(0);
    expect(out.text()).to.match(/^OK {4}configuration valid$/m);
    expect(out.text()).to.match(/^OK {4}HubSoft reachable: .* answered HTTP 404 \(the server is up; HubSoft answers 404 at the API root/m);
    expect(out.text()).to.match(/^OK {4}HubSoft login/m);
    expect(out.text()).to.match(/^OK {4}HubSoft client search/m);
  });

  for (const answer of ['status-error', 'not-found-404'] as const) {
    it(`a HubSoft answering an empty search with ${answer} passes: the search is allowed, "no client" understood`, async () => {
      fake.setEmptySearchAnswer(answer);
      const out = capture();
      expect(await runCheck({ config: testConfig(fake), logger: silentLogger(), out })).to.equal(0);
      expect(out.text()).to.match(/^OK {4}HubSoft reachable/m);
      expect(out.text()).to.match(/^OK {4}HubSoft client search: .*read as "not found"/m);
    });
  }

  it('a client search refused for another reason (422 with field errors) fails the search step, naming the fields', async () => {
    fake.failNext(1, 'validation422');
    const out = capture();
    expect(await runCheck({ config: testConfig(fake), logger: silentLogger(), out })).to.equal(1);
    expect(out.text()).to.match(/^FAIL {2}HubSoft client search: HUBSOFT_HTTP: .*422.*\(fields: termo_busca\)/m);
  });

  it('wrong credentials: FAIL on login with the reason, later steps skipped, exit 1', async () => {
    const out = capture();
    const code = await runCheck({ config: testConfig(fake, { hubsoft: { password: 'wrong-password-123' } }), logger: silentLogger(), out });
    expect(code).to.equal(1);
    expect(out.text()).to.match(/^FAIL {2}HubSoft login: HUBSOFT_AUTH_REJECTED: .*The user credentials were incorrect/m);
    expect(out.text()).to.match(/^SKIP {2}HubSoft client search/m);
    expect(out.text()).not.to.contain('wrong-password-123');
    expect(fake.count('oauth/token')).to.equal(1);
  });

  it('an invalid config fails the first step and exits 1', async () => {
    const out = capture();
    const code = await runCheck({
      config: () => {
        throw new BridgeError('CONFIG_INVALID', 'invalid configuration:\n  hubsoft.url: must be an https:// or http:// URL');
      },
      logger: silentLogger(),
      out,
    });
    expect(code).to.equal(1);
    expect(out.text()).to.contain('FAIL  configuration valid: CONFIG_INVALID');
    expect(out.text()).to.contain('hubsoft.url');
  });

  it('a config with an unknown key fails check, naming the key and the closest known one', async () => {
    const out = capture();
    const config = () => parseConfig({ hubsoft: { url: fake.url, ...FAKE_CREDENTIALS }, ami: { username: 'b', secret: 's' }, lokup: { defaultAreaCode: '37' } });
    expect(await runCheck({ config, logger: silentLogger(), out })).to.equal(1);
    expect(out.text()).to.contain('FAIL  configuration valid: CONFIG_INVALID');
    expect(out.text()).to.contain('lokup: unknown key (did you mean `lookup`?)');
  });

  it('HubSoft down: FAIL reachable, login skipped', async () => {
    const config = testConfig(fake);
    await fake.close();
    const out = capture();
    expect(await runCheck({ config, logger: silentLogger(), out })).to.equal(1);
    expect(out.text()).to.match(/^FAIL {2}HubSoft reachable: HUBSOFT_UNREACHABLE/m);
    expect(out.text()).to.match(/^SKIP {2}HubSoft login/m);
  });

  it('runs extra steps (the AMI step plugs in here)', async () => {
    const out = capture();
    const ami: CheckStep = {
      name: 'AMI login',
      run: async () => {
        throw new Error('connection refused');
      },
    };
    expect(await runCheck({ config: testConfig(fake), logger: silentLogger(), out, extraSteps: [ami] })).to.equal(1);
    expect(out.text()).to.contain('FAIL  AMI login: connection refused');
  });
  it('warns (WARN line, exit code unchanged) when the config file holding secrets is world-readable', async () => {
    const { chmodSync, mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'hpb-check-'));
    const file = join(dir, 'config.yaml');
    try {
      writeFileSync(file, `hubsoft:\n  password: ${FAKE_CREDENTIALS.password}\n`);
      chmodSync(file, 0o644);
      const out = capture();
      expect(await runCheck({ config: testConfig(fake), logger: silentLogger(), out, configFile: file })).to.equal(0);
      expect(out.text()).to.match(/^WARN {2}config file: .*config\.yaml holds secrets \(hubsoft\.password\) and its mode 0644 lets every user on this host read it: chmod 600 it/m);
      expect(out.text()).not.to.include(FAKE_CREDENTIALS.password);
      chmodSync(file, 0o600);
      const quiet = capture();
      await runCheck({ config: testConfig(fake), logger: silentLogger(), out: quiet, configFile: file });
      expect(quiet.text()).not.to.include('WARN');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
