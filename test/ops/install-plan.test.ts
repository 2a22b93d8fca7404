import { expect } from 'chai';
import fc from 'fast-check';
import { findAmiSecret, includesManagerDir, readManagerGeneral } from '../../src/ops/install/ami-user.js';
import { findBlock, removeBlock, upsertBlock } from '../../src/ops/install/managed-block.js';
import type { FileState, Snapshot } from '../../src/ops/install/plan.js';
import { planInstall, type InstallInput } from '../../src/ops/install/plan-install.js';
import { planUninstall } from '../../src/ops/install/plan-uninstall.js';
import { FIXED_SECRET, FREEPBX_EXTENSIONS_CONF, FREEPBX_MANAGER_CONF, HUBSOFT_FLAGS, SNIPPET_FREEPBX } from './install-fixtures.js';

const file = (content: string, mode = 0o644): FileState => ({ content, mode, uid: 0, gid: 0 });

describe('install planning (pure)', () => {
  describe('managed blocks', () => {
    it('removing an added block gives back any text, and adding twice changes nothing', () => {
      fc.assert(
        fc.property(fc.string(), fc.string({ minLength: 1 }).filter((s) => !s.includes('BEGIN hubsoft') && !s.includes('END hubsoft')), (text, body) => {
          const once = upsertBlock(text, 'x', body);
          expect(upsertBlock(once, 'x', body)).to.equal(once);
          expect(removeBlock(once, 'x')).to.equal(text);
        }),
      );
    });

    it('replaces the body in place when the snippet changes', () => {
      const text = upsertBlock('a\n', 'x', 'one\n') + 'tail\n';
      const updated = upsertBlock(text, 'x', 'two\n');
      expect(findBlock(updated, 'x')?.body).to.equal('two\n');
      expect(updated.endsWith('tail\n')).to.equal(true);
      expect(removeBlock(updated, 'x')).to.equal('a\ntail\n');
    });
  });

  describe('manager.conf reading', () => {
    it('finds the secret of a section, the include and the [general] port', () => {
      expect(findAmiSecret('[a]\nsecret=1\n[hubsoft-pbx-bridge]\nsecret = abc \nread=call\n')).to.equal('abc');
      expect(findAmiSecret('[a]\nsecret=1\n')).to.equal(null);
      expect(includesManagerDir('#include "manager.d/*.conf"\n')).to.equal(true);
      expect(includesManagerDir('#tryinclude manager.d/*.conf\n')).to.equal(true);
      expect(includesManagerDir(';#include manager.d/*.conf\n')).to.equal(false);
      expect(readManagerGeneral('[general]\nenabled = yes\nport = 5039 ; custom\n[x]\nport=1\n')).to.deep.equal({ enabled: true, port: 5039, bindaddr: '0.0.0.0' });
    });
  });

  describe('on the real root (/)', () => {
    const snapshot: Snapshot = {
      files: new Map([
        ['/etc/asterisk/manager.conf', file(FREEPBX_MANAGER_CONF)],
        ['/etc/asterisk/extensions.conf', file(FREEPBX_EXTENSIONS_CONF)],
      ]),
      dirs: new Set(['/etc', '/etc/asterisk', '/etc/systemd', '/etc/systemd/system', '/var', '/var/lib']),
    };
    const input: InstallInput = {
      root: '/',
      flavor: 'freepbx',
      snapshot,
      serviceUser: 'hubsoft-pbx-bridge',
      serviceGroup: 'hubsoft-pbx-bridge',
      hubsoft: HUBSOFT_FLAGS,
      force: false,
      eventFilter: true,
      dialplanSnippet: SNIPPET_FREEPBX,
      unitTemplate: 'User=x\nGroup=x\nExecStart=/bin/true\n',
      nodePath: '/usr/bin/node',
      entryPath: '/usr/lib/node_modules/hubsoft-pbx-bridge/dist/src/cli/bin.js',
      generateSecret: () => FIXED_SECRET,
      userExists: false,
      asteriskPresent: true,
    };

    it('plans useradd first, then reloads, enable and restart; skips nothing', () => {
      const plan = planInstall(input);
      expect(plan.skipped).to.deep.equal([]);
      expect(plan.commands.map((c) => `${c.phase}: ${c.argv.join(' ')}`)).to.deep.equal([
        'before: useradd --system --user-group --home-dir /var/lib/hubsoft-pbx-bridge --no-create-home --shell /usr/sbin/nologin hubsoft-pbx-bridge',
        'after: asterisk -rx manager reload',
        'after: asterisk -rx dialplan reload',
        'after: systemctl daemon-reload',
        'after: systemctl enable hubsoft-pbx-bridge',
        'after: systemctl restart hubsoft-pbx-bridge',
      ]);
      const config = plan.changes.find((c) => c.kind === 'write' && c.path === '/etc/hubsoft-pbx-bridge/config.yaml');
      expect(config).to.deep.include({ mode: 0o600, owner: { user: 'hubsoft-pbx-bridge' } });
      const manifest = plan.changes.find((c) => c.kind === 'write' && c.path.endsWith('install-manifest.json'));
      expect(manifest && manifest.kind === 'write' && JSON.parse(manifest.content).createdUser).to.equal('hubsoft-pbx-bridge');
    });

    it('never writes manager_additional.conf and never runs asterisk when it is absent', () => {
      const plan = planInstall({ ...input, asteriskPresent: false, userExists: true, serviceUser: 'asterisk', serviceGroup: 'asterisk' });
      expect(plan.changes.map((c) => c.path)).not.to.include('/etc/asterisk/manager_additional.conf');
      expect(plan.commands.map((c) => c.argv[0])).to.deep.equal(['systemctl', 'systemctl', 'systemctl']);
      expect(plan.warnings.join('\n')).to.include('asterisk is not on PATH');
    });

    it('uninstall stops the unit before deleting it and removes the user only with --purge', () => {
      const manifest = JSON.stringify({ version: 1, flavor: 'freepbx', createdFiles: [], createdDirs: [], createdUser: 'hubsoft-pbx-bridge' });
      const installed: Snapshot = {
        files: new Map([
          ['/etc/systemd/system/hubsoft-pbx-bridge.service', file('[Service]\nExecStart=/usr/bin/node main.js # hubsoft-pbx-bridge\n')],
          ['/var/lib/hubsoft-pbx-bridge/install-manifest.json', file(manifest)],
        ]),
        dirs: new Set(['/var/lib/hubsoft-pbx-bridge']),
      };
      const keep = planUninstall({ root: '/', snapshot: installed, purge: false, asteriskPresent: true });
      expect(keep.commands.map((c) => `${c.phase}: ${c.argv.join(' ')}`)).to.deep.equal(['before: systemctl disable --now hubsoft-pbx-bridge', 'after: systemctl daemon-reload']);
      const purge = planUninstall({ root: '/', snapshot: installed, purge: true, asteriskPresent: true });
      expect(purge.commands.map((c) => c.argv.join(' '))).to.include('userdel hubsoft-pbx-bridge');
    });
  });
});
