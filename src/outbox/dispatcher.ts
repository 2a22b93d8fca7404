import { setMaxListeners } from 'node:events';
import PQueue from 'p-queue';
import { BridgeError } from '../errors.js';
import { backoffDelay } from '../util/backoff.js';
import { realTimers } from '../util/timers.js';
import type { DispatchJob, DispatcherOptions, DispatcherStats, JobOutcome, JobResultInfo } from './dispatch-job.js';
import { LANE_PRIORITY } from './lanes.js';
import { OutageGate } from './outage-gate.js';
import { isRetryable, runAttempt, type Timers } from './retry.js';

export type { Timers };
export type { DispatchJob, DispatcherOptions, DispatcherStats, JobKind, JobOutcome, JobResultInfo } from './dispatch-job.js';

interface Entry {
  readonly job: DispatchJob;
  readonly order: number;
  firstAttemptAt: number | null;
  attempts: number;
  lastError?: unknown;
}

type AttemptResult = { readonly type: 'ok' } | { readonly type: 'stale' } | { readonly type: 'error'; readonly error: unknown };

const COUNTER = {
  sent: 'sent',
  failed: 'failed',
  'dropped-stale': 'droppedStale',
  'dropped-overflow': 'droppedOverflow',
  'dropped-shutdown': 'droppedShutdown',
} as const satisfies Record<JobOutcome, keyof DispatcherStats>;

/**
 * Every HubSoft request goes through here. p-queue gives concurrency and the rate limit; on top of it,
 * one FIFO lane per key keeps a ring's cancel behind its notify until that notify finished (sent or
 * given up). A job waiting for its retry holds no p-queue slot but still blocks its own lane.
 *
 * Overflow drops new notifies only. A dropped notify's cancel is still sent: HubSoft's cancelar both
 * closes the window and records the missed call, and closing a window that never opened is harmless,
 * so keeping the cancel keeps the missed-call record (issue 6 treats cancels as that record).
 */
export class Dispatcher {
  private queue: PQueue;
  private readonly lanes = new Map<string, Entry[]>();
  private readonly pumps = new Set<Promise<void>>();
  private readonly sleepers = new Set<() => void>();
  private readonly gate: OutageGate<Entry>;
  private nextOrder = 0;
  private readonly idleWaiters: Array<() => void> = [];
  private readonly shutdown = new AbortController();
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly attemptTimeoutMs: number;
  private closed = false;
  private total = 0;
  private running = 0;
  private counts = { enqueued: 0, sent: 0, failed: 0, retries: 0, droppedStale: 0, droppedOverflow: 0, droppedShutdown: 0 };

  constructor(private readonly options: DispatcherOptions) {
    const { config } = options;
    this.timers = options.timers ?? realTimers;
    this.gate = new OutageGate<Entry>(options.logger, (entry) => -this.priorityOf(entry.job.key));
    this.random = options.random ?? Math.random;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 30_000;
    // Every queued job listens on the shutdown signal; thousands may wait at once.
    setMaxListeners(0, this.shutdown.signal);
    this.queue = rateLimitedQueue(config.concurrency, config.intervalMs, config.intervalCap);
  }

  /**
   * SIGHUP: a new rate limit (p-queue cannot change it in place). Attempts already waiting for a slot keep the
   * old queue and its limit; the next ones take the new one. Order within a key is the lanes' job, not the queue's.
   */
  setRateLimit(intervalMs: number, intervalCap: number): void {
    this.queue = rateLimitedQueue(this.options.config.concurrency, intervalMs, intervalCap);
  }

  enqueue(job: DispatchJob): void {
    if (typeof job.key !== 'string' || job.key === '' || typeof job.run !== 'function' || (job.kind !== 'notify' && job.kind !== 'cancel')) {
      throw new TypeError('Dispatcher.enqueue needs a non-empty key, kind "notify" or "cancel" and a run function');
    }
    if (this.closed) {
      this.options.logger.warn({ key: job.key, job: job.describe }, 'shutting down: HubSoft request not queued');
      this.report(job, 'dropped-shutdown', { attempts: 0 });
      return;
    }
    if (job.kind === 'notify' && this.total >= this.options.config.maxQueued) {
      this.options.logger.warn(
        { key: job.key, job: job.describe, queued: this.total, maxQueued: this.options.config.maxQueued, dropped: this.counts.droppedOverflow + 1 },
        'HubSoft queue full (notify.maxQueued): notify dropped, its cancel will still be sent',
      );
      this.report(job, 'dropped-overflow', { attempts: 0 });
      return;
    }
    this.counts.enqueued++;
    this.total++;
    const entry: Entry = { job, order: job.order ?? this.nextOrder++, firstAttemptAt: null, attempts: 0 };
    const lane = this.lanes.get(job.key);
    if (lane) {
      lane.push(entry);
      return;
    }
    const fresh = [entry];
    this.lanes.set(job.key, fresh);
    const pump = this.pump(job.key, fresh);
    this.pumps.add(pump);
    void pump.finally(() => this.pumps.delete(pump));
  }

  /** Jobs accepted and not finished: waiting, running or waiting for a retry. */
  size(): number {
    return this.total;
  }

  stats(): DispatcherStats {
    return {
      size: this.total,
      running: this.running,
      retryWaiting: this.sleepers.size,
      keys: this.lanes.size,
      outage: this.gate.active,
      held: this.gate.heldCount,
      ...this.counts,
    };
  }

  /** Resolves once no job is left (immediately when none is). */
  onIdle(): Promise<void> {
    if (this.total === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Shutdown: refuse new jobs, wait up to deadlineMs for the queue to empty, then abandon what is left
   * (in-flight attempts see their signal abort; each abandoned job is reported 'dropped-shutdown').
   * No timer of ours or p-queue's is left running once this resolves.
   */
  async drain(deadlineMs: number): Promise<{ left: number }> {
    this.closed = true;
    if (this.total > 0) {
      let timer: unknown;
      const timedOut = await Promise.race([
        this.onIdle().then(() => false),
        new Promise<boolean>((resolve) => {
          timer = this.timers.setTimeout(() => resolve(true), Math.max(0, deadlineMs));
        }),
      ]);
      this.timers.clearTimeout(timer);
      if (timedOut) {
        const left = this.total;
        this.abandonAll();
        await Promise.allSettled([...this.pumps]);
        this.options.logger.warn({ left }, 'shutdown deadline reached: HubSoft requests left unsent');
        return { left };
      }
    }
    return { left: 0 };
  }

  private abandonAll(): void {
    this.shutdown.abort(new BridgeError('HUBSOFT_TIMEOUT', 'The bridge is shutting down; the HubSoft request was abandoned.'));
    for (const wake of [...this.sleepers]) wake();
    this.gate.releaseAll();
    this.queue.clear();
  }

  private async pump(key: string, lane: Entry[]): Promise<void> {
    for (let entry = lane[0]; entry; entry = lane[0]) {
      let outcome: JobOutcome;
      try {
        outcome = await this.process(entry);
      } catch (error) {
        this.options.logger.error({ err: error, key, job: entry.job.describe }, 'dispatcher bug: job failed unexpectedly');
        entry.lastError = error;
        outcome = 'failed';
      }
      if (outcome === 'dropped-shutdown') this.options.logger.warn({ key, job: entry.job.describe }, 'shutdown: HubSoft request abandoned unsent');
      lane.shift();
      this.total--;
      this.report(entry.job, outcome, outcome === 'failed' ? { attempts: entry.attempts, error: entry.lastError } : { attempts: entry.attempts });
      // After report: a job the caller enqueued again from onResult is held by now and can be the next probe.
      if (this.gate.isProbe(entry)) this.gate.nextProbe();
    }
    this.lanes.delete(key);
    if (this.total === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async process(entry: Entry): Promise<JobOutcome> {
    const { config, logger, clock } = this.options;
    const { job } = entry;
    for (;;) {
      if (this.shutdown.signal.aborted) return 'dropped-shutdown';
      while (this.gate.mustWait(entry) && !this.shutdown.signal.aborted) await this.gate.waitForTurn(entry);
      if (this.shutdown.signal.aborted) return 'dropped-shutdown';
      let result: AttemptResult;
      try {
        // Checked before taking a slot too, so a stale notify costs no rate-limit slot.
        result = this.isStale(job)
          ? { type: 'stale' }
          : await this.queue.add(() => this.attempt(entry), { signal: this.shutdown.signal, priority: this.priorityOf(job.key) });
      } catch {
        return 'dropped-shutdown';
      }
      if (result.type === 'ok') {
        this.gate.end();
        return 'sent';
      }
      if (result.type === 'stale') {
        // A replayed backlog's stale notifies are summed up by DurableDispatch, not logged one by one.
        const log = job.lane === 'backlog' ? logger.debug.bind(logger) : logger.warn.bind(logger);
        log({ key: job.key, job: job.describe, ageMs: clock() - job.createdAt }, 'notify older than notify.maxAgeMs: not sent');
        return 'dropped-stale';
      }
      if (this.shutdown.signal.aborted) return 'dropped-shutdown';
      const { error } = result;
      entry.lastError = error;
      const context = { key: job.key, job: job.describe, attempts: entry.attempts, err: error };
      if (!(this.options.isRetryable ?? isRetryable)(error)) {
        // HubSoft answered: whatever is wrong with this request, the server is there.
        this.gate.end();
        logger.error(context, 'HubSoft refused the request: not retried');
        return 'failed';
      }
      // Jobs sleeping before a retry stop waiting on their own timers and queue up behind the probe.
      if (this.options.holdDuringOutage && this.gate.fail(entry, this.total)) for (const wake of [...this.sleepers]) wake();
      // Not the probe: no backoff of its own, it waits behind the probe (and may become the next one).
      if (this.gate.mustWait(entry)) continue;
      const now = clock();
      const left = (entry.firstAttemptAt ?? now) + config.retryDeadlineMs - now;
      if (left <= 0) {
        logger.error(context, 'HubSoft kept failing until notify.retryDeadlineMs: request given up');
        return 'failed';
      }
      const delay = Math.min(left, backoffDelay(entry.attempts - 1, { initialMs: config.retryInitialMs, maxMs: config.retryMaxMs }, this.random));
      // A notify that would be stale by its next attempt is dropped now, so its cancel need not wait.
      if (job.kind === 'notify' && now + delay - job.createdAt > config.maxAgeMs) {
        logger.warn({ ...context, ageMs: now - job.createdAt }, 'notify failed and would be older than notify.maxAgeMs by its retry: not sent');
        return 'dropped-stale';
      }
      logger.warn({ ...context, retryInMs: delay }, 'HubSoft request failed: will retry');
      this.counts.retries++;
      await this.sleep(delay);
    }
  }

  /** Runs inside a p-queue slot. The stale check is by age only, made when the job's turn comes. */
  private async attempt(entry: Entry): Promise<AttemptResult> {
    const { job } = entry;
    if (this.isStale(job)) return { type: 'stale' };
    const now = this.options.clock();
    if (this.shutdown.signal.aborted) return { type: 'error', error: this.shutdown.signal.reason };
    entry.firstAttemptAt ??= now;
    entry.attempts++;
    this.running++;
    try {
      await runAttempt(job.run, { timeoutMs: this.attemptTimeoutMs, timers: this.timers, shutdown: this.shutdown.signal });
      return { type: 'ok' };
    } catch (error) {
      return { type: 'error', error };
    } finally {
      this.running--;
    }
  }

  /** A key's head runs at live priority when any job of that key is live (it holds the live one up). */
  private priorityOf(key: string): number {
    const lane = this.lanes.get(key);
    return lane?.some((entry) => (entry.job.lane ?? 'live') === 'live') ? LANE_PRIORITY.live : LANE_PRIORITY.backlog;
  }

  private isStale(job: DispatchJob): boolean {
    return job.kind === 'notify' && this.options.clock() - job.createdAt > this.options.config.maxAgeMs;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.timers.clearTimeout(handle);
        this.sleepers.delete(wake);
        resolve();
      };
      const handle = this.timers.setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  private report(job: DispatchJob, outcome: JobOutcome, info: JobResultInfo): void {
    this.counts[COUNTER[outcome]]++;
    if (outcome === 'sent') this.options.logger.debug({ key: job.key, job: job.describe }, 'HubSoft request sent');
    try {
      this.options.onResult?.(job, outcome, info);
    } catch (error) {
      this.options.logger.error({ err: error, key: job.key, job: job.describe }, 'onResult callback threw');
    }
  }
}

function rateLimitedQueue(concurrency: number, intervalMs: number, intervalCap: number): PQueue {
  return new PQueue({ concurrency, ...(intervalMs > 0 ? { interval: intervalMs, intervalCap } : {}) });
}
