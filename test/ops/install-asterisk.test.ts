import { expect } from 'chai';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runInstall, runUninstall, type InstallOptions } from '../../src/ops/install/run.js';
import { ASTERISK_EXTENSIONS_CONF, ASTERISK_MANAGER_CONF, captureIo, FIXED_SECRET, installOptions, makeTree, SNIPPET_ASTERISK, snapshotTree, type TempTree } from './install-fixtures.js';

describe('install --asterisk --root TMP', () => {
  let tree: TempTree;
  let options: InstallOptions;

  beforeEach(async () => {
    tree = await makeTree('asterisk');
    options = installOptions(tree, 'asterisk', { nodePath: '/usr/bin/node', entryPath: '/usr/lib/node_modules/hubsoft-pbx-bridge/dist/src/cli/bin.js' });
  });
  afterEach(() => tree.cleanup());

  const etc = (name: string) => join(tree.root, 'etc', 'asterisk', name);

  it('adds the manager.d user, its include, the dialplan file and its include', async () => {
    const before = await snapshotTree(tree.root);
    const io = captureIo();
    expect(await runInstall(options, io)).to.equal(0, io.errors());
    const after = await snapshotTree(tree.root);
    expect([...after.keys()].filter((key) => !before.has(key)).sort()).to.deep.equal([
      '/etc/asterisk/hubsoft-pbx-bridge-dialplan.conf',
      '/etc/asterisk/manager.d',
      '/etc/asterisk/manager.d/hubsoft-pbx-bridge.conf',
      '/etc/hubsoft-pbx-bridge',
      '/etc/hubsoft-pbx-bridge/config.yaml',
      '/etc/systemd',
      '/etc/systemd/system',
      '/etc/systemd/system/hubsoft-pbx-bridge.service',
      '/var',
      '/var/lib',
      '/var/lib/hubsoft-pbx-bridge',
      '/var/lib/hubsoft-pbx-bridge/install-manifest.json',
    ]);

    expect(await readFile(etc('manager.conf'), 'utf8')).to.equal(
      `${ASTERISK_MANAGER_CONF}\n; BEGIN hubsoft-pbx-bridge manager-include (added by 'hubsoft-pbx-bridge install', removed by 'uninstall'; do not edit)\n#include manager.d/*.conf\n; END hubsoft-pbx-bridge manager-include\n`,
    );
    expect((await stat(etc('manager.conf'))).mode & 0o777).to.equal(0o640);
    const dropIn = await readFile(etc('manager.d/hubsoft-pbx-bridge.conf'), 'utf8');
    expect(dropIn).to.include(`[hubsoft-pbx-bridge]\nsecret=${FIXED_SECRET}\n`);
    expect((await stat(etc('manager.d/hubsoft-pbx-bridge.conf'))).mode & 0o777).to.equal(0o640, 'as private as manager.conf');
    expect(await readFile(etc('hubsoft-pbx-bridge-dialplan.conf'), 'utf8')).to.match(new RegExp(`^; Managed by .*\\n${SNIPPET_ASTERISK.replace(/[()[\]$.]/g, '\\$&')}$`));
    expect(await readFile(etc('extensions.conf'), 'utf8')).to.equal(
      `${ASTERISK_EXTENSIONS_CONF}\n; BEGIN hubsoft-pbx-bridge dialplan-include (added by 'hubsoft-pbx-bridge install', removed by 'uninstall'; do not edit)\n#include hubsoft-pbx-bridge-dialplan.conf\n; END hubsoft-pbx-bridge dialplan-include\n`,
    );
    const config = await readFile(join(tree.root, 'etc/hubsoft-pbx-bridge/config.yaml'), 'utf8');
    expect(config).to.include('port: 5039');
    expect((await stat(join(tree.root, 'etc/hubsoft-pbx-bridge/config.yaml'))).mode & 0o777).to.equal(0o600);
  });

  it('leaves manager.conf alone when it already includes manager.d/*.conf', async () => {
    const withInclude = `${ASTERISK_MANAGER_CONF}#include "manager.d/*.conf"\n`;
    await writeFile(etc('manager.conf'), withInclude);
    expect(await runInstall(options, captureIo())).to.equal(0);
    expect(await readFile(etc('manager.conf'), 'utf8')).to.equal(withInclude);
  });

  it('--no-event-filter leaves out the eventfilter lines', async () => {
    expect(await runInstall({ ...options, eventFilter: false }, captureIo())).to.equal(0);
    expect(await readFile(etc('manager.d/hubsoft-pbx-bridge.conf'), 'utf8')).not.to.include('eventfilter');
  });

  it('second run is a no-op; uninstall then gives back the tree; --purge leaves no trace', async () => {
    const original = await snapshotTree(tree.root);
    expect(await runInstall(options, captureIo())).to.equal(0);
    const installed = await snapshotTree(tree.root);
    const again = captureIo();
    expect(await runInstall(options, again)).to.equal(0);
    expect(await snapshotTree(tree.root)).to.deep.equal(installed);
    expect(again.output()).to.include('Nothing to change');

    const dry = captureIo();
    expect(await runUninstall({ root: tree.root, dryRun: true, purge: true }, dry)).to.equal(0);
    expect(await snapshotTree(tree.root)).to.deep.equal(installed);
    expect(dry.output()).to.include('delete   /etc/asterisk/manager.d/hubsoft-pbx-bridge.conf');

    expect(await runUninstall({ root: tree.root, dryRun: false, purge: false }, captureIo())).to.equal(0);
    const kept = await snapshotTree(tree.root);
    expect([...kept.keys()].filter((key) => !original.has(key)).sort()).to.deep.equal(['/etc/hubsoft-pbx-bridge', '/etc/hubsoft-pbx-bridge/config.yaml']);
    for (const [key, entry] of original) expect(kept.get(key), key).to.deep.equal(entry);

    const second = captureIo();
    expect(await runUninstall({ root: tree.root, dryRun: false, purge: true }, second)).to.equal(0);
    expect(await snapshotTree(tree.root)).to.deep.equal(original);
    const third = captureIo();
    expect(await runUninstall({ root: tree.root, dryRun: false, purge: true }, third)).to.equal(0);
    expect(third.output()).to.include('Nothing to remove');
  });

  it('fails without touching anything when extensions.conf is missing', async () => {
    const { rm } = await import('node:fs/promises');
    await rm(etc('extensions.conf'));
    const before = await snapshotTree(tree.root);
    const io = captureIo();
    expect(await runInstall(options, io)).to.equal(1);
    expect(io.errors()).to.include('extensions.conf not found');
    expect(await snapshotTree(tree.root)).to.deep.equal(before);
  });
});
