import { BLOCKS, PATHS, SERVICE_NAME } from './layout.js';
import { findBlock, removeBlock } from './managed-block.js';
import { parseManifest, type Plan, type Snapshot } from './plan.js';
import { PlanBuilder } from './plan-builder.js';
import { OWNED_FILE_HEADER } from './plan-install.js';

export interface UninstallInput {
  root: string;
  snapshot: Snapshot;
  purge: boolean;
  asteriskPresent: boolean;
}

/** Files where install may have added a marker block, and which block. */
const BLOCK_FILES: ReadonlyArray<readonly [string, string]> = [
  [PATHS.managerCustom, BLOCKS.amiUser],
  [PATHS.managerConf, BLOCKS.managerInclude],
  [PATHS.extensionsCustom, BLOCKS.dialplan],
  [PATHS.extensionsConf, BLOCKS.dialplanInclude],
];

export function planUninstall(input: UninstallInput): Plan {
  const b = new PlanBuilder(input.snapshot, input.root);
  const manifest = parseManifest(b.read(PATHS.manifest) ?? undefined);
  const created = new Set(manifest?.createdFiles ?? []);
  let managerChanged = false;
  let dialplanChanged = false;

  for (const [path, block] of BLOCK_FILES) {
    const text = b.read(path);
    if (text === null || !findBlock(text, block)) continue;
    const rest = removeBlock(text, block);
    const isManager = path.includes('manager');
    if (rest === '' && created.has(path)) b.delete(path, 'created by install, now empty');
    else b.write(path, rest, { mode: 0o644, owner: {}, why: `remove the ${block} block` });
    if (isManager) managerChanged = true;
    else dialplanChanged = true;
  }
  for (const path of [PATHS.managerDropIn, PATHS.freepbxAmiUser, PATHS.dialplanFile]) {
    const text = b.read(path);
    if (text === null) continue;
    if (!text.startsWith(OWNED_FILE_HEADER)) {
      b.warnings.push(`${path} was not written by install: left in place.`);
      continue;
    }
    b.delete(path, 'created by install');
    if (path !== PATHS.dialplanFile) managerChanged = true;
    else dialplanChanged = true;
  }

  const unit = b.read(PATHS.unitFile);
  if (unit !== null) {
    if (unit.includes(SERVICE_NAME)) {
      b.run(['systemctl', 'disable', '--now', SERVICE_NAME], 'stop the bridge and drop it from boot', 'before');
      b.delete(PATHS.unitFile, 'systemd unit');
      b.run(['systemctl', 'daemon-reload'], 'forget the unit');
    } else {
      b.warnings.push(`${PATHS.unitFile} does not look like ours: left in place.`);
    }
  }
  b.delete(PATHS.manifest, 'install record');

  if (input.purge) {
    b.delete(PATHS.configFile, '--purge: configuration with secrets');
    if (b.hasDir(PATHS.configDir)) b.changes.push({ kind: 'rmdir', path: PATHS.configDir, recursive: false, why: '--purge (kept if you put other files there)' });
    if (b.hasDir(PATHS.stateDir)) b.changes.push({ kind: 'rmdir', path: PATHS.stateDir, recursive: true, why: '--purge: state and cache' });
    if (manifest?.createdUser) b.run(['userdel', manifest.createdUser], `--purge: service user ${manifest.createdUser} (created by install)`);
  } else if (b.read(PATHS.configFile) !== null) {
    b.notes.push(`${PATHS.configFile} kept; uninstall --purge removes it.`);
  }
  // Directories install created go when empty, children before parents; anything left in them stays.
  for (const dir of [...(manifest?.createdDirs ?? [])].sort((x, y) => y.length - x.length)) {
    if (dir === PATHS.configDir && !input.purge) continue;
    if (input.purge && (dir === PATHS.configDir || dir === PATHS.stateDir)) continue;
    b.changes.push({ kind: 'rmdir', path: dir, recursive: false, why: 'created by install, removed when empty' });
  }

  const asterisk = !b.live || input.asteriskPresent;
  if (managerChanged && asterisk) b.run(['asterisk', '-rx', 'manager reload'], 'drop the AMI user');
  if (dialplanChanged && asterisk) b.run(['asterisk', '-rx', 'dialplan reload'], 'drop the dialplan snippet');
  if (b.changes.length === 0) b.notes.push('Nothing to remove: not installed.');
  return b.build('uninstall');
}
