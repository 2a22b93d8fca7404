import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, open, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { BridgeError } from '../../errors.js';
import { underRoot } from './layout.js';
import type { Change, Command, Ownership, Plan } from './plan.js';

const run = promisify(execFile);

export interface ApplyHooks {
  /** Runs a command; injectable so tests never call systemctl. Defaults to execFile with a timeout. */
  runCommand?: (argv: readonly string[]) => Promise<void>;
  /** Resolves a user name to uid/gid; only called when root is /. */
  lookupUser?: (user: string) => Promise<{ uid: number; gid: number } | null>;
  /** Reports progress lines. */
  say?: (line: string) => void;
}

export interface ApplyResult {
  applied: number;
  commandsRun: number;
  /** Commands that failed: the file changes stay, the message says what to run by hand. */
  failures: string[];
}

const COMMAND_TIMEOUT_MS = 60_000;

export async function applyPlan(plan: Plan, hooks: ApplyHooks = {}): Promise<ApplyResult> {
  const say = hooks.say ?? (() => undefined);
  const runCommand = hooks.runCommand ?? defaultRunCommand;
  const lookupUser = hooks.lookupUser ?? defaultLookupUser;
  const failures: string[] = [];
  let commandsRun = 0;

  const runPhase = async (phase: Command['phase']): Promise<void> => {
    for (const command of plan.commands.filter((c) => c.phase === phase)) {
      try {
        await runCommand(command.argv);
        commandsRun += 1;
        say(`ran      ${command.argv.join(' ')}`);
      } catch (error) {
        failures.push(`${command.argv.join(' ')} failed (${(error as Error).message.split('\n')[0]}): run it by hand.`);
      }
    }
  };

  await runPhase('before');
  let applied = 0;
  for (const change of plan.changes) {
    try {
      await applyChange(plan.root, change, lookupUser);
    } catch (error) {
      throw new BridgeError('INSTALL_FAILED', `${change.kind} ${change.path}: ${(error as Error).message}`, {}, { cause: error });
    }
    applied += 1;
  }
  await runPhase('after');
  return { applied, commandsRun, failures };
}

async function applyChange(root: string, change: Change, lookupUser: NonNullable<ApplyHooks['lookupUser']>): Promise<void> {
  const full = underRoot(root, change.path);
  switch (change.kind) {
    case 'mkdir':
      await mkdir(full, { mode: change.mode });
      await chmod(full, change.mode);
      return;
    case 'write':
      await writeAtomic(full, change.content, change.mode, await resolveOwner(root, change.owner, lookupUser));
      return;
    case 'delete':
      await unlink(full).catch(ignore('ENOENT'));
      return;
    case 'rmdir':
      if (change.recursive) await rm(full, { recursive: true, force: true });
      else await rmdir(full).catch(ignore('ENOENT', 'ENOTEMPTY', 'EEXIST'));
      return;
  }
}

/** Temp file in the same directory, fsync, mode and owner set, then rename over the target. */
async function writeAtomic(path: string, content: string, mode: number, owner: { uid: number; gid: number } | null): Promise<void> {
  const temp = posix.join(posix.dirname(path), `.${posix.basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    if (owner && process.getuid?.() === 0) await chown(temp, owner.uid, owner.gid);
    await chmod(temp, mode);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

async function resolveOwner(root: string, owner: Ownership, lookupUser: NonNullable<ApplyHooks['lookupUser']>): Promise<{ uid: number; gid: number } | null> {
  if (owner.user !== undefined) {
    if (root !== '/') return null;
    const found = await lookupUser(owner.user);
    if (!found) throw new Error(`user ${owner.user} does not exist`);
    return found;
  }
  if (owner.uid !== undefined && owner.gid !== undefined) return { uid: owner.uid, gid: owner.gid };
  return null;
}

function ignore(...codes: string[]) {
  return (error: NodeJS.ErrnoException): void => {
    if (!codes.includes(error.code ?? '')) throw error;
  };
}

async function defaultRunCommand(argv: readonly string[]): Promise<void> {
  const [file, ...args] = argv;
  await run(file!, args, { timeout: COMMAND_TIMEOUT_MS });
}

export async function defaultLookupUser(user: string): Promise<{ uid: number; gid: number } | null> {
  try {
    const uid = Number((await run('id', ['-u', user], { timeout: 5000 })).stdout.trim());
    const gid = Number((await run('id', ['-g', user], { timeout: 5000 })).stdout.trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
  } catch {
    return null;
  }
}
