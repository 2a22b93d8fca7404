import { stat, type FileHandle } from 'node:fs/promises';
import { BridgeError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { openForAppend, replaceFile, writeAll } from './outbox-file.js';

export interface JournalWriterOptions {
  readonly dir: string;
  readonly path: string;
  readonly tempPath: string;
  readonly fsync: boolean;
  readonly logger: Logger;
  /** Compaction runs on its own once the file is larger than this and less than half of it is live. */
  readonly compactMinBytes: number;
  /** Bytes of the records still pending (what a compaction would keep). */
  readonly liveBytes: () => number;
  /** The whole file a compaction writes: header and the pending lines already in the file, in order. */
  readonly snapshot: () => Buffer;
}

interface WriteOp {
  readonly line: Buffer;
  readonly sync: boolean;
  readonly written?: () => void;
  readonly done: (error?: unknown) => void;
}

/**
 * The journal file: append-only writes, group-committed (the lines queued in one tick share one write and one
 * fdatasync), a failed write cut off so the next line is not glued onto it, and compaction (rewrite through temp
 * file + fsync + rename + directory fsync) between batches, so order holds. Knows bytes, not records (outbox.ts).
 */
export class JournalWriter {
  readonly counts = { writes: 0, writeErrors: 0, compactions: 0 };
  private readonly queue: WriteOp[] = [];
  private readonly compactWaiters: Array<(error?: unknown) => void> = [];
  private handle: FileHandle | null = null;
  private drainer: Promise<void> | null = null;
  private failure: BridgeError | null = null;
  private bytes = 0;
  /** After a failed compaction, the next automatic one waits until the file grew this large. */
  private compactRetryAt = 0;

  constructor(private readonly options: JournalWriterOptions) {}

  /** Size of the journal file. */
  get fileBytes(): number {
    return this.bytes;
  }

  /** Set once the file cannot be repaired or reopened: every later write fails with it. */
  get broken(): BridgeError | null {
    return this.failure;
  }

  /** Opens the file for appending (after load() rewrote it if needed). */
  async open(): Promise<void> {
    this.handle = await openForAppend(this.options.path);
    this.bytes = (await stat(this.options.path)).size;
  }

  /** Queues one line; resolves once it is written (and fdatasync'ed when `sync` and fsync are on). */
  write(line: Buffer, sync: boolean, written?: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ line, sync, written, done: (error) => (error === undefined ? resolve() : reject(error)) });
      this.startDrain();
    });
  }

  /** Rewrites the journal with only the pending records, between two batches. */
  compact(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const done = new Promise<void>((resolve, reject) => this.compactWaiters.push((error) => (error ? reject(error) : resolve())));
    this.startDrain();
    return done;
  }

  /** Writes the snapshot in place of the file (temp file, fsync, rename, directory fsync). */
  async rewrite(): Promise<void> {
    const { dir, path, tempPath, fsync, snapshot } = this.options;
    await replaceFile(dir, path, tempPath, snapshot(), fsync);
  }

  /** Waits for queued writes, then closes the file. */
  async close(): Promise<void> {
    await this.drainer;
    await this.handle?.close();
    this.handle = null;
  }

  /** A start that failed: the file is let go without waiting. */
  async release(): Promise<void> {
    await this.handle?.close().catch(() => undefined);
    this.handle = null;
  }

  private startDrain(): void {
    if (this.drainer) return;
    this.drainer = (async () => {
      try {
        // One microtask: appends made in the same tick share one write and one fdatasync.
        await Promise.resolve();
        while (this.queue.length > 0 || this.compactWaiters.length > 0) {
          if (this.queue.length > 0) await this.writeBatch(this.queue.splice(0, this.queue.length));
          if (this.compactWaiters.length > 0 || this.wantsCompaction()) await this.compactNow();
        }
      } finally {
        // Synchronously after the last check, so a write queued from now on starts a new drainer.
        this.drainer = null;
      }
    })();
  }

  private async writeBatch(batch: readonly WriteOp[]): Promise<void> {
    const data = Buffer.concat(batch.map((op) => op.line));
    const before = this.bytes;
    const { path, logger, fsync } = this.options;
    try {
      if (this.failure) throw this.failure;
      if (!this.handle) throw unavailable('the outbox is closed', path);
      await writeAll(this.handle, data);
      if (fsync && batch.some((op) => op.sync)) await this.handle.datasync();
      this.bytes += data.length;
      this.counts.writes += 1;
    } catch (error) {
      this.counts.writeErrors += 1;
      const failure = isOutboxError(error) ? error : unavailable('could not write the outbox journal', path, error);
      // Cut a partial write off, or the next line would be glued onto it and be lost too.
      if (!this.failure) {
        await this.handle?.truncate(before).catch((cause: unknown) => {
          this.failure = unavailable('could not repair the outbox journal after a failed write; restart the bridge', path, cause);
        });
      }
      logger.error({ err: error, file: path }, 'outbox: journal write failed');
      for (const op of batch) op.done(failure);
      return;
    }
    for (const op of batch) {
      op.written?.();
      op.done();
    }
  }

  private wantsCompaction(): boolean {
    return this.bytes > Math.max(this.options.compactMinBytes, this.compactRetryAt) && this.options.liveBytes() * 2 < this.bytes;
  }

  private async compactNow(): Promise<void> {
    const waiters = this.compactWaiters.splice(0, this.compactWaiters.length);
    if (this.failure) {
      for (const waiter of waiters) waiter(this.failure);
      return;
    }
    const { path, logger, compactMinBytes } = this.options;
    let failure: unknown;
    try {
      await this.rewrite();
      this.counts.compactions += 1;
    } catch (error) {
      failure = error;
      this.compactRetryAt = this.bytes + compactMinBytes;
      logger.error({ err: error, file: path }, 'outbox: compaction failed; the journal keeps growing until it succeeds');
    }
    // Reopen by path even after a failure: the rename may have happened before the directory fsync failed,
    // and a handle on the replaced file would write into an unlinked inode.
    const old = this.handle;
    this.handle = null;
    await old?.close().catch(() => undefined);
    try {
      await this.open();
    } catch (error) {
      this.failure = unavailable('could not reopen the outbox journal after compaction; restart the bridge', path, error);
      failure = this.failure;
    }
    for (const waiter of waiters) waiter(failure);
  }
}

export function unavailable(message: string, file: string, cause?: unknown): BridgeError {
  return new BridgeError('OUTBOX_UNAVAILABLE', `${message} (${file})`, { file }, cause === undefined ? undefined : { cause });
}

export function isOutboxError(error: unknown): error is BridgeError {
  return error instanceof BridgeError && error.code === 'OUTBOX_UNAVAILABLE';
}
