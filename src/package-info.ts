import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BridgeError } from './errors.js';

const PACKAGE_NAME = 'hubsoft-pbx-bridge';

/** The package's own directory (holding package.json), found from this file's location in src/ or dist/src/. */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
      } catch {
        // not ours: keep climbing
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new BridgeError('INSTALL_FAILED', `cannot find the ${PACKAGE_NAME} package directory (package.json)`);
    dir = parent;
  }
}

let cachedVersion: string | undefined;

/** The version in package.json ("0.0.0" if it cannot be read, so metrics and logs never fail over it). */
export function packageVersion(): string {
  if (cachedVersion === undefined) {
    try {
      cachedVersion = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
    } catch {
      cachedVersion = '0.0.0';
    }
  }
  return cachedVersion;
}
