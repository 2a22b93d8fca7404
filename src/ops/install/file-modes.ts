import { PATHS } from './layout.js';
import type { PlanBuilder } from './plan-builder.js';

/** Files holding a secret: owner read-write, Asterisk's (or the service's) group read, nobody else. */
export const SECRET_FILE_MODE = 0o640;
export const CONFIG_FILE_MODE = 0o600;

/**
 * Owner and group for a file Asterisk must read that holds the AMI secret: manager.conf's owner, and the
 * group Asterisk runs as: asterisk.conf's rungroup (or runuser's primary group), else an "asterisk" group,
 * else manager.conf's group (Asterisk reads that file, so it runs as its owner or in its group).
 */
export function asteriskOwnership(b: PlanBuilder): { uid?: number; gid?: number } {
  const manager = b.snapshot.files.get(PATHS.managerConf);
  const groups = parseTable(b.read(PATHS.etcGroup));
  const users = parseTable(b.read(PATHS.etcPasswd));
  const options = readRunAs(b.read(PATHS.asteriskConf) ?? '');
  const gid =
    idOf(groups, options.rungroup, 2) ??
    idOf(users, options.runuser, 3) ??
    idOf(groups, 'asterisk', 2) ??
    manager?.gid;
  return { ...(manager ? { uid: manager.uid } : {}), ...(gid !== undefined ? { gid } : {}) };
}

/** [options] runuser / rungroup of asterisk.conf (";" comments, "=" or "=>"). */
function readRunAs(text: string): { runuser?: string; rungroup?: string } {
  const found: { runuser?: string; rungroup?: string } = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/;.*$/, '').trim();
    const header = /^\[([^\]]+)\]/.exec(line);
    if (header) section = header[1]!.trim().toLowerCase();
    const pair = /^(runuser|rungroup)\s*=>?\s*(\S+)$/i.exec(line);
    if (section === 'options' && pair) found[pair[1]!.toLowerCase() as 'runuser' | 'rungroup'] = pair[2]!;
  }
  return found;
}

function parseTable(text: string | null): string[][] {
  return (text ?? '').split('\n').filter((line) => line && !line.startsWith('#')).map((line) => line.split(':'));
}

function idOf(table: string[][], name: string | undefined, column: number): number | undefined {
  if (!name) return undefined;
  const value = table.find((row) => row[0] === name)?.[column];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * What an existing config file's mode exposes, for install and check. `world`: any user on the host can read
 * or change it (install refuses); otherwise its group may change it (a warning). Null when private enough.
 */
export function configExposure(mode: number): { world: boolean; text: string } | null {
  const bits = mode & 0o777;
  if (bits & 0o007) return { world: true, text: `mode 0${bits.toString(8)} lets every user on this host read it` };
  if (bits & 0o020) return { world: false, text: `mode 0${bits.toString(8)} lets its group change it` };
  return null;
}

/** The config keys in `text` that hold a secret (a broken file counts as holding some: better safe). */
export function secretKeysIn(text: string, parse: (text: string) => unknown): string[] {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch {
    return ['(unparsable file)'];
  }
  const at = (section: string, key: string): unknown => {
    const part = raw && typeof raw === 'object' ? (raw as Record<string, unknown>)[section] : undefined;
    return part && typeof part === 'object' ? (part as Record<string, unknown>)[key] : undefined;
  };
  const keys: Array<[string, string]> = [['hubsoft', 'clientSecret'], ['hubsoft', 'password'], ['ami', 'secret'], ['gsan', 'key'], ['health', 'token']];
  return keys.filter(([section, key]) => typeof at(section, key) === 'string' && at(section, key) !== '').map(([section, key]) => `${section}.${key}`);
}
