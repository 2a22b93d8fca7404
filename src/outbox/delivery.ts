import { join } from 'node:path';
import type { Registry } from 'prom-client';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { registerDeliveryMetrics, type DeliveryMetrics } from './delivery-metrics.js';
import { Dispatcher, type JobOutcome } from './dispatcher.js';
import { DurableDispatch } from './durable-dispatch.js';
import { Outbox } from './outbox.js';
import type { PreparedRequest, RequestSender } from './request.js';

export interface DeliveryOptions {
  readonly config: Pick<Config, 'notify' | 'state'>;
  readonly logger: Logger;
  /** The CRM adapter: prepares nothing here, only sends what it prepared. */
  readonly sender: RequestSender;
  readonly registry: Registry;
  /** Every job's outcome, by its CRM route (notificar, cancelar, editar_atendimento). */
  readonly onResult?: (route: string, outcome: JobOutcome) => void;
  readonly onSent?: (request: PreparedRequest, origin: unknown) => void;
  readonly clock?: () => number;
  /** How long a permanent refusal keeps /healthz degraded. Default 10 minutes. */
  readonly refusalWindowMs?: number;
}

/**
 * The delivery as the daemon runs it: dispatcher + journal + lanes, the journal opened at start and
 * again later when the state dir could not be written (the bridge runs without durability meanwhile,
 * loudly), the expiry sweep, and what /healthz and /metrics say about it.
 */
export class Delivery {
  readonly dispatcher: Dispatcher;
  readonly durable: DurableDispatch;
  private readonly metrics: DeliveryMetrics;
  private readonly clock: () => number;
  private expireTimer: ReturnType<typeof setInterval> | undefined;
  private reopenTimer: ReturnType<typeof setTimeout> | undefined;
  private journalProblem: string | null = null;
  private lastRefusal: { at: number; what: string } | null = null;
  private stopped = false;

  constructor(private readonly options: DeliveryOptions) {
    const { config, logger, sender } = options;
    this.clock = options.clock ?? Date.now;
    this.dispatcher = new Dispatcher({
      config: config.notify,
      logger: logger.child({ component: 'dispatcher' }),
      clock: this.clock,
      holdDuringOutage: true,
      isRetryable: (error) => sender.isRetryable(error),
      onResult: (job, outcome, info) => {
        options.onResult?.(job.route ?? (job.kind === 'notify' ? 'notificar' : 'cancelar'), outcome);
        this.durable.onResult(job, outcome, info);
      },
    });
    this.durable = new DurableDispatch({
      dispatcher: this.dispatcher,
      sender,
      logger: logger.child({ component: 'outbox' }),
      maxInMemory: config.state.outbox.maxInMemory,
      concurrency: config.notify.concurrency,
      backlogInFlight: config.state.outbox.backlogInFlight,
      maxBacklog: config.notify.maxQueued,
      cancelMaxAgeMs: config.state.outbox.cancelMaxAgeMs,
      notifyMaxAgeMs: config.notify.maxAgeMs,
      clock: this.clock,
      onSent: options.onSent,
      onRefused: (request) => {
        this.metrics.countRefused(request.route);
        this.lastRefusal = { at: this.clock(), what: request.describe ?? request.route };
      },
    });
    this.metrics = registerDeliveryMetrics(options.registry, () => this.durable.stats(), () => this.durable.durable);
  }

  /** Opens the journal (a failure is not fatal: see tryOpen) and queues what it holds behind live calls. */
  async start(): Promise<void> {
    if (!this.options.config.state.outbox.enabled) return this.durable.start(null);
    const outbox = await this.tryOpen();
    this.durable.start(outbox);
    if (!outbox) this.scheduleReopen();
  }

  /** /healthz: degraded while running without the journal, and for a while after a permanent refusal. */
  health(): { up: boolean; detail: string } {
    if (this.journalProblem) return { up: false, detail: `running without durability: ${this.journalProblem}` };
    const refusal = this.lastRefusal;
    if (refusal && this.clock() - refusal.at < (this.options.refusalWindowMs ?? 600_000)) {
      return { up: false, detail: `HubSoft refused a request for good: ${refusal.what}` };
    }
    return { up: true, detail: this.durable.durable ? 'journaled' : 'journal disabled' };
  }

  /** Shutdown: nothing new enters the dispatcher, it flushes up to the deadline, the journal closes. */
  async stop(deadlineMs: number): Promise<{ left: number }> {
    this.stopped = true;
    this.clearTimers();
    this.durable.stopAdmitting();
    const drained = await this.dispatcher.drain(deadlineMs);
    await this.durable.close();
    return drained;
  }

  /** A start that failed later on: release the journal without flushing. */
  async abort(): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    await this.durable.close();
  }

  private async tryOpen(): Promise<Outbox | null> {
    const { config, logger } = this.options;
    const { state, notify } = config;
    try {
      const outbox = await Outbox.open({
        dir: join(state.dir, 'outbox'),
        logger: logger.child({ component: 'outbox' }),
        maxAgeMs: { notify: notify.maxAgeMs, cancel: state.outbox.cancelMaxAgeMs },
        maxBytes: Math.round(state.outbox.maxMegabytes * 1024 * 1024),
        fsync: state.outbox.fsync,
        clock: this.clock,
      });
      if (this.journalProblem) logger.warn({ dir: state.dir }, 'outbox journal writable again: requests are journaled from now on');
      this.journalProblem = null;
      this.expireTimer ??= setInterval(() => this.durable.expire(), Math.max(1000, state.outbox.expireEveryMs));
      this.expireTimer.unref();
      return outbox;
    } catch (error) {
      const errno = errnoOf(error);
      this.metrics.countJournalUnavailable();
      if (this.journalProblem === null) {
        logger.error(
          { err: error, errno, dir: state.dir, retryInMs: state.outbox.reopenEveryMs },
          'outbox journal cannot be opened: RUNNING WITHOUT DURABILITY (missed calls are lost if the bridge stops before HubSoft takes them)',
        );
      }
      this.journalProblem = `${errno ?? 'error'} on ${join(state.dir, 'outbox')}`;
      return null;
    }
  }

  private scheduleReopen(): void {
    if (this.stopped) return;
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = undefined;
      void this.tryOpen().then((outbox) => {
        if (this.stopped) return void outbox?.close();
        if (outbox) this.durable.useOutbox(outbox);
        else this.scheduleReopen();
      });
    }, Math.max(10, this.options.config.state.outbox.reopenEveryMs));
    this.reopenTimer.unref();
  }

  private clearTimers(): void {
    if (this.expireTimer) clearInterval(this.expireTimer);
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    this.expireTimer = undefined;
    this.reopenTimer = undefined;
  }
}

function errnoOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  }
  return undefined;
}
