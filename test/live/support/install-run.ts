import { Command } from 'commander';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { registerInstallCommands } from '../../../src/cli/install.js';
import type { CommandIo } from '../../../src/ops/install/run.js';
import type { LiveAsterisk } from './asterisk.js';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/**
 * Runs `hubsoft-pbx-bridge <args>` in-process through the real command definitions (registerInstallCommands, as
 * buildProgram wires them), with output captured and an empty environment: no HUBSOFT_* leaks in from the host,
 * no terminal to prompt on. Commands the plan would run are never run: with --root they are only listed.
 */
export async function runCli(args: readonly string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  let code = 0;
  const io: CommandIo = {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
    env: {},
    hooks: {
      runCommand: async (argv) => {
        throw new Error(`a --root run must not run commands (asked for: ${argv.join(' ')})`);
      },
    },
  };
  const program = new Command('hubsoft-pbx-bridge').exitOverride();
  program.configureOutput({ writeOut: (text) => (out += text), writeErr: (text) => (err += text) });
  registerInstallCommands(
    program,
    (exit) => {
      code = exit;
    },
    () => io,
  );
  await program.parseAsync([...args], { from: 'user' });
  return { code, out, err };
}

/** One entry of a tree snapshot: a file's bytes (null for a directory) and its permission bits. */
export interface TreeEntry {
  readonly bytes: Buffer | null;
  readonly mode: number;
}

/** Every entry under dir: files with their bytes, directories as "name/"; each with its mode. */
export function snapshotTree(dir: string, prefix = ''): Map<string, TreeEntry> {
  const out = new Map<string, TreeEntry>();
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    const rel = prefix ? `${prefix}/${name}` : name;
    const info = statSync(full);
    if (info.isDirectory()) {
      out.set(`${rel}/`, { bytes: null, mode: info.mode & 0o7777 });
      for (const [key, value] of snapshotTree(full, rel)) out.set(key, value);
    } else {
      out.set(rel, { bytes: readFileSync(full), mode: info.mode & 0o7777 });
    }
  }
  return out;
}

/** What differs between two snapshots, one line per entry (empty when they are the same, byte for byte). */
export function treeDiff(before: Map<string, TreeEntry>, after: Map<string, TreeEntry>): string[] {
  const lines: string[] = [];
  for (const [name, old] of before) {
    const now = after.get(name);
    if (!now) lines.push(`removed ${name}`);
    else if (old.bytes !== null && (now.bytes === null || !old.bytes.equals(now.bytes))) lines.push(`changed ${name}`);
    else if (old.mode !== now.mode) lines.push(`mode    ${name} ${old.mode.toString(8)} -> ${now.mode.toString(8)}`);
  }
  for (const name of after.keys()) if (!before.has(name)) lines.push(`added   ${name}`);
  return lines;
}

/** A log line without its timestamp and thread id ("[date] WARNING[123] file.c: text" -> "WARNING file.c: text"). */
function bare(line: string): string {
  return line.replace(/^\[[^\]]*\]\s*/, '').replace(/^(\w+)\[\d+\](\[[^\]]*\])?/, '$1');
}

/**
 * Runs CLI commands (reloads) and returns the ERROR/WARNING lines messages.log gained meanwhile. Asterisk's
 * logger thread writes after `-rx` returns; every `-rx` ends with a "Remote UNIX connection disconnected"
 * line, so this waits until the log holds one per command.
 */
export async function problemsDuring(asterisk: LiveAsterisk, commands: readonly string[]): Promise<{ lines: string[]; output: string[]; log: string }> {
  // Lines of earlier commands still on their way to the file must not count as this run's.
  let settled = asterisk.log();
  for (let tries = 0; tries < 20; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = asterisk.log();
    if (now === settled) break;
    settled = now;
  }
  const start = Buffer.byteLength(asterisk.log());
  const output = commands.map((command) => asterisk.cli(command));
  const deadline = Date.now() + 5000;
  let fresh = '';
  for (;;) {
    fresh = Buffer.from(asterisk.log()).subarray(start).toString('utf8');
    const done = fresh.split('\n').filter((line) => line.includes('Remote UNIX connection disconnected')).length;
    if (done >= commands.length) break;
    if (Date.now() > deadline) throw new Error(`messages.log did not show the ${commands.length} CLI command(s) end within 5 s:\n${fresh}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const lines = fresh
    .split('\n')
    .filter((line) => /\b(ERROR|WARNING)\[/.test(line))
    .map(bare);
  return { lines, output, log: fresh };
}
