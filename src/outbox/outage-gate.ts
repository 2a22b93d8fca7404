import type { Logger } from '../log/logger.js';

/** What the gate needs of a job: its place in the global (journal) order. */
export interface Ordered {
  readonly order: number;
}

/**
 * While HubSoft fails, only one job (the probe) keeps trying, with its own backoff; every other job waits
 * here without sending, and all resume in their original order as soon as HubSoft answers anything.
 * This keeps a long outage from turning into a retry storm, and the catch-up in order.
 */
export class OutageGate<T extends Ordered> {
  private outage: { probe: T | null } | null = null;
  private readonly held: Array<{ readonly entry: T; readonly wake: () => void }> = [];

  /** `rank`: lower resumes first when HubSoft is back (live before backlog); order breaks ties. */
  constructor(
    private readonly logger: Logger,
    private readonly rank: (entry: T) => number = () => 0,
  ) {}

  get active(): boolean {
    return this.outage !== null;
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** True when `entry` must wait for its turn (an outage is on and another job is the probe). */
  mustWait(entry: T): boolean {
    return this.outage !== null && this.outage.probe !== entry;
  }

  isProbe(entry: T): boolean {
    return this.outage?.probe === entry;
  }

  /** A retryable failure: starts the outage with `entry` as probe. Returns true when the outage is new. */
  fail(entry: T, queued: number): boolean {
    if (this.outage) {
      this.outage.probe ??= entry;
      return false;
    }
    this.outage = { probe: entry };
    this.logger.warn({ queued }, 'HubSoft is failing: holding requests, one probe retries until it answers');
    return true;
  }

  /**
   * HubSoft answered: every held job resumes, by rank then oldest first. The first ones woken take the free
   * slots at once, so the rank decides who leaves first (a live request, not the backlog, even at concurrency 1).
   */
  end(): void {
    if (!this.outage) return;
    this.outage = null;
    const held = this.held
      .splice(0)
      .map((h) => ({ ...h, rank: this.rank(h.entry) }))
      .sort((a, b) => a.rank - b.rank || a.entry.order - b.entry.order);
    if (held.length > 0) this.logger.info({ held: held.length }, 'HubSoft answered again: resuming held requests in order');
    for (const { wake } of held) wake();
  }

  /** The probe finished without HubSoft answering (gave up, stale, abandoned): the oldest held job probes next. */
  nextProbe(): void {
    if (!this.outage) return;
    this.outage.probe = null;
    if (this.held.length === 0) return;
    let oldest = 0;
    for (let i = 1; i < this.held.length; i++) if (this.held[i]!.entry.order < this.held[oldest]!.entry.order) oldest = i;
    const [next] = this.held.splice(oldest, 1);
    this.outage.probe = next!.entry;
    next!.wake();
  }

  /** Resolves when `entry` may try again: it became the probe, or the outage ended. */
  waitForTurn(entry: T): Promise<void> {
    if (this.outage && this.outage.probe === null) {
      this.outage.probe = entry;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.held.push({ entry, wake: resolve }));
  }

  /** Shutdown: every held job wakes up (to find the dispatcher aborted). */
  releaseAll(): void {
    for (const { wake } of this.held.splice(0)) wake();
  }
}
