import { expect } from 'chai';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runInstall, runUninstall } from '../../src/ops/install/run.js';
import { captureIo, FIXED_SECRET, FREEPBX_MANAGER_CUSTOM, HUBSOFT_FLAGS, installOptions, makeTree, snapshotTree, type TempTree } from './install-fixtures.js';

const RUNTIME = { nodePath: '/usr/bin/node', entryPath: '/usr/lib/node_modules/hubsoft-pbx-bridge/dist/src/cli/bin.js' };
const ASTERISK_GID = 4242;
const SECRETS = [FIXED_SECRET, HUBSOFT_FLAGS.password, HUBSOFT_FLAGS.clientSecret];
const asRoot = process.getuid?.() === 0;

/** Makes every file of the tree 0644, the FreePBX-style ones 0664, and names Asterisk's group. */
async function looseTree(tree: TempTree, flavor: 'freepbx' | 'asterisk'): Promise<void> {
  const etc = (name: string) => join(tree.root, 'etc', 'asterisk', name);
  await writeFile(etc('asterisk.conf'), '[directories]\nastetcdir => /etc/asterisk\n\n[options]\nrunuser = asterisk ; as FreePBX sets it\nrungroup = asterisk\n');
  await writeFile(join(tree.root, 'etc', 'group'), `root:x:0:\nasterisk:x:${ASTERISK_GID}:\n`);
  for (const [name, mode] of Object.entries(flavor === 'freepbx' ? { 'manager.conf': 0o664, 'manager_custom.conf': 0o664, 'extensions_custom.conf': 0o664, 'asterisk.conf': 0o664 } : { 'manager.conf': 0o644, 'extensions.conf': 0o644, 'asterisk.conf': 0o644 })) {
    await chmod(etc(name), mode);
  }
}

/** Every file under the root that holds one of the secrets, with its mode. */
async function filesWithSecrets(root: string): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (const [path, entry] of await snapshotTree(root)) {
    if (entry.type === 'file' && SECRETS.some((secret) => entry.content!.includes(secret))) found.set(path, entry.mode);
  }
  return found;
}

for (const flavor of ['asterisk', 'freepbx'] as const) {
  describe(`install --${flavor}: files holding secrets are never world-readable (fake --root, neighbours 0644/0664)`, () => {
    let tree: TempTree;
    beforeEach(async () => {
      tree = await makeTree(flavor);
      await looseTree(tree, flavor);
    });
    afterEach(() => tree.cleanup());

    const amiUserFile = flavor === 'freepbx' ? '/etc/hubsoft-pbx-bridge/asterisk-manager.conf' : '/etc/asterisk/manager.d/hubsoft-pbx-bridge.conf';

    it('writes the AMI user 0640 with Asterisk\'s group and config.yaml 0600; nothing holding a secret is readable by others', async () => {
      const io = captureIo();
      expect(await runInstall(installOptions(tree, flavor, RUNTIME), io)).to.equal(0, io.errors());
      const secretFiles = await filesWithSecrets(tree.root);
      expect([...secretFiles.keys()].sort()).to.deep.equal([amiUserFile, '/etc/hubsoft-pbx-bridge/config.yaml'].sort());
      for (const [path, mode] of secretFiles) expect(mode & 0o007, `${path} is 0${mode.toString(8)}`).to.equal(0);
      const amiUser = await stat(join(tree.root, amiUserFile));
      expect(amiUser.mode & 0o777).to.equal(0o640);
      if (asRoot) expect(amiUser.gid, 'rungroup from asterisk.conf, resolved in the tree\'s /etc/group').to.equal(ASTERISK_GID);
      expect((await stat(join(tree.root, 'etc/hubsoft-pbx-bridge/config.yaml'))).mode & 0o777).to.equal(0o600);
    });

    it('tightens an AMI user file an older install left 0644, and uninstall still gives every byte and mode back', async () => {
      const original = await snapshotTree(tree.root);
      expect(await runInstall(installOptions(tree, flavor, RUNTIME), captureIo())).to.equal(0);
      await chmod(join(tree.root, amiUserFile), 0o644);
      const io = captureIo();
      expect(await runInstall(installOptions(tree, flavor, RUNTIME), io)).to.equal(0, io.errors());
      expect(io.output()).to.include(`update   ${amiUserFile} (0640)`);
      expect((await stat(join(tree.root, amiUserFile))).mode & 0o777).to.equal(0o640);
      expect(await runUninstall({ root: tree.root, dryRun: false, purge: true }, captureIo())).to.equal(0);
      expect(await snapshotTree(tree.root)).to.deep.equal(original);
    });

    it('refuses to keep a world-readable config.yaml that holds secrets, naming the fix; --force rewrites it 0600', async () => {
      const configPath = join(tree.root, 'etc/hubsoft-pbx-bridge/config.yaml');
      await mkdir(join(tree.root, 'etc/hubsoft-pbx-bridge'), { recursive: true });
      await writeFile(configPath, `hubsoft:\n  password: ${HUBSOFT_FLAGS.password}\nami:\n  username: hubsoft-pbx-bridge\n  secret: ${FIXED_SECRET}\n`);
      await chmod(configPath, 0o644);
      const before = await snapshotTree(tree.root);
      const io = captureIo();
      expect(await runInstall(installOptions(tree, flavor, RUNTIME), io)).to.equal(1);
      expect(io.errors()).to.include('INSTALL_FAILED');
      expect(io.errors()).to.include('config.yaml holds secrets (hubsoft.password, ami.secret) and its mode 0644 lets every user on this host read it');
      expect(io.errors()).to.include('chmod 600');
      expect(await snapshotTree(tree.root)).to.deep.equal(before);

      expect(await runInstall({ ...installOptions(tree, flavor, RUNTIME), force: true }, captureIo())).to.equal(0);
      expect((await stat(configPath)).mode & 0o777).to.equal(0o600);
    });

    it('accepts a world-readable config.yaml without secrets (they come from the environment)', async () => {
      const configPath = join(tree.root, 'etc/hubsoft-pbx-bridge/config.yaml');
      await mkdir(join(tree.root, 'etc/hubsoft-pbx-bridge'), { recursive: true });
      await writeFile(configPath, 'hubsoft:\n  url: https://api.example-isp.hubsoft.com.br\nlog:\n  level: info\n');
      await chmod(configPath, 0o644);
      const io = captureIo();
      expect(await runInstall(installOptions(tree, flavor, RUNTIME), io)).to.equal(0, io.errors());
    });
  });
}

describe('install --freepbx over an older install that kept the AMI user inside manager_custom.conf', () => {
  let tree: TempTree;
  beforeEach(async () => {
    tree = await makeTree('freepbx');
  });
  afterEach(() => tree.cleanup());

  it('moves the user (same secret) into the 0640 file and leaves only the include in manager_custom.conf', async () => {
    const custom = join(tree.root, 'etc/asterisk/manager_custom.conf');
    const legacySecret = 'L'.repeat(43);
    const legacy = `${FREEPBX_MANAGER_CUSTOM}\n; BEGIN hubsoft-pbx-bridge ami-user (added by 'hubsoft-pbx-bridge install', removed by 'uninstall'; do not edit)\n[hubsoft-pbx-bridge]\nsecret=${legacySecret}\nread=call\n; END hubsoft-pbx-bridge ami-user\n`;
    await writeFile(custom, legacy);
    const io = captureIo();
    expect(await runInstall(installOptions(tree, 'freepbx', RUNTIME), io)).to.equal(0, io.errors());
    const text = await readFile(custom, 'utf8');
    expect(text).not.to.include(legacySecret);
    expect(text).to.include('#include ../hubsoft-pbx-bridge/asterisk-manager.conf');
    expect(await readFile(join(tree.root, 'etc/hubsoft-pbx-bridge/asterisk-manager.conf'), 'utf8')).to.include(`secret=${legacySecret}\n`);
    expect(await readFile(join(tree.root, 'etc/hubsoft-pbx-bridge/config.yaml'), 'utf8')).to.include(legacySecret);
  });
});
