import type { Logger } from '../log/logger.js';
import type { OutboxKind, OutboxRecord, OutboxRoute } from './outbox-codec.js';

export interface OutboxOptions {
  /** Directory of the journal, created if missing (mode 0700); usually join(config.state.dir, 'outbox'). */
  readonly dir: string;
  readonly logger: Logger;
  readonly clock?: () => number;
  /** Live (pending) bytes above which new notifies are refused. Default 16 MiB. */
  readonly maxBytes?: number;
  /** Live bytes above which cancels are refused too. Default 2 x maxBytes. */
  readonly hardMaxBytes?: number;
  /** Records older than this (from createdAt) are dropped with an error log; e.g. notify.maxAgeMs and 24 h. */
  readonly maxAgeMs: Readonly<Record<OutboxKind, number>>;
  /** fdatasync appends before they resolve. Default true; false only for tests and dry runs. */
  readonly fsync?: boolean;
  /** The file is compacted once it is larger than this and less than half of it is live. Default 1 MiB. */
  readonly compactMinBytes?: number;
  /** One record line larger than this is refused. Default 16 KiB. */
  readonly maxRecordBytes?: number;
}

export interface OutboxInput {
  /** Leave out to get a generated `${epochMs}-${seq}` id. */
  readonly id?: string;
  readonly kind: OutboxKind;
  readonly key: string;
  readonly createdAt: number;
  readonly route: OutboxRoute;
  readonly body: unknown;
}

/** full: a notify over maxBytes. hard-full: a cancel over hardMaxBytes. */
export type AppendResult =
  | { readonly ok: true; readonly record: OutboxRecord }
  | { readonly ok: false; readonly reason: 'full' | 'hard-full' | 'too-large' | 'closed' };

/**
 * Outbox.stage(): the record is pending from the call on (ack() and has() see it); `written` settles once
 * its line is in the file (fdatasync'ed when fsync is on), and rejects when that write failed (the record
 * is then forgotten: not pending, nothing to ack).
 */
export type StageResult =
  | { readonly ok: true; readonly record: OutboxRecord; readonly written: Promise<void> }
  | { readonly ok: false; readonly reason: 'full' | 'hard-full' | 'too-large' | 'closed' };

export interface OutboxStats {
  readonly pending: number;
  /** Bytes of the pending records' lines (what maxBytes bounds). */
  readonly pendingBytes: number;
  /** Size of the journal file. */
  readonly bytes: number;
  readonly appended: number;
  readonly acked: number;
  readonly expired: number;
  readonly compactions: number;
  /** Corrupt lines and torn tails skipped on open. */
  readonly corrupt: number;
  readonly refusedNotify: number;
  readonly refusedCancel: number;
  /** Batched writes (each with at most one fdatasync): far fewer than appends during a burst. */
  readonly writes: number;
  readonly writeErrors: number;
}
