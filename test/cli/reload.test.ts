import { expect } from 'chai';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { planReload } from '../../src/ops/reload.js';
import { offlineConfig } from '../support/config.js';
import { startFakeAmi, type FakeAmi } from '../support/fake-ami.js';
import { FAKE_CREDENTIALS, startFakeHubsoft, type FakeHubsoft } from '../support/fake-hubsoft.js';

const BIN = new URL('../../src/cli/bin.ts', import.meta.url).pathname;
/** The AMI connection logs this at debug level: a line that shows which level the running daemon is at. */
const STRAY_RESPONSE = 'Response: Success\r\nActionID: nobody-asked\r\nMessage: stray\r\n\r\n';
const STRAY_LOG = 'AMI response to no pending action';

describe('planReload: which changes SIGHUP applies and which wait for a restart', () => {
  it('applies log level, extension map, alert sound rules and the rate limit; lists the rest by key path', () => {
    const running = offlineConfig();
    const next = offlineConfig({
      log: { level: 'debug' },
      extensions: { '201': { ramal: '9201' } },
      alerts: { sounds: [{ match: 'bloque', sound: 'custom/bloqueado' }] },
      notify: { intervalCap: 5, concurrency: 8 },
      ami: { username: 'u', secret: 'another' },
      agi: { port: 4600 },
    });
    const plan = planReload(running, next);
    expect(plan.apply).to.have.members(['log.level', 'extensions', 'alerts.sounds', 'notify.intervalCap']);
    expect(plan.restart).to.have.members(['notify.concurrency', 'ami.secret', 'agi.port']);
  });

  it('an unchanged config changes nothing', () => {
    expect(planReload(offlineConfig(), offlineConfig())).to.deep.equal({ apply: [], restart: [] });
  });
});

describe('run + SIGHUP (child process, fake Asterisk and fake HubSoft)', function () {
  this.timeout(30000);
  let hubsoft: FakeHubsoft;
  let ami: FakeAmi;
  let dir: string;
  let child: ChildProcessWithoutNullStreams | undefined;
  let stdout = '';

  const configFile = (): string => join(dir, 'config.yaml');
  const writeConfig = (extra: Record<string, unknown>): void =>
    writeFileSync(
      configFile(),
      stringify({
        hubsoft: { url: hubsoft.url, ...FAKE_CREDENTIALS },
        ami: { host: '127.0.0.1', port: ami.port, username: 'bridge', secret: 'amisecret' },
        state: { dir },
        agi: { enabled: false },
        health: { enabled: false },
        ...extra,
      }),
    );
  const waitForStdout = async (text: string, from: number): Promise<void> => {
    const deadline = Date.now() + 15000;
    while (!stdout.slice(from).includes(text)) {
      if (Date.now() > deadline) throw new Error(`no "${text}" in the daemon's output:\n${stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  before(async () => {
    hubsoft = await startFakeHubsoft();
    ami = await startFakeAmi({ username: 'bridge', secret: 'amisecret' });
    dir = mkdtempSync(join(tmpdir(), 'hubsoft-bridge-reload-'));
  });
  after(async () => {
    child?.kill('SIGKILL');
    await Promise.all([hubsoft.close(), ami.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('changes the log level without dropping the AMI session, and names what needs a restart', async () => {
    writeConfig({ log: { level: 'info' } });
    child = spawn(process.execPath, ['--import', 'tsx', BIN, 'run', '--config', configFile()], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await waitForStdout('hubsoft-pbx-bridge running', 0);
    await ami.waitForLogin(10000, 1);

    // At info, the stray response is not logged.
    ami.send(STRAY_RESPONSE);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stdout).not.to.include(STRAY_LOG);

    writeConfig({ log: { level: 'debug' }, extensions: { '201': { ramal: '9201' } }, notify: { concurrency: 6 } });
    const mark = stdout.length;
    child.kill('SIGHUP');
    await waitForStdout('config reloaded', mark);
    await waitForStdout('only apply after a restart', mark);
    const lines = stdout.slice(mark).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const reloaded = lines.find((line) => String(line.msg).startsWith('config reloaded'))!;
    expect(reloaded.applied).to.have.members(['log.level', 'extensions']);
    expect(reloaded.needsRestart).to.deep.equal(['notify.concurrency']);

    // Same TCP session, same login, now at debug: the next stray response is logged.
    const afterReload = stdout.length;
    ami.send(STRAY_RESPONSE);
    await waitForStdout(STRAY_LOG, afterReload);
    expect(ami.sessions).to.equal(1);
    expect(ami.logins).to.equal(1);
    expect(child.exitCode).to.equal(null);

    // A broken file on the next SIGHUP: an error line, and the daemon keeps running on what it had.
    writeFileSync(configFile(), 'hubsoft: [unclosed\n');
    const beforeBroken = stdout.length;
    child.kill('SIGHUP');
    await waitForStdout('still running on the previous one', beforeBroken);
    expect(child.exitCode).to.equal(null);

    const exited = new Promise<number | null>((resolve) => child!.once('close', resolve));
    child.kill('SIGTERM');
    expect(await exited).to.equal(0);
    expect(ami.sessions).to.equal(1);
  });
});
