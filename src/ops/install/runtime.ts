import { access, constants, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
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
export function detectFlavor(root: string): Flavor {
  return PATHS.freepbxMarkers.some((path) => existsSync(underRoot(root, path))) ? 'freepbx' : 'asterisk';
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
