import { decodeLine, idMillis, JOURNAL_VERSION, type OutboxKind, type OutboxRecord } from './outbox-codec.js';

/** A line that replay skipped, for the warning log (never its content: it may hold phone numbers). */
export interface SkippedLine {
  /** Byte offset of the line in the file. */
  readonly offset: number;
  readonly length: number;
  readonly reason: string;
}

export interface ReplayResult {
  /** Appended, not acknowledged, not expired, in append order. */
  readonly pending: OutboxRecord[];
  /** Records dropped because they were older than their kind's maximum age. */
  readonly expired: OutboxRecord[];
  /** Complete lines that failed the checksum or the shape check. */
  readonly corrupt: SkippedLine[];
  /** Bytes after the last newline: the line being written when the process died. */
  readonly tornTailBytes: number;
  /** Record and ack lines that no longer matter (acknowledged records, their acks, duplicates). */
  readonly deadLines: number;
  /** Largest epoch-ms seen in any record id, so new ids keep increasing across restarts. */
  readonly maxIdMillis: number;
  /** The file starts with a header of a version this code does not know. */
  readonly unknownVersion: number | null;
}

/**
 * Rebuilds the pending list from a journal. Never throws: a torn or garbage line is reported and
 * skipped, and every line after it still counts (each line stands alone).
 */
export function replayJournal(data: Buffer, now: number, maxAgeMs: Readonly<Record<OutboxKind, number>>): ReplayResult {
  const live = new Map<string, OutboxRecord>();
  const acked = new Set<string>();
  const corrupt: SkippedLine[] = [];
  let deadLines = 0;
  let maxIdMillis = 0;
  let unknownVersion: number | null = null;

  let start = 0;
  while (start < data.length) {
    const end = data.indexOf(0x0a, start);
    if (end === -1) break;
    const decoded = decodeLine(data.subarray(start, end));
    if (!decoded.ok) {
      corrupt.push({ offset: start, length: end - start, reason: decoded.reason });
    } else {
      const entry = decoded.entry;
      if (entry.t === 'hdr') {
        if (entry.v !== JOURNAL_VERSION) unknownVersion = entry.v;
      } else if (entry.t === 'ack') {
        if (live.delete(entry.id)) deadLines += 1;
        acked.add(entry.id);
        deadLines += 1;
      } else {
        const ms = idMillis(entry.id);
        if (ms !== null && ms > maxIdMillis) maxIdMillis = ms;
        // A second copy of an id (never written by this module) or a record acked before it appears is not replayed.
        if (live.has(entry.id) || acked.has(entry.id)) {
          deadLines += 1;
        } else {
          const { t: _t, ...record } = entry;
          live.set(entry.id, record);
        }
      }
    }
    start = end + 1;
  }

  const pending: OutboxRecord[] = [];
  const expired: OutboxRecord[] = [];
  for (const record of live.values()) {
    (now - record.createdAt > maxAgeMs[record.kind] ? expired : pending).push(record);
  }
  return { pending, expired, corrupt, tornTailBytes: data.length - start, deadLines, maxIdMillis, unknownVersion };
}
