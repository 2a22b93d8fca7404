import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../log/logger.js';
import { DIR_MODE, FILE_MODE, syncInPlace } from '../outbox/outbox-file.js';
import type { RingNotice } from './crm-port.js';

/** One window the bridge opened (notify queued) and has not closed yet. */
export interface OpenRingRecord {
  /** The call path's ring key (linkedid/extension). */
  readonly key: string;
  readonly notice: RingNotice;
}

const VERSION = 1;

/**
 * The open windows, on disk (`<state.dir>/open-rings.json`), so that after a crash or a restart the bridge
 * knows which windows it left open. Small (one entry per ring in progress): rewritten whole and renamed
 * into place once per event-loop turn, however many rings changed in it. A notify waits until its window
 * is in place, which is all a killed process needs; the fsync that a power loss needs follows on its own,
 * so no notify waits for the disk. The write itself is synchronous: a few kilobytes into the page cache
 * cost less than the five thread-pool hops of an async write, which a busy event loop stretched to ~9 ms
 * per notify in the bench. A state dir that cannot be written is logged once; the bridge goes on without it.
 */
export class OpenRingsFile {
  private readonly rings = new Map<string, OpenRingRecord>();
  private scheduled = false;
  private dirReady = false;
  private syncing: Promise<void> = Promise.resolve();
  private failing = false;
  /** Bumped by every change; `visible` is the last one renamed into place. */
  private generation = 0;
  private visible = 0;
  private readonly waiters = new Set<{ readonly generation: number; readonly resolve: () => void }>();

  private constructor(
    private readonly path: string,
    private readonly fsync: boolean,
    private readonly logger: Logger,
  ) {}

  /** Reads what the last run left; `previous` are the windows it did not close. */
  /** `maxAgeMs`: a ring older than this in the file is not brought back (calls.idleCallTimeoutMs). */
  static async open(
    stateDir: string,
    options: { fsync: boolean; logger: Logger; maxAgeMs: number; now?: number },
  ): Promise<{ file: OpenRingsFile; previous: OpenRingRecord[] }> {
    const path = join(stateDir, 'open-rings.json');
    const file = new OpenRingsFile(path, options.fsync, options.logger);
    const previous = await readPrevious(path, options.logger, options.now ?? Date.now(), options.maxAgeMs);
    // They stay in the file until the bridge has decided on each (closed, or followed again).
    for (const record of previous) file.rings.set(record.key, record);
    return { file, previous };
  }

  get size(): number {
    return this.rings.size;
  }

  /** Resolves once the window is in the file (or the write failed, logged): its notify may leave then. */
  opened(key: string, notice: RingNotice): Promise<void> {
    this.rings.set(key, { key, notice: slim(notice) });
    this.changed();
    const generation = this.generation;
    return new Promise((resolve) => this.waiters.add({ generation, resolve }));
  }

  closed(key: string): void {
    if (this.rings.delete(key)) this.changed();
  }

  /** Resolves once what is in memory now is on disk, fsync included (or failed to be). */
  async flush(): Promise<void> {
    if (this.scheduled) this.write();
    await this.syncing;
  }

  private changed(): void {
    this.generation += 1;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.write());
  }

  private write(): void {
    if (!this.scheduled) return;
    this.scheduled = false;
    const generation = this.generation;
    const dir = dirname(this.path);
    const temp = `${this.path}.tmp`;
    try {
      if (!this.dirReady) mkdirSync(dir, { recursive: true, mode: DIR_MODE });
      this.dirReady = true;
      writeFileSync(temp, JSON.stringify({ v: VERSION, rings: [...this.rings.values()] }), { mode: FILE_MODE });
      renameSync(temp, this.path);
      if (this.fsync) this.syncing = this.syncing.then(() => syncInPlace(dir, this.path)).catch((error: unknown) => this.failed(error));
      if (this.failing) this.logger.warn({ file: this.path }, 'open rings are journaled again');
      this.failing = false;
    } catch (error) {
      this.dirReady = false;
      this.failed(error);
    }
    this.visible = generation;
    for (const waiter of this.waiters) {
      if (waiter.generation > this.visible) continue;
      this.waiters.delete(waiter);
      waiter.resolve();
    }
  }

  private failed(error: unknown): void {
    if (!this.failing) this.logger.error({ err: error, file: this.path }, 'open rings cannot be journaled: windows open at a crash will not be closed after it');
    this.failing = true;
  }
}

async function readPrevious(path: string, logger: Logger, now: number, maxAgeMs: number): Promise<OpenRingRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger.error({ err: error, file: path }, 'open rings of the last run cannot be read');
    return [];
  }
  try {
    const parsed = JSON.parse(text) as { v?: unknown; rings?: unknown };
    if (parsed.v !== VERSION || !Array.isArray(parsed.rings)) throw new Error('unknown shape');
    return parsed.rings.filter((r): r is OpenRingRecord => isRecord(r) && now - r.notice.at < maxAgeMs);
  } catch (error) {
    logger.error({ err: error, file: path }, 'open rings file of the last run is damaged: ignored');
    return [];
  }
}

function isRecord(value: unknown): value is OpenRingRecord {
  const r = value as Partial<OpenRingRecord> | null;
  return (
    typeof r?.key === 'string' &&
    typeof r.notice === 'object' &&
    r.notice !== null &&
    typeof r.notice.extension === 'string' &&
    typeof r.notice.at === 'number' &&
    typeof r.notice.call?.linkedid === 'string'
  );
}

/** What a cancel needs of the lookup: the chosen client and the phone, not every candidate. */
function slim(notice: RingNotice): RingNotice {
  const lookup = notice.lookup;
  return lookup ? { ...notice, lookup: { ...lookup, candidates: [], clients: [] } } : notice;
}
