import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../log/logger.js';
import { DIR_MODE, replaceFile } from '../../outbox/outbox-file.js';
import type { CallStates, IdentifiedClient, SavedCall } from './call-state.js';
import type { CounterEntry, DailyCounters } from './daily-cap.js';

const VERSION = 1;
const FILE = 'self-service.json';

/**
 * The self-service state on disk (`<state.dir>/self-service.json`): the day's counts (caps, failed
 * confirmations) and the calls in progress, so neither a restart nor a new FastAGI session resets them. Small
 * (bounded by DailyCounters and CallStates), rewritten whole and atomically (temp file, fsync, rename), at most one
 * write in flight and the next one coalesced, as open-rings.ts does. A state dir that cannot be read or written
 * is logged once; the IVR goes on in memory and the next change tries again.
 */
export class SelfServiceStateFile {
  private writing: Promise<void> | null = null;
  private dirty = false;
  private failing = false;
  /** Resolves once the last run's state is loaded (commands wait for it). */
  readonly ready: Promise<void>;

  constructor(
    private readonly dir: string | null,
    private readonly counters: DailyCounters,
    private readonly calls: CallStates,
    private readonly options: { fsync: boolean; logger?: Logger },
  ) {
    this.ready = dir ? this.load(join(dir, FILE)) : Promise.resolve();
  }

  /** Schedules a write of the current state; resolves once it is on disk (or the write failed, logged). */
  save(): Promise<void> {
    if (!this.dir) return Promise.resolve();
    this.dirty = true;
    if (!this.writing) {
      this.writing = (async () => {
        try {
          while (this.dirty) {
            this.dirty = false;
            await this.write(this.dir!);
          }
        } finally {
          this.writing = null;
        }
      })();
    }
    return this.flush();
  }

  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async write(dir: string): Promise<void> {
    const path = join(dir, FILE);
    const data = Buffer.from(JSON.stringify({ v: VERSION, counters: this.counters.entries(), calls: this.calls.saved() }));
    try {
      await mkdir(dir, { recursive: true, mode: DIR_MODE });
      await replaceFile(dir, path, `${path}.tmp`, data, this.options.fsync);
      if (this.failing) this.options.logger?.warn({ file: path }, 'self-service state is saved again');
      this.failing = false;
    } catch (error) {
      if (!this.failing) {
        this.options.logger?.error({ err: error, file: path }, 'self-service state cannot be saved: daily caps and failed confirmations are kept in memory only until it can');
      }
      this.failing = true;
    }
  }

  private async load(path: string): Promise<void> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.options.logger?.error({ err: error, file: path }, 'self-service state of the last run cannot be read');
      return;
    }
    try {
      const parsed = JSON.parse(text) as { v?: unknown; counters?: unknown; calls?: unknown };
      if (parsed.v !== VERSION || !Array.isArray(parsed.counters) || !Array.isArray(parsed.calls)) throw new Error('unknown shape');
      this.counters.restore(parsed.counters.filter(isCounter));
      this.calls.restore(parsed.calls.filter(isCall));
    } catch (error) {
      this.options.logger?.error({ err: error, file: path }, 'self-service state file of the last run is damaged: ignored');
    }
  }
}

function isCounter(value: unknown): value is CounterEntry {
  return Array.isArray(value) && value.length === 3 && typeof value[0] === 'string' && Number.isInteger(value[1]) && Number.isInteger(value[2]);
}

function isCall(value: unknown): value is SavedCall {
  const c = value as Partial<SavedCall> | null;
  return (
    typeof c?.linkedid === 'string' &&
    typeof c.confirmed === 'boolean' &&
    Number.isInteger(c.confirmFailures) &&
    typeof c.lastUsed === 'number' &&
    (c.protocol === null || typeof c.protocol === 'string') &&
    Array.isArray(c.sent) &&
    c.sent.every((s) => Array.isArray(s) && typeof s[0] === 'string' && (s[1] === 'sent' || s[1] === 'pending')) &&
    (c.client === null || isClient(c.client)) &&
    (c.id_atendimento === undefined || c.id_atendimento === null || Number.isSafeInteger(c.id_atendimento)) &&
    (c.history === undefined || (Array.isArray(c.history) && c.history.every((h) => typeof h === 'string'))) &&
    (c.startedAt === undefined || typeof c.startedAt === 'number')
  );
}

function isClient(value: unknown): value is IdentifiedClient {
  const c = value as Partial<IdentifiedClient> | null;
  return typeof c?.id_cliente === 'number' && typeof c.nome_razaosocial === 'string' && (c.via === 'phone' || c.via === 'document');
}
