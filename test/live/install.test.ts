import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { AMI_READ, AMI_WRITE } from '../../src/ops/install/ami-user.js';
import { AMI_USERNAME } from '../../src/ops/install/layout.js';
import { FAKE_CREDENTIALS, startFakeHubsoft, type FakeHubsoft } from '../support/fake-hubsoft.js';
import { LiveAsterisk, type Variant } from './support/asterisk.js';
import { livePrefix } from './support/hooks.js';
import { problemsDuring, runCli, snapshotTree, treeDiff, type CliRun, type TreeEntry } from './support/install-run.js';
import { LiveBridge } from './support/live-bridge.js';
import { RawAmi } from './support/raw-ami.js';

/**
 * `install` / `uninstall --root` against a real Asterisk: the installer writes into the live instance's own config
 * dir (LiveAsterisk underRoot), Asterisk reloads what it wrote, the bridge logs in with the user it created, and
 * uninstall gives every byte back.
 */
interface Flavour {
  readonly variant: Variant;
  readonly flag: '--asterisk' | '--freepbx';
  /** What install does to the config dir (treeDiff lines, sorted). */
  readonly installDiff: readonly string[];
  /** The file holding the AMI user's secret, under --root: 0640, never world-readable. */
  readonly amiUserFile: string;
}

const FLAVOURS: readonly Flavour[] = [
  {
    variant: 'plain',
    flag: '--asterisk',
    installDiff: [
      'added   hubsoft-pbx-bridge-dialplan.conf',
      'added   manager.d/',
      'added   manager.d/hubsoft-pbx-bridge.conf',
      'changed extensions.conf',
      'changed manager.conf',
    ],
    amiUserFile: 'etc/asterisk/manager.d/hubsoft-pbx-bridge.conf',
  },
  {
    variant: 'freepbx',
    flag: '--freepbx',
    installDiff: ['changed extensions_custom.conf', 'changed manager_custom.conf'],
    amiUserFile: 'etc/hubsoft-pbx-bridge/asterisk-manager.conf',
  },
];

const RELOADS = ['manager reload', 'dialplan reload'] as const;

/** `manager show user NAME` as fields ("read perm" -> "system,call,agent"). */
function managerUser(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z ]+):\s?(.*)$/.exec(line);
    if (match) fields[match[1]!.trim()] = match[2]!.trim();
  }
  return fields;
}

const classes = (list: string): string[] => list.split(',').map((item) => item.trim()).filter(Boolean).sort();

function expectOk(run: CliRun, what: string): void {
  expect(run.code, `${what} exit code\n${run.out}\n${run.err}`).to.equal(0);
  expect(run.err, `${what} stderr`).to.equal('');
}

for (const flavour of FLAVOURS) {
  describe(`live install ${flavour.flag} --root (Asterisk ${flavour.variant} config, reloaded for real)`, function () {
    let asterisk: LiveAsterisk | undefined;
    let hubsoft: FakeHubsoft | undefined;
    /** The config dir and the whole --root tree as they were before any install. */
    let original: Map<string, TreeEntry>;
    let originalRoot: Map<string, TreeEntry>;
    /** Warnings a reload of the untouched config gives anyway (none expected, but not ours to judge). */
    let baselineWarnings: string[];
    let installedRoot: Map<string, TreeEntry>;

    const live = (): LiveAsterisk => {
      if (!asterisk) throw new Error('Asterisk did not start');
      return asterisk;
    };
    const root = (): string => live().root!;
    const configYaml = (): string => join(root(), 'etc', 'hubsoft-pbx-bridge', 'config.yaml');
    const install = (): Promise<CliRun> =>
      runCli([
        'install',
        flavour.flag,
        '--root',
        root(),
        '--hubsoft-url',
        hubsoft!.url,
        '--hubsoft-client-id',
        FAKE_CREDENTIALS.clientId,
        '--hubsoft-client-secret',
        FAKE_CREDENTIALS.clientSecret,
        '--hubsoft-username',
        FAKE_CREDENTIALS.username,
        '--hubsoft-password',
        FAKE_CREDENTIALS.password,
      ]);

    /** Reloads the manager and the dialplan; fails on any ERROR line, or a WARNING the untouched config did not give. */
    async function reloadClean(): Promise<void> {
      const { lines, output, log } = await problemsDuring(live(), RELOADS);
      const errors = lines.filter((line) => line.startsWith('ERROR'));
      const newWarnings = lines.filter((line) => line.startsWith('WARNING') && !baselineWarnings.includes(line));
      expect(errors, `ERROR lines after ${RELOADS.join(' / ')}:\n${log}`).to.deep.equal([]);
      expect(newWarnings, `new WARNING lines after ${RELOADS.join(' / ')}:\n${log}`).to.deep.equal([]);
      expect(output[1], 'dialplan reload').to.include('Dialplan reloaded');
    }

    /** The user is gone from Asterisk: `manager show user` does not know it and a login is refused. */
    async function expectUserGone(secret: string): Promise<void> {
      expect(live().cli(`manager show user ${AMI_USERNAME}`)).to.include(`There is no manager called ${AMI_USERNAME}`);
      let refused = '';
      try {
        const ami = await RawAmi.login(live().ports.ami, AMI_USERNAME, secret, 3000);
        await ami.logoff();
      } catch (error) {
        refused = String(error);
      }
      expect(refused, 'login as the removed user').to.match(/refused/);
      expect(live().cli('dialplan show hubsoft-alerts')).not.to.include("Context 'hubsoft-alerts'");
    }

    function installedConfig(): Config {
      return loadConfig({ path: configYaml(), env: {} }).config;
    }

    before(async function () {
      this.timeout(60000);
      const prefix = livePrefix(this);
      hubsoft = await startFakeHubsoft();
      asterisk = await LiveAsterisk.create({ prefix, variant: flavour.variant, underRoot: true });
      await asterisk.start();
      original = snapshotTree(asterisk.etc);
      originalRoot = snapshotTree(root());
      const baseline = await problemsDuring(asterisk, RELOADS);
      expect(baseline.lines.filter((line) => line.startsWith('ERROR')), `the untouched config reloads with errors:\n${baseline.log}`).to.deep.equal([]);
      baselineWarnings = baseline.lines;
    });

    after(async function () {
      this.timeout(20000);
      try {
        await asterisk?.destroy();
      } finally {
        await hubsoft?.close();
      }
    });

    it('install writes the AMI user, the dialplan and config.yaml, and lists the reloads it skipped', async () => {
      const run = await install();
      expectOk(run, 'install');
      installedRoot = snapshotTree(root());
      expect(treeDiff(original, snapshotTree(live().etc)).sort()).to.deep.equal(flavour.installDiff);
      expect(run.out).to.include('skipped  asterisk -rx manager reload');
      expect(run.out).to.include('skipped  asterisk -rx dialplan reload');
      // The runtime note about an unbuilt dist/ depends on the checkout, not on Asterisk: anything else is a finding.
      const warnings = run.out.split('\n').filter((line) => line.startsWith('warning:') && !line.includes("run 'npm run build'"));
      expect(warnings, run.out).to.deep.equal([]);

      const config = installedConfig();
      expect(config.ami).to.include({ host: '127.0.0.1', port: live().ports.ami, username: AMI_USERNAME });
      expect(config.ami.secret).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(config.hubsoft).to.include({ url: hubsoft!.url.replace(/\/+$/, ''), ...FAKE_CREDENTIALS });
      expect(installedRoot.get('etc/hubsoft-pbx-bridge/config.yaml')?.mode).to.equal(0o600);
      expect(installedRoot.get(flavour.amiUserFile)?.mode, flavour.amiUserFile).to.equal(0o640);
    });

    it('Asterisk loads it: manager and dialplan reload clean, the user has the documented classes, hubsoft-alerts exists', async () => {
      await reloadClean();
      const user = managerUser(live().cli(`manager show user ${AMI_USERNAME}`));
      expect(user.username).to.equal(AMI_USERNAME);
      expect(user.secret).to.equal('<Set>');
      expect(classes(user['read perm'] ?? ''), 'read classes').to.deep.equal(classes(AMI_READ));
      expect(classes(user['write perm'] ?? ''), 'write classes').to.deep.equal(classes(AMI_WRITE));
      expect(classes(AMI_READ)).to.deep.equal(['agent', 'call', 'system'], 'README: read=call,agent,system');
      expect(classes(AMI_WRITE)).to.deep.equal(['call', 'reporting'], 'README: write=call,reporting');
      const dialplan = live().cli('dialplan show hubsoft-alerts');
      expect(dialplan).to.include("[ Context 'hubsoft-alerts' created by 'pbx_config' ]");
      expect(live().cli('dialplan show hubsoft-alerts-agi')).to.include("[ Context 'hubsoft-alerts-agi' created by 'pbx_config' ]");
    });

    it('the bridge logs in with the user and secret install wrote to config.yaml', async () => {
      const config = installedConfig();
      const { host, port, username, secret } = config.ami;
      const { url, clientId, clientSecret, username: hubsoftUser, password } = config.hubsoft;
      // LiveBridge.start leaves its daemon running when the login never succeeds: refuse first, without it.
      await (await RawAmi.login(port, username, secret)).logoff();
      const bridge = await LiveBridge.start(live(), {
        hubsoft: hubsoft!,
        config: { ami: { host, port, username, secret }, hubsoft: { url, clientId, clientSecret, username: hubsoftUser, password } },
      });
      try {
        expect(bridge.config.ami.username).to.equal(AMI_USERNAME);
        expect(bridge.daemon.ami.state).to.equal('logged-in');
        // Give the login's follow-ups (Events, CoreShowChannels resync) time to be answered.
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(bridge.daemon.ami.state).to.equal('logged-in');
        expect(bridge.logs.filter((line) => /Permission denied|not allowed/i.test(line)), 'bridge log').to.deep.equal([]);
      } finally {
        await bridge.close();
      }
    });

    it('the user may do what the bridge does (CoreShowChannels, Getvar, Setvar) and no more', async () => {
      const { secret } = installedConfig().ami;
      const ami = await RawAmi.login(live().ports.ami, AMI_USERNAME, secret);
      try {
        const show = await ami.action({ Action: 'CoreShowChannels' }, 5000, 'csc-1');
        expect(show, 'CoreShowChannels').to.include({ Response: 'Success' });
        await ami.waitForEvent((event) => event.Event === 'CoreShowChannelsComplete' && event.ActionID === 'csc-1', 5000, 'CoreShowChannelsComplete');

        const getvar = await ami.action({ Action: 'Getvar', Channel: 'PJSIP/nobody-00000000', Variable: 'HUBSOFT_LOOKUP' });
        expect(getvar.Message ?? '', 'Getvar on a missing channel').not.to.match(/permission denied/i);
        expect(getvar.Message ?? '').to.match(/no such channel/i);
        const setvar = await ami.action({ Action: 'Setvar', Channel: 'PJSIP/nobody-00000000', Variable: 'HUBSOFT_LOOKUP', Value: 'notfound' });
        expect(setvar.Message ?? '', 'Setvar on a missing channel').not.to.match(/permission denied/i);
        expect(setvar.Message ?? '').to.match(/no such channel/i);
        const global = await ami.action({ Action: 'Getvar', Variable: 'HUBSOFT_NOT_SET' });
        expect(global, 'Getvar of a global').to.include({ Response: 'Success' });

        const forbiddenActions: Record<string, string>[] = [
          { Action: 'Originate', Channel: 'Local/1001@from-internal', Application: 'NoOp' },
          { Action: 'Command', Command: 'core show version' },
          { Action: 'Reload' },
        ];
        for (const forbidden of forbiddenActions) {
          const answer = await ami.action(forbidden);
          expect(answer, `${forbidden.Action} must be refused`).to.include({ Response: 'Error', Message: 'Permission denied' });
        }

        // Asterisk 22 applies the eventfilter lines: FullyBooted (listed) arrives, Reload (system class, not listed)
        // does not, while an unfiltered session sees it.
        const tester = await live().tester();
        try {
          live().cli('module reload res_musiconhold.so');
          live().cli('dialplan reload');
          await tester.waitForEvent((event) => event.Event === 'Reload', 5000, 'Reload on the unfiltered session');
          await new Promise((resolve) => setTimeout(resolve, 300));
        } finally {
          await tester.logoff();
        }
        expect(ami.events.some((event) => event.Event === 'FullyBooted'), 'FullyBooted passes the filter').to.equal(true);
        expect(ami.events.map((event) => event.Event)).not.to.include('Reload');
      } finally {
        await ami.logoff();
      }
    });

    it('a second install changes nothing', async () => {
      const run = await install();
      expectOk(run, 'second install');
      expect(run.out).to.include('Nothing to change: already installed.');
      expect(treeDiff(installedRoot, snapshotTree(root()))).to.deep.equal([]);
    });

    it('uninstall gives the config dir back byte for byte; Asterisk reloads clean and the user is gone', async () => {
      const { secret } = installedConfig().ami;
      const run = await runCli(['uninstall', '--root', root()]);
      expectOk(run, 'uninstall');
      expect(treeDiff(original, snapshotTree(live().etc))).to.deep.equal([]);
      expect(run.out).to.include('config.yaml kept; uninstall --purge removes it.');
      expect(snapshotTree(root()).has('etc/hubsoft-pbx-bridge/config.yaml')).to.equal(true);
      await reloadClean();
      await expectUserGone(secret);
    });

    it('install again (same secret), then uninstall --purge leaves the whole --root tree as it was', async () => {
      const { secret } = installedConfig().ami;
      expectOk(await install(), 'install again');
      expect(installedConfig().ami.secret, 'the kept config.yaml secret is reused').to.equal(secret);
      // Byte for byte the first install, but for its record: config.yaml (and its dir) outlived the plain uninstall,
      // so this install did not create them and its manifest does not list them (--purge removes them anyway).
      expect(treeDiff(installedRoot, snapshotTree(root()))).to.deep.equal(['changed var/lib/hubsoft-pbx-bridge/install-manifest.json']);
      const manifest = JSON.parse(readFileSync(join(root(), 'var/lib/hubsoft-pbx-bridge/install-manifest.json'), 'utf8')) as { createdFiles: string[]; createdDirs: string[] };
      expect(manifest.createdFiles).not.to.include('/etc/hubsoft-pbx-bridge/config.yaml');
      expect(manifest.createdDirs).not.to.include('/etc/hubsoft-pbx-bridge');
      await reloadClean();
      expect(live().cli(`manager show user ${AMI_USERNAME}`)).to.include(`username: ${AMI_USERNAME}`);

      const run = await runCli(['uninstall', '--purge', '--root', root()]);
      expectOk(run, 'uninstall --purge');
      expect(treeDiff(original, snapshotTree(live().etc))).to.deep.equal([]);
      expect(treeDiff(originalRoot, snapshotTree(root()))).to.deep.equal([]);
      await reloadClean();
      await expectUserGone(secret);
    });
  });
}
