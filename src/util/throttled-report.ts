import { realTimers, type Timers } from './timers.js';

/**
 * Reports a repeated event (a refused connection) at most once per interval: the first one at once, then
 * one summary per interval with how many happened in it. A flood costs a counter, not a log line each.
 */
export class ThrottledReport {
  private pending = 0;
  private timer: unknown = null;
  private readonly timers: Timers;

  constructor(
    private readonly report: (count: number, first: boolean) => void,
    private readonly intervalMs: number,
    timers?: Timers,
  ) {
    this.timers = timers ?? realTimers;
  }

  note(): void {
    if (this.timer !== null) {
      this.pending += 1;
      return;
    }
    this.report(1, true);
    this.arm();
  }

  stop(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.pending = 0;
  }

  private arm(): void {
    const timer = this.timers.setTimeout(() => {
      this.timer = null;
      if (this.pending === 0) return;
      const count = this.pending;
      this.pending = 0;
      this.report(count, false);
      this.arm();
    }, this.intervalMs);
    (timer as { unref?: () => void }).unref?.();
    this.timer = timer;
  }
}
