import { expect } from 'chai';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { runInstall, runUninstall, type InstallOptions } from '../../src/ops/install/run.js';
import {
  captureIo,
  FIXED_SECRET,
  FREEPBX_EXTENSIONS_CUSTOM,
  FREEPBX_MANAGER_ADDITIONAL,
  FREEPBX_MANAGER_CUSTOM,
  HUBSOFT_FLAGS,
  installOptions,
  makeTree,
  SNIPPET_FREEPBX,
  snapshotTree,
  type TempTree,
} from './install-fixtures.js';

describe('install --freepbx --root TMP', () => {
  let tree: TempTree;
  let options: InstallOptions;

  beforeEach(async () => {
    tree = await makeTree('freepbx');
    options = installOptions(tree, 'freepbx', { nodePath: '/opt/hubsoft-pbx-bridge/node/bin/node', entryPath: '/opt/hubsoft-pbx-bridge/app/dist/src/cli/bin.js' });
  });
  afterEach(() => tree.cleanup());

  const etc = (name: string) => join(tree.root, 'etc', 'asterisk', name);

  it('writes exactly the AMI block, the dialplan block, the config, the unit and the manifest', async () => {
    const before = await snapshotTree(tree.root);
    const io = captureIo();
    expect(await runInstall(options, io)).to.equal(0, io.errors());
    const after = await snapshotTree(tree.root);

    const added = [...after.keys()].filter((key) => !before.has(key)).sort();
    expect(added).to.deep.equal([
      '/etc/hubsoft-pbx-bridge',
      '/etc/hubsoft-pbx-bridge/asterisk-manager.conf',
      '/etc/hubsoft-pbx-bridge/config.yaml',
      '/etc/systemd',
      '/etc/systemd/system',
      '/etc/systemd/system/hubsoft-pbx-bridge.service',
      '/var',
      '/var/lib',
      '/var/lib/hubsoft-pbx-bridge',
      '/var/lib/hubsoft-pbx-bridge/install-manifest.json',
    ]);
    const changed = [...before.keys()].filter((key) => JSON.stringify(before.get(key)) !== JSON.stringify(after.get(key)));
    expect(changed.sort()).to.deep.equal(['/etc/asterisk/manager_custom.conf', '/etc/asterisk/extensions_custom.conf'].sort());

    // manager_custom.conf only includes the user: fwconsole chown resets it to 0664, so no secret goes there.
    const custom = await readFile(etc('manager_custom.conf'), 'utf8');
    expect(custom).to.equal(
      `${FREEPBX_MANAGER_CUSTOM}\n; BEGIN hubsoft-pbx-bridge ami-user (added by 'hubsoft-pbx-bridge install', removed by 'uninstall'; do not edit)\n#include ../hubsoft-pbx-bridge/asterisk-manager.conf\n; END hubsoft-pbx-bridge ami-user\n`,
    );
    expect((await stat(etc('manager_custom.conf'))).mode & 0o777).to.equal(0o664);
    const amiUserPath = join(tree.root, 'etc', 'hubsoft-pbx-bridge', 'asterisk-manager.conf');
    const amiUser = await readFile(amiUserPath, 'utf8');
    expect(amiUser).to.include(`[hubsoft-pbx-bridge]\nsecret=${FIXED_SECRET}\ndeny=0.0.0.0/0.0.0.0\npermit=127.0.0.1/255.255.255.255\nread=call,agent,system\nwrite=call,reporting\n`);
    expect(amiUser).to.include('eventfilter=Event: Newchannel\n');
    expect(amiUser).to.include('eventfilter=Event: CoreShowChannelsComplete\n');
    expect(amiUser).not.to.match(/write=.*(originate|command|system)/);
    expect((await stat(amiUserPath)).mode & 0o777).to.equal(0o640);

    const dialplan = await readFile(etc('extensions_custom.conf'), 'utf8');
    expect(dialplan).to.equal(
      `${FREEPBX_EXTENSIONS_CUSTOM}\n; BEGIN hubsoft-pbx-bridge dialplan (added by 'hubsoft-pbx-bridge install', removed by 'uninstall'; do not edit)\n${SNIPPET_FREEPBX}; END hubsoft-pbx-bridge dialplan\n`,
    );
    expect(await readFile(etc('manager_additional.conf'), 'utf8')).to.equal(FREEPBX_MANAGER_ADDITIONAL);

    const configPath = join(tree.root, 'etc', 'hubsoft-pbx-bridge', 'config.yaml');
    expect((await stat(configPath)).mode & 0o777).to.equal(0o600);
    const config = parseYaml(await readFile(configPath, 'utf8')) as Record<string, Record<string, unknown>>;
    expect(config.hubsoft).to.deep.include({ url: 'https://api.example-isp.hubsoft.com.br', clientId: '12', username: 'api@example-isp.com.br' });
    expect(config.ami).to.deep.equal({ host: '127.0.0.1', port: 5038, username: 'hubsoft-pbx-bridge', secret: FIXED_SECRET });

    const unit = await readFile(join(tree.root, 'etc', 'systemd', 'system', 'hubsoft-pbx-bridge.service'), 'utf8');
    expect(unit).to.include('User=hubsoft-pbx-bridge\n');
    expect(unit).to.include('ExecStart=/opt/hubsoft-pbx-bridge/node/bin/node /opt/hubsoft-pbx-bridge/app/dist/src/cli/bin.js run --config /etc/hubsoft-pbx-bridge/config.yaml\n');

    const output = io.output();
    expect(output).to.include('skipped  asterisk -rx manager reload');
    expect(output).to.include('skipped  systemctl enable hubsoft-pbx-bridge');
    expect(output).to.include('skipped  useradd');
    expect(output).not.to.include(FIXED_SECRET);
    expect(output).not.to.include(HUBSOFT_FLAGS.password);
  });

  it('is a no-op the second time, even with a new secret generator', async () => {
    expect(await runInstall(options, captureIo())).to.equal(0);
    const first = await snapshotTree(tree.root);
    const io = captureIo();
    expect(await runInstall({ ...options, generateSecret: () => 'Z'.repeat(40) }, io)).to.equal(0);
    expect(await snapshotTree(tree.root)).to.deep.equal(first);
    expect(io.output()).to.include('Nothing to change: already installed.');
    expect(io.output()).not.to.match(/^\s+(create|update|mkdir|skipped)/m);
  });

  it('keeps an existing config without --force and rewrites it with --force, keeping the AMI secret', async () => {
    expect(await runInstall(options, captureIo())).to.equal(0);
    const configPath = join(tree.root, 'etc', 'hubsoft-pbx-bridge', 'config.yaml');
    const io = captureIo();
    expect(await runInstall({ ...options, hubsoft: { ...HUBSOFT_FLAGS, url: 'https://other.example.com' } }, io)).to.equal(0);
    expect(await readFile(configPath, 'utf8')).to.include('api.example-isp.hubsoft.com.br');
    expect(await runInstall({ ...options, force: true, hubsoft: { url: 'https://other.example.com' }, generateSecret: () => 'Q'.repeat(40) }, captureIo())).to.equal(0);
    const text = await readFile(configPath, 'utf8');
    expect(text).to.include('https://other.example.com');
    expect(text).to.include(HUBSOFT_FLAGS.password);
    expect(text).to.include(FIXED_SECRET);
  });

  it('takes the HubSoft settings from HUBSOFT_* variables and fails clearly when some are missing', async () => {
    const env = { HUBSOFT_URL: 'https://env.example.com', HUBSOFT_CLIENT_ID: '7', HUBSOFT_CLIENT_SECRET: 'cs', HUBSOFT_USERNAME: 'u@e.com', HUBSOFT_PASSWORD: 'pw' };
    const before = await snapshotTree(tree.root);
    const missing = captureIo({ HUBSOFT_URL: 'https://env.example.com' });
    expect(await runInstall({ ...options, hubsoft: {} }, missing)).to.equal(1);
    expect(missing.errors()).to.include('missing HubSoft settings: clientId, clientSecret, username, password');
    expect(await snapshotTree(tree.root)).to.deep.equal(before);
    expect(await runInstall({ ...options, hubsoft: {} }, captureIo(env))).to.equal(0);
    expect(await readFile(join(tree.root, 'etc', 'hubsoft-pbx-bridge', 'config.yaml'), 'utf8')).to.include('https://env.example.com');
  });

  it('--dry-run writes nothing and prints every change without secrets', async () => {
    const before = await snapshotTree(tree.root);
    const io = captureIo();
    expect(await runInstall({ ...options, dryRun: true }, io)).to.equal(0);
    expect(await snapshotTree(tree.root)).to.deep.equal(before);
    const output = io.output();
    expect(output).to.include('update   /etc/asterisk/manager_custom.conf');
    expect(output).to.include('create   /etc/hubsoft-pbx-bridge/config.yaml (0600)');
    expect(output).to.include('| secret=[redacted]');
    expect(output).not.to.include(FIXED_SECRET);
  });

  it('uninstall restores the original files byte for byte and keeps the config; --purge removes it', async () => {
    const original = await snapshotTree(tree.root);
    expect(await runInstall(options, captureIo())).to.equal(0);
    const io = captureIo();
    expect(await runUninstall({ root: tree.root, dryRun: false, purge: false }, io)).to.equal(0, io.errors());
    const afterUninstall = await snapshotTree(tree.root);
    const kept = ['/etc/hubsoft-pbx-bridge', '/etc/hubsoft-pbx-bridge/config.yaml', '/etc', '/etc/asterisk', '/etc/freepbx.conf'];
    for (const key of afterUninstall.keys()) {
      if (key.startsWith('/etc/hubsoft-pbx-bridge')) continue;
      expect(afterUninstall.get(key), key).to.deep.equal(original.get(key));
    }
    expect([...afterUninstall.keys()].filter((k) => !original.has(k)).sort()).to.deep.equal(kept.filter((k) => !original.has(k)).sort());
    expect(io.output()).to.include('config.yaml kept');

    expect(await runUninstall({ root: tree.root, dryRun: false, purge: true }, captureIo())).to.equal(0);
    expect(await snapshotTree(tree.root)).to.deep.equal(original);
  });

  it('refuses to add a second [hubsoft-pbx-bridge] user that it did not write', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(etc('manager_custom.conf'), `${FREEPBX_MANAGER_CUSTOM}\n[hubsoft-pbx-bridge]\nsecret=handmade\n`);
    const io = captureIo();
    expect(await runInstall(options, io)).to.equal(1);
    expect(io.errors()).to.include('INSTALL_FAILED');
  });
});
