import { expect } from 'chai';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { renderUnit } from '../../src/ops/install/unit-file.js';

const run = promisify(execFile);
const UNIT = new URL('../../systemd/hubsoft-pbx-bridge.service', import.meta.url);

function hasSystemdAnalyze(): boolean {
  try {
    execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

describe('systemd/hubsoft-pbx-bridge.service', () => {
  it('holds the hardening the issue asks for, and no MemoryDenyWriteExecute (V8 JIT)', async () => {
    const unit = await readFile(UNIT, 'utf8');
    for (const line of [
      'Restart=always',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ProtectHome=yes',
      'PrivateTmp=yes',
      'PrivateDevices=yes',
      'ReadWritePaths=/var/lib/hubsoft-pbx-bridge',
      'StateDirectory=hubsoft-pbx-bridge',
      'CapabilityBoundingSet=',
      'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX',
      'SystemCallFilter=@system-service',
      'StandardOutput=journal',
      'ExecReload=/bin/kill -HUP $MAINPID',
      'After=network-online.target freepbx.service asterisk.service',
    ]) {
      expect(unit.split('\n')).to.include(line);
    }
    expect(unit).to.match(/^RestartSec=\d+/m);
    expect(unit).to.match(/^MemoryMax=\d+[KMG]$/m);
    expect(unit).not.to.match(/^MemoryDenyWriteExecute/m);
    expect(unit).to.include('run --config /etc/hubsoft-pbx-bridge/config.yaml');
  });

  it('renders User, Group and ExecStart for the host', async () => {
    const rendered = renderUnit(await readFile(UNIT, 'utf8'), { user: 'asterisk', group: 'asterisk', nodePath: '/usr/bin/node', entryPath: '/srv/my app/main.js' });
    expect(rendered).to.include('User=asterisk\nGroup=asterisk\n');
    expect(rendered).to.include('ExecStart=/usr/bin/node "/srv/my app/main.js" run --config /etc/hubsoft-pbx-bridge/config.yaml\n');
  });

  describe('systemd-analyze verify', function () {
    before(function () {
      if (!hasSystemdAnalyze()) this.skip();
    });

    it('passes on the unit rendered with an existing node binary', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'hpb-unit-'));
      try {
        const entry = join(dir, 'main.js');
        await writeFile(entry, '');
        const unitPath = join(dir, 'hubsoft-pbx-bridge.service');
        await writeFile(unitPath, renderUnit(await readFile(UNIT, 'utf8'), { user: 'hubsoft-pbx-bridge', group: 'hubsoft-pbx-bridge', nodePath: process.execPath, entryPath: entry }));
        const { stdout, stderr } = await run('systemd-analyze', ['verify', unitPath], { timeout: 30_000 });
        // Warnings about the unit itself (unknown keys, unsafe settings) fail the test; host noise does not.
        const aboutUnit = `${stdout}${stderr}`.split('\n').filter((line) => line.includes('hubsoft-pbx-bridge'));
        expect(aboutUnit).to.deep.equal([]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
