/**
 * Durable outbox: every HubSoft request that must survive a crash (every cancelar, young notificars)
 * is journaled here before it is queued, and acknowledged once HubSoft accepted it.
 *
 * Why a hand-rolled journal and not an embedded store: the npm candidates are better-sqlite3, sqlite3,
 * lmdb and classic-level/level (native addons: a prebuilt binary must match the box's Node ABI and libc,
 * otherwise node-gyp and a compiler on a FreePBX/Issabel box, which installers rarely have), nedb /
 * @seald-io/nedb (pure JS, but it rewrites its whole datafile on compaction without fsync, so a crash
 * can lose acknowledged writes) and lowdb (rewrites one JSON file on every write). Node 20 has no
 * node:sqlite. The workload is a FIFO of a few thousand small records with one state change each, which
 * an append-only log fits exactly: one write + fdatasync per burst (group commit), a CRC per line so a
 * torn tail is detected, and compaction through temp file + fsync + rename + directory fsync.
 *
 * This file keeps the records (pending, limits, ids, expiry); journal-writer.ts the file (group commit, compaction).
 * Format, guarantees and limits: see outbox-codec.ts and the README section "Reliability".
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeEntry, JOURNAL_VERSION, recordProblem, type OutboxKind, type OutboxRecord } from './outbox-codec.js';
import { logDrops } from './drop-summary.js';
import { DIR_MODE } from './outbox-file.js';
import { isOutboxError, JournalWriter, unavailable } from './journal-writer.js';
import { replayJournal } from './outbox-replay.js';
import type { AppendResult, OutboxInput, OutboxOptions, OutboxStats, StageResult } from './outbox-types.js';

export type { OutboxKind, OutboxRecord, OutboxRoute } from './outbox-codec.js';
export type { AppendResult, OutboxInput, OutboxOptions, OutboxStats, StageResult } from './outbox-types.js';

export const JOURNAL_FILE = 'journal.jsonl';
const TEMP_FILE = 'journal.jsonl.compact';

interface Entry {
  readonly record: OutboxRecord;
  readonly bytes: number;
  /** The line is in the journal file (compaction copies only these; the rest is still queued). */
  written: boolean;
}

const HEADER = encodeEntry({ t: 'hdr', v: JOURNAL_VERSION });

export class Outbox {
  private readonly entries = new Map<string, Entry>();
  private readonly path: string;
  private readonly clock: () => number;
  private readonly limits: { maxBytes: number; hardMaxBytes: number; maxRecordBytes: number };
  private readonly file: JournalWriter;
  private closed = false;
  private liveBytes = 0;
  private lastIdMs = 0;
  private seq = 0;
  private counts = { appended: 0, acked: 0, expired: 0, corrupt: 0, refusedNotify: 0, refusedCancel: 0 };

  private constructor(private readonly options: OutboxOptions) {
    this.path = join(options.dir, JOURNAL_FILE);
    this.clock = options.clock ?? Date.now;
    const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    this.limits = { maxBytes, hardMaxBytes: Math.max(maxBytes, options.hardMaxBytes ?? 2 * maxBytes), maxRecordBytes: options.maxRecordBytes ?? 16 * 1024 };
    this.file = new JournalWriter({
      dir: options.dir,
      path: this.path,
      tempPath: join(options.dir, TEMP_FILE),
      fsync: options.fsync ?? true,
      logger: options.logger,
      compactMinBytes: options.compactMinBytes ?? 1024 * 1024,
      liveBytes: () => this.liveBytes,
      snapshot: () => this.snapshot(),
    });
  }

  /** Replays the journal (pending records in append order, expired ones dropped) and leaves a clean file. */
  static async open(options: OutboxOptions): Promise<Outbox> {
    const outbox = new Outbox(options);
    try {
      await outbox.load();
    } catch (error) {
      await outbox.file.release();
      throw isOutboxError(error) ? error : unavailable('could not open the outbox journal', outbox.path, error);
    }
    return outbox;
  }

  /** Journals one request; resolves once its line is written (and fdatasync'ed when fsync is on). */
  async append(input: OutboxInput): Promise<AppendResult> {
    const staged = this.stage(input);
    if (!staged.ok) return staged;
    await staged.written;
    return { ok: true, record: staged.record };
  }

  /**
   * Journals one request without waiting for the disk: refusals (full, too large, closed) and the record id
   * are known on return, the write (group-committed with the same tick's others) settles `written`.
   * Throws at once when the outbox is broken or the input is invalid.
   */
  stage(input: OutboxInput): StageResult {
    if (this.closed) return { ok: false, reason: 'closed' };
    if (this.file.broken) throw this.file.broken;
    const { kind, key, createdAt, route, body } = input;
    const record: OutboxRecord = { id: input.id ?? this.nextId(), kind, key, createdAt, route, body };
    const problem = recordProblem(record);
    if (problem) throw new TypeError(`Outbox.append: ${problem}`);
    if (this.entries.has(record.id)) throw new TypeError(`Outbox.append: id ${record.id} is already pending`);
    const line = encodeEntry({ t: 'rec', ...record });
    const { logger } = this.options;
    if (line.length > this.limits.maxRecordBytes) {
      logger.error({ key: record.key, route: record.route, bytes: line.length }, 'outbox: request larger than the record limit, not journaled');
      this.countRefused(record.kind);
      return { ok: false, reason: 'too-large' };
    }
    const limit = record.kind === 'notify' ? this.limits.maxBytes : this.limits.hardMaxBytes;
    if (this.liveBytes + line.length > limit && (this.expire() === 0 || this.liveBytes + line.length > limit)) {
      this.countRefused(record.kind);
      const fields = { key: record.key, route: record.route, pendingBytes: this.liveBytes, limit };
      if (record.kind === 'notify') logger.warn(fields, 'outbox full: notify not journaled');
      else logger.error({ ...fields, body: record.body }, 'outbox at its hard limit: missed call (cancel) not journaled');
      return { ok: false, reason: record.kind === 'notify' ? 'full' : 'hard-full' };
    }
    const entry: Entry = { record, bytes: line.length, written: false };
    this.entries.set(record.id, entry);
    this.liveBytes += entry.bytes;
    const written = this.file.write(line, true, () => (entry.written = true)).then(
      () => {
        this.counts.appended += 1;
      },
      (error: unknown) => {
        if (this.entries.get(record.id) === entry) this.forget(record.id);
        throw error;
      },
    );
    return { ok: true, record, written };
  }

  /**
   * Marks a record done. Resolves false when the id is not pending (already acked, expired, unknown).
   * Never rejects: an ack that cannot be written is logged, and the record is sent again after a restart.
   */
  async ack(id: string): Promise<boolean> {
    if (this.closed || !this.entries.has(id)) return false;
    this.forget(id);
    this.counts.acked += 1;
    try {
      await this.file.write(encodeEntry({ t: 'ack', id }), false);
    } catch (error) {
      this.options.logger.error({ err: error, id }, 'outbox: ack not written; the request may be sent again after a restart');
    }
    return true;
  }

  /** Whether a record is still pending (not acked, not expired). */
  has(id: string): boolean {
    return this.entries.has(id);
  }

  pending(): readonly OutboxRecord[] {
    return [...this.entries.values()].map((entry) => entry.record);
  }

  /** Drops records older than their kind's maximum age, with one summary log line. Returns how many. */
  expire(now: number = this.clock()): number {
    const dropped: OutboxRecord[] = [];
    for (const { record } of [...this.entries.values()]) {
      if (now - record.createdAt <= this.options.maxAgeMs[record.kind]) continue;
      this.forget(record.id);
      dropped.push(record);
      if (!this.closed && !this.file.broken) {
        this.file.write(encodeEntry({ t: 'ack', id: record.id, why: 'expired' }), false).catch(() => undefined);
      }
    }
    this.logExpired(dropped, now);
    return dropped.length;
  }

  /** Rewrites the journal with only the pending records (also done on its own past the thresholds). */
  async compact(): Promise<void> {
    if (this.closed) return;
    if (this.file.broken) throw this.file.broken;
    return this.file.compact();
  }

  stats(): OutboxStats {
    return { pending: this.entries.size, pendingBytes: this.liveBytes, bytes: this.file.fileBytes, ...this.counts, ...this.file.counts };
  }

  /** Waits for queued writes, then closes the file. Appends after close resolve { ok: false, reason: 'closed' }. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.file.close();
  }

  private async load(): Promise<void> {
    const { dir, logger, maxAgeMs } = this.options;
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    await rm(join(dir, TEMP_FILE), { force: true });
    const data = await readFile(this.path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return Buffer.alloc(0);
      throw error;
    });
    const replay = replayJournal(data, this.clock(), maxAgeMs);
    if (replay.unknownVersion !== null) {
      throw unavailable(`the journal has format version ${replay.unknownVersion}, this bridge reads version ${JOURNAL_VERSION} (a downgrade?)`, this.path);
    }
    for (const line of replay.corrupt) logger.warn({ file: this.path, ...line }, 'outbox: corrupt journal line skipped');
    if (replay.tornTailBytes > 0) {
      logger.warn({ file: this.path, bytes: replay.tornTailBytes }, 'outbox: incomplete last line skipped (the bridge stopped mid-write)');
    }
    this.counts.corrupt = replay.corrupt.length + (replay.tornTailBytes > 0 ? 1 : 0);
    this.logExpired(replay.expired, this.clock());
    for (const record of replay.pending) {
      const bytes = encodeEntry({ t: 'rec', ...record }).length;
      this.entries.set(record.id, { record, bytes, written: true });
      this.liveBytes += bytes;
    }
    this.lastIdMs = replay.maxIdMillis + 1;
    const clean = data.length > 0 && data.subarray(0, HEADER.length).equals(HEADER) && replay.corrupt.length === 0;
    if (!clean || replay.tornTailBytes > 0 || replay.expired.length > 0 || replay.deadLines > 0) await this.file.rewrite();
    await this.file.open();
    if (replay.pending.length > 0) logger.info({ pending: replay.pending.length }, 'outbox: requests to resend after restart');
  }

  private nextId(): string {
    this.lastIdMs = Math.max(this.lastIdMs, Math.floor(this.clock()));
    return `${this.lastIdMs}-${this.seq++}`;
  }

  private forget(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.liveBytes -= entry.bytes;
  }

  private countRefused(kind: OutboxKind): void {
    if (kind === 'notify') this.counts.refusedNotify += 1;
    else this.counts.refusedCancel += 1;
  }

  private logExpired(records: readonly OutboxRecord[], now: number): void {
    this.counts.expired += records.length;
    logDrops(this.options.logger, 'outbox: requests not delivered within their maximum age, dropped', records, now);
  }

  /** Only lines already in the file are copied: queued ones follow in the new file, so order holds. */
  private snapshot(): Buffer {
    const lines = [HEADER];
    for (const entry of this.entries.values()) {
      if (entry.written) lines.push(encodeEntry({ t: 'rec', ...entry.record }));
    }
    return Buffer.concat(lines);
  }
}
