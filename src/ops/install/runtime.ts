import { access, constants, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BridgeError } from '../../errors.js';
import { PATHS, underRoot, type Flavor } from './layout.js';

export { packageRoot } from '../../package-info.js';

const run = promisify(execFile);
export const MIN_NODE_MAJOR = 20;

export function snippetPath(pkgRoot: string, flavor: Flavor): string {
  return join(pkgRoot, 'config', 'asterisk', flavor === 'freepbx' ? 'hubsoft-alerts-freepbx.conf' : 'hubsoft-alerts-asterisk.conf');
}

export async function readPackaged(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new BridgeError('INSTALL_FAILED', `${what} is missing from the package (${path}): reinstall hubsoft-pbx-bridge.`);
  }
}

export interface Runtime {
  nodePath: string;
  entryPath: string;
  notes: string[];
}

/**
 * Which node and which CLI entry (dist/src/cli/bin.js) the unit runs: the offline bundle under /opt/hubsoft-pbx-bridge when present,
 * else the node running this installer (if >= 20) and this package's dist/src/cli/bin.js.
 */
export async function resolveRuntime(root: string, pkgRoot: string, execPath = process.execPath, version = process.versions.node): Promise<Runtime> {
  const notes: string[] = [];
  const bundled = await isExecutable(underRoot(root, PATHS.bundledNode));
  const bundledEntry = existsSync(underRoot(root, PATHS.bundledEntry));
  if (bundled && bundledEntry) {
    notes.push(`Node runtime: the bundled one, ${PATHS.bundledNode}.`);
    return { nodePath: PATHS.bundledNode, entryPath: PATHS.bundledEntry, notes };
  }
  const major = Number(version.split('.')[0]);
  if (!(major >= MIN_NODE_MAJOR)) {
    throw new BridgeError(
      'INSTALL_FAILED',
      `Node ${version} is too old (the bridge needs ${MIN_NODE_MAJOR} or 22): unpack the offline bundle into ${PATHS.optDir} (see systemd/INSTALL-NOTES.md), it carries its own Node.`,
    );
  }
  const entryPath = bundled ? PATHS.bundledEntry : join(pkgRoot, 'dist', 'src', 'cli', 'bin.js');
  const nodePath = bundled ? PATHS.bundledNode : execPath;
  for (const path of [nodePath, entryPath]) {
    if (/^\/(home|root|run\/user)\//.test(path)) {
      const message = `${path} is under a home directory, which the unit's ProtectHome= hides: install the package system-wide or use the offline bundle in ${PATHS.optDir}.`;
      if (root === '/') throw new BridgeError('INSTALL_FAILED', message);
      notes.push(`warning: ${message}`);
    }
  }
  if (!existsSync(entryPath)) notes.push(`warning: ${entryPath} does not exist yet: run 'npm run build' before starting the service.`);
  notes.push(`Node runtime: ${nodePath} (Node ${version}).`);
  return { nodePath, entryPath, notes };
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** True when a command exists on PATH (used only when root is /). */
export async function commandExists(name: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${name}`], { timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

/** FreePBX leaves /etc/freepbx.conf or /etc/amportal.conf behind; plain Asterisk has neither. */
/** What the tree says about FreePBX: the files found, and whether they settle it. */
export interface FlavorEvidence {
  /** 'unsure': only *_custom.conf files, which a hand-kept Asterisk may have too. */
  readonly flavor: Flavor | 'unsure';
  readonly files: readonly string[];
}

/**
 * FreePBX writes /etc/freepbx.conf (or amportal.conf) and generates /etc/asterisk/*_additional.conf: either
 * settles it. *_custom.conf alone is FreePBX's hand-edit convention, but nothing stops a plain Asterisk having one.
 */
export function detectFlavorEvidence(root: string): FlavorEvidence {
  const markers = PATHS.freepbxMarkers.filter((path) => existsSync(underRoot(root, path)));
  let names: string[] = [];
  try {
    names = readdirSync(underRoot(root, '/etc/asterisk')).sort();
  } catch {
    // No /etc/asterisk: nothing to go on (install's own check says Asterisk is missing).
  }
  const generated = names.filter((name) => name.endsWith('_additional.conf')).map((name) => `/etc/asterisk/${name}`);
  const custom = names.filter((name) => name.endsWith('_custom.conf')).map((name) => `/etc/asterisk/${name}`);
  if (markers.length > 0 || generated.length > 0) return { flavor: 'freepbx', files: [...markers, ...generated, ...custom] };
  if (custom.length > 0) return { flavor: 'unsure', files: custom };
  return { flavor: 'asterisk', files: [] };
}

/** The layout to assume without asking (advice texts): FreePBX whenever any of its files is there. */
export function detectFlavor(root: string): Flavor {
  return detectFlavorEvidence(root).flavor === 'asterisk' ? 'asterisk' : 'freepbx';
}

/** True when `id -u USER` succeeds (root / only). */
export async function defaultUserExists(user: string): Promise<boolean> {
  try {
    await run('id', ['-u', user], { timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}
