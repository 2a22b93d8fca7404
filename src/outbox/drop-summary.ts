import type { Logger } from '../log/logger.js';
import type { OutboxRecord } from './outbox-codec.js';

/**
 * A bulk drop (records past their age after an outage, a journal over its size) is one summary line:
 * counts per route and the oldest/newest age. Each record goes to debug only (bodies hold phone numbers).
 */
export interface DropSummary {
  readonly dropped: number;
  readonly byRoute: Readonly<Record<string, number>>;
  readonly oldestAgeMs: number;
  readonly newestAgeMs: number;
}

export function summariseDrops(records: readonly OutboxRecord[], now: number): DropSummary {
  const byRoute: Record<string, number> = {};
  let oldestAgeMs = 0;
  let newestAgeMs = Number.POSITIVE_INFINITY;
  for (const record of records) {
    byRoute[record.route] = (byRoute[record.route] ?? 0) + 1;
    const age = now - record.createdAt;
    if (age > oldestAgeMs) oldestAgeMs = age;
    if (age < newestAgeMs) newestAgeMs = age;
  }
  return { dropped: records.length, byRoute, oldestAgeMs, newestAgeMs: records.length === 0 ? 0 : newestAgeMs };
}

/** Logs a drop of `records`: one line at `level` (error when a must-deliver record is among them), details at debug. */
export function logDrops(logger: Logger, message: string, records: readonly OutboxRecord[], now: number): void {
  if (records.length === 0) return;
  for (const { id, kind, key, route, createdAt } of records) logger.debug({ id, kind, key, route, ageMs: now - createdAt }, `${message} (record)`);
  const summary = summariseDrops(records, now);
  const fields = { ...summary };
  if (records.some((record) => record.kind === 'cancel')) logger.error(fields, message);
  else logger.warn(fields, message);
}
