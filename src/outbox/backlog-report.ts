import type { Logger } from '../log/logger.js';
import type { JobOutcome } from './dispatcher.js';
import type { Item } from './lane-queues.js';

/**
 * What happened to a replayed backlog, told once when it has drained: how many were delivered, refused,
 * dropped as stale (per route) and how long the drain took; per-record lines stay at debug.
 */
export class BacklogReport {
  private open: { left: number; startedAt: number; outcomes: Record<string, Record<string, number>> } | null = null;

  constructor(
    private readonly logger: Logger,
    private readonly clock: () => number,
  ) {}

  started(records: number): void {
    if (this.open) this.open.left += records;
    else this.open = { left: records, startedAt: this.clock(), outcomes: {} };
  }

  finished(item: Item, outcome: JobOutcome, fromBacklog: boolean): void {
    if (!this.open || !fromBacklog || item.origin !== null) return;
    const byRoute = (this.open.outcomes[outcome] ??= {});
    byRoute[item.request.route] = (byRoute[item.request.route] ?? 0) + 1;
    if (outcome !== 'dropped-shutdown') this.logger.debug({ job: item.request.describe, outcome }, 'replayed request finished');
    this.open.left -= 1;
    if (this.open.left > 0) return;
    this.logger.info({ outcomes: this.open.outcomes, drainMs: this.clock() - this.open.startedAt }, 'outbox: replayed backlog drained');
    this.open = null;
  }
}
