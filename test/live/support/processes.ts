import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** A child the live suite started: Asterisk, SIPp or a bridge. */
export interface Spawned {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  readonly exited: Promise<number | string>;
}

const started = new Map<number, Spawned>();

/** Every pid the live suite ever started, so the end of the run can prove none is left. */
export const everyPid: number[] = [];

export function spawnTracked(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): Spawned {
  const child = spawn(command, args, { stdio: 'ignore', ...options });
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  const pid = child.pid;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      started.delete(pid);
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', () => {
      started.delete(pid);
      resolve('spawn-error');
    });
  });
  const spawned = { name, child, pid, exited };
  started.set(pid, spawned);
  everyPid.push(pid);
  return spawned;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after graceMs; resolves once the process is gone. */
export async function stopProcess(spawned: Spawned, graceMs = 3000): Promise<void> {
  if (!started.has(spawned.pid)) return;
  spawned.child.kill('SIGTERM');
  const timer = setTimeout(() => spawned.child.kill('SIGKILL'), graceMs);
  await spawned.exited;
  clearTimeout(timer);
}

/** Processes still running (what a test forgot); the root hook stops them and fails the run. */
export function stillRunning(): Spawned[] {
  return [...started.values()];
}

export async function stopAll(): Promise<void> {
  await Promise.all([...started.values()].map((spawned) => stopProcess(spawned, 1000)));
}

// A run interrupted (Ctrl-C, a CI timeout's SIGTERM) must not leave an Asterisk or SIPp behind either.
process.on('exit', () => {
  for (const spawned of started.values()) spawned.child.kill('SIGKILL');
});
for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => process.exit(128 + (signal === 'SIGTERM' ? 15 : 1)));
}
