import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnTracked, stopProcess, type Spawned } from './processes.js';

const SCENARIOS = fileURLToPath(new URL('../sipp/', import.meta.url));

export interface SippRun {
  /** Scenario file name in test/live/sipp/. */
  readonly scenario: string;
  /** Local SIP port (a phone's static contact port, or any free port for a caller). */
  readonly port: number;
  /** UAC: where to send (Asterisk's SIP port) and what to dial. */
  readonly remote?: { readonly port: number; readonly service: string };
  /** How many calls this process makes or takes before it exits by itself. */
  readonly calls?: number;
  /** Scenario variables (`-set NAME VALUE`). */
  readonly vars?: Readonly<Record<string, string | number>>;
  /** Past this SIPp gives up (a hung scenario fails the test instead of the suite). */
  readonly timeoutSeconds?: number;
}

/** One SIPp process (a phone, the carrier, a caller), in its own working dir for its logs. */
export class Sipp {
  private constructor(
    readonly label: string,
    readonly process: Spawned,
    readonly dir: string,
  ) {}

  static start(label: string, run: SippRun): Sipp {
    const dir = mkdtempSync(join(tmpdir(), `live-sipp-${label.replace(/[^A-Za-z0-9]/g, '')}-`));
    const args = [
      '-sf', join(SCENARIOS, run.scenario),
      '-i', '127.0.0.1',
      '-p', String(run.port),
      '-m', String(run.calls ?? 1),
      '-nostdin',
      '-timeout', `${run.timeoutSeconds ?? 60}s`,
      '-timeout_error',
      '-trace_err',
      '-trace_msg',
    ];
    for (const [name, value] of Object.entries(run.vars ?? {})) args.push('-set', name, String(value));
    if (run.remote) args.push('-s', run.remote.service, `127.0.0.1:${run.remote.port}`);
    return new Sipp(label, spawnTracked(`sipp ${label}`, 'sipp', args, { cwd: dir, stdio: 'ignore' }), dir);
  }

  /** Waits for SIPp to end by itself; a non-zero exit (a failed call) throws with its error log. */
  async done(timeoutMs = 60000): Promise<void> {
    const code = await Promise.race([
      this.process.exited,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref()),
    ]);
    if (code === 0) return;
    if (code === 'timeout') await this.stop();
    throw new Error(`SIPp ${this.label} ended with ${code}\n${this.errors()}`);
  }

  /** Stops it now (a phone left ringing, a carrier no longer needed). */
  async stop(): Promise<void> {
    await stopProcess(this.process, 1000);
  }

  /** The unexpected messages SIPp logged, and the end of its message trace. */
  errors(): string {
    const out: string[] = [];
    for (const file of readdirSync(this.dir)) {
      const text = readFileSync(join(this.dir, file), 'utf8');
      if (file.includes('_errors')) out.push(`${file}:\n${text.slice(-3000)}`);
      else if (file.includes('_messages')) out.push(`${file} (end):\n${text.slice(-2500)}`);
    }
    return out.join('\n');
  }
}
