import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFakeAmi, type FakeAmi } from '../support/fake-ami.js';

const SCRIPT = fileURLToPath(new URL('./never-exits.script.ts', import.meta.url));

describe('AmiConnection in a process of its own', function () {
  this.timeout(30_000); // a child process with tsx starts slowly on a busy 2-core machine
  let fake: FakeAmi;
  beforeEach(async () => {
    fake = await startFakeAmi({ secret: 'right-secret' });
  });
  afterEach(() => fake.close());

  it('never exits on its own while the AMI login is refused, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, String(fake.port), 'wrong-secret-xyz'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const refusals = () => stdout.split('\n').filter((l) => l.includes('"code":"AMI_LOGIN_REFUSED"')).length;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no 4 refusals in time; stdout=${stdout} stderr=${stderr}`)), 25_000);
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (refusals() >= 4) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`child exited on its own with ${code}; stderr=${stderr}`));
        });
      });
      expect(child.exitCode).to.equal(null);
      expect(fake.loginAttempts).to.be.at.least(4);
      expect(stdout).not.to.include('wrong-secret-xyz');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).to.equal(0);
  });
});
