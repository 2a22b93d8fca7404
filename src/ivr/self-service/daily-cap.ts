/**
 * Counts per key per calendar day of America/Sao_Paulo (UTC-3 all year: Brazil has had no summer time since
 * 2019): second copies and unlocks per client, failed confirmations per client and per caller number. What the
 * self-service state file saves; a count of another day reads as 0 and is dropped. The clock is injected.
 */
export interface DailyCountersOptions {
  readonly now?: () => number;
  /** Minutes east of UTC of the day boundary. Default -180 (America/Sao_Paulo). */
  readonly utcOffsetMinutes?: number;
  /** Keys kept at most; past it the other days go first, then the least recently counted. Default 50,000. */
  readonly maxEntries?: number;
}

/** [key, day number, count]: the saved form. */
export type CounterEntry = readonly [string, number, number];

export class DailyCounters {
  private readonly counts = new Map<string, { day: number; count: number }>();
  private readonly now: () => number;
  private readonly offsetMs: number;
  private readonly maxEntries: number;

  constructor(options: DailyCountersOptions = {}) {
    this.now = options.now ?? Date.now;
    this.offsetMs = (options.utcOffsetMinutes ?? -180) * 60_000;
    this.maxEntries = options.maxEntries ?? 50_000;
  }

  /** Takes one unit for `key` when under `cap` (true), else false. Give it back with release() if nothing happened. */
  tryTake(key: string, cap: number): boolean {
    if (this.used(key) >= cap) return false;
    this.add(key);
    return true;
  }

  /** Counts one more for `key` today; returns today's count. */
  add(key: string): number {
    const day = this.today();
    const count = this.used(key) + 1;
    this.counts.delete(key); // re-insert: the map stays ordered by last count
    this.counts.set(key, { day, count });
    if (this.counts.size > this.maxEntries) this.prune(day);
    return count;
  }

  release(key: string): void {
    const entry = this.counts.get(key);
    if (entry && entry.day === this.today() && entry.count > 0) entry.count -= 1;
  }

  used(key: string): number {
    const entry = this.counts.get(key);
    return entry && entry.day === this.today() ? entry.count : 0;
  }

  /** Today's counts, oldest first. */
  entries(): CounterEntry[] {
    const day = this.today();
    return [...this.counts].filter(([, e]) => e.day === day && e.count > 0).map(([key, e]) => [key, e.day, e.count]);
  }

  /** Puts back saved counts; those of another day are ignored. */
  restore(entries: readonly CounterEntry[]): void {
    const day = this.today();
    for (const [key, entryDay, count] of entries) if (entryDay === day && count > 0) this.counts.set(key, { day, count });
    this.prune(day);
  }

  private today(): number {
    return Math.floor((this.now() + this.offsetMs) / 86_400_000);
  }

  private prune(day: number): void {
    for (const [key, entry] of this.counts) if (entry.day !== day) this.counts.delete(key);
    while (this.counts.size > this.maxEntries) this.counts.delete(this.counts.keys().next().value!);
  }
}
