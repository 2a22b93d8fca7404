import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeAmi, type FakeAmi } from '../support/fake-ami.js';
import { FAKE_CREDENTIALS, startFakeHubsoft, type FakeHubsoft } from '../support/fake-hubsoft.js';

const BIN = new URL('../../src/cli/bin.ts', import.meta.url).pathname;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process, configured only through the environment. */
function cli(args: string[], env: Record<string, string>, options: { untilStdout?: RegExp; signal?: NodeJS.Signals } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!signalled && options.untilStdout?.test(stdout)) {
        signalled = true;
        child.kill(options.signal ?? 'SIGTERM');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI did not finish: ${stdout}\n${stderr}`));
    }, 20000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the hubsoft-pbx-bridge command (child process, environment only)', function () {
  this.timeout(30000);
  let hubsoft: FakeHubsoft;
  let ami: FakeAmi;
  let env: Record<string, string>;

  before(async () => {
    hubsoft = await startFakeHubsoft();
    ami = await startFakeAmi();
    env = {
      HUBSOFT_URL: hubsoft.url,
      HUBSOFT_CLIENT_ID: FAKE_CREDENTIALS.clientId,
      HUBSOFT_CLIENT_SECRET: FAKE_CREDENTIALS.clientSecret,
      HUBSOFT_USERNAME: FAKE_CREDENTIALS.username,
      HUBSOFT_PASSWORD: FAKE_CREDENTIALS.password,
      AMI_HOST: '127.0.0.1',
      AMI_PORT: String(ami.port),
      AMI_USERNAME: 'bridge',
      AMI_SECRET: 'amisecret',
      LOG_LEVEL: 'info',
    };
  });
  after(async () => {
    await Promise.all([hubsoft.close(), ami.close()]);
  });

  it('lookup 037999912222 finds the client whose phone is 37999912222', async () => {
    const { code, stdout } = await cli(['lookup', '037999912222'], env);
    expect(code).to.equal(0);
    expect(stdout).to.include('37999912222').and.include('JOAO PEDRO COSTA');
  });

  it('check: OK for the config, HubSoft and the AMI login, exit 0', async () => {
    const { code, stdout } = await cli(['check'], env);
    expect(stdout).to.match(/OK +AMI login/);
    expect(code).to.equal(0);
  });

  it('check with a wrong AMI secret: FAIL with what to fix, exit 1', async () => {
    const { code, stdout } = await cli(['check'], { ...env, AMI_SECRET: 'wrong-secret' });
    expect(stdout).to.match(/FAIL +AMI login: AMI login refused: check the secret/);
    expect(code).to.equal(1);
  });

  it('an unknown command says so, lists the commands, exit 64', async () => {
    const { code, stderr } = await cli(['frobnicate'], env);
    expect(code).to.equal(64);
    expect(stderr).to.include("unknown command 'frobnicate'").and.include('check, lookup');
  });

  it('a missing required key is a clear config error naming the key, exit 78', async () => {
    const { code, stderr } = await cli(['lookup', '37999912222'], { ...env, HUBSOFT_URL: '' });
    expect(code).to.equal(78);
    expect(stderr).to.include('CONFIG_NOT_FOUND');
  });

  it('run is the default command; SIGTERM flushes and exits 0, and no secret reaches the log', async () => {
    // The file only moves the state dir (outbox) to a temp dir; the environment gives the rest.
    const dir = mkdtempSync(join(tmpdir(), 'hubsoft-bridge-run-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, `state:\n  dir: ${dir}\nagi:\n  port: 0\nhealth:\n  port: 0\n`);
    const { code, stdout } = await cli(['--config', file], env, { untilStdout: /hubsoft-pbx-bridge running/ });
    rmSync(dir, { recursive: true, force: true });
    expect(code).to.equal(0);
    expect(stdout).to.match(/"msg":"stopped cleanly"|"msg":"HubSoft requests left unsent/);
    for (const secret of [FAKE_CREDENTIALS.clientSecret, FAKE_CREDENTIALS.password, 'amisecret']) expect(stdout).not.to.include(secret);
  });
});
