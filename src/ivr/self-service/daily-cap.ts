/**
 * At most `cap` second copies per client per calendar day (Brasília time, UTC-3: Brazil has had no summer
 * time since 2019). In memory, so a restart forgets the day's count; the clock is injected.
 */
export interface DailyCapOptions {
  readonly cap: number;
  readonly now?: () => number;
  /** Minutes east of UTC of the day boundary. Default -180 (America/Sao_Paulo). */
  readonly utcOffsetMinutes?: number;
}

export class DailyCap {
  private readonly counts = new Map<string, { day: number; count: number }>();
  private readonly now: () => number;
  private readonly offsetMs: number;

  constructor(private readonly options: DailyCapOptions) {
    this.now = options.now ?? Date.now;
    this.offsetMs = (options.utcOffsetMinutes ?? -180) * 60_000;
  }

  /** Takes one unit for `key` when under the cap (true), else false. Give it back with release() if the send failed. */
  tryTake(key: string): boolean {
    const day = this.today();
    const entry = this.counts.get(key);
    const count = entry && entry.day === day ? entry.count : 0;
    if (count >= this.options.cap) return false;
    this.counts.set(key, { day, count: count + 1 });
    if (this.counts.size > 50_000) this.prune(day);
    return true;
  }

  release(key: string): void {
    const entry = this.counts.get(key);
    if (entry && entry.day === this.today() && entry.count > 0) entry.count -= 1;
  }

  used(key: string): number {
    const entry = this.counts.get(key);
    return entry && entry.day === this.today() ? entry.count : 0;
  }

  private today(): number {
    return Math.floor((this.now() + this.offsetMs) / 86_400_000);
  }

  private prune(day: number): void {
    for (const [key, entry] of this.counts) if (entry.day !== day) this.counts.delete(key);
  }
}
