import type { Logger } from '../log/logger.js';
import type { DispatchJob, JobOutcome, JobResultInfo } from './dispatcher.js';
import { LaneQueues, type Item } from './lane-queues.js';
import { backlogInFlight, type Lane } from './lanes.js';
import type { Outbox, OutboxStats } from './outbox.js';
import type { PreparedRequest, RequestSender } from './request.js';
import { BacklogReport } from './backlog-report.js';
import { journalItem } from './journal-item.js';

export interface DurableDispatchOptions {
  readonly dispatcher: { enqueue(job: DispatchJob): void };
  /** The adapter that prepared the requests: the only way out. */
  readonly sender: RequestSender;
  readonly logger: Logger;
  /** At most this many requests are in the dispatcher at once; the rest wait here (on disk when journaled). */
  readonly maxInMemory: number;
  /** The dispatcher's concurrency: the backlog holds at most one slot less (lanes.ts). */
  readonly concurrency?: number;
  /** Backlog requests in the dispatcher at once (capped by concurrency - 1). */
  readonly backlogInFlight?: number;
  /** A notify older than this is not journaled (it would not be sent anyway). */
  readonly notifyMaxAgeMs: number;
  /** A cancel HubSoft never accepted is given up after this long (state.outbox.cancelMaxAgeMs). */
  readonly cancelMaxAgeMs?: number;
  /** Past this many requests waiting, new notifies are dropped (counted); cancels are always kept. */
  readonly maxBacklog?: number;
  readonly clock?: () => number;
  /** After the adapter delivered a request; origin is what submit() was given (null for a replayed record). */
  readonly onSent?: (request: PreparedRequest, origin: unknown) => void;
  /** A permanent refusal (not retryable): counted and shown by the daemon. */
  readonly onRefused?: (request: PreparedRequest, error: unknown) => void;
}

export interface DurableDispatchStats {
  /** Requests waiting for a dispatcher slot, both lanes (journaled ones wait on disk). */
  readonly backlog: number;
  /** Of those, replayed or requeued records (the backlog lane). */
  readonly backlogLane: number;
  /** Requests handed to the dispatcher and not finished. */
  readonly inDispatcher: number;
  /** Requests waiting for their journal write. */
  readonly staging: number;
  readonly journaled: number;
  /** Sent without a journal record (outbox disabled, full, failing, or a notify too old to matter). */
  readonly unjournaled: number;
  readonly replayed: number;
  /** Cancels given up at the retry deadline and queued again (HubSoft still down). */
  readonly requeued: number;
  /** Notifies not sent because the outbox was full. */
  readonly droppedFull: number;
  /** Notifies dropped because the backlog was at maxBacklog (a long HubSoft outage). */
  readonly droppedOverflow: number;
  /** Requests HubSoft refused for good. */
  readonly refused: number;
  readonly outbox: OutboxStats | null;
}

interface Slot {
  item: Item | null;
  ready: boolean;
}

/**
 * Between the request's source (the call path, any adapter user) and the dispatcher. Every must-deliver
 * request (kind cancel) is appended to the outbox (fsync) before it enters the dispatcher, every young
 * notify is journaled while it is sent (journal-item.ts), and each is acked once the adapter delivered it
 * or it was refused for good. Live requests go first; replayed and requeued records drain in the free
 * capacity (lanes.ts). A request abandoned at shutdown or by a crash stays in the journal for the next start.
 */
export class DurableDispatch {
  private outbox: Outbox | null = null;
  private readonly staging: Slot[] = [];
  private readonly waiting = new LaneQueues();
  private readonly jobs = new Map<DispatchJob, Item>();
  private readonly clock: () => number;
  private readonly backlogSlots: number;
  private readonly report: BacklogReport;
  private nextOrder = 0;
  private inDispatcher = 0;
  private backlogInDispatcher = 0;
  private pumping = false;
  private closed = false;
  private counts = { journaled: 0, unjournaled: 0, replayed: 0, requeued: 0, droppedFull: 0, droppedOverflow: 0, refused: 0 };

  constructor(private readonly options: DurableDispatchOptions) {
    this.clock = options.clock ?? Date.now;
    this.backlogSlots = Math.min(options.maxInMemory, backlogInFlight(options.concurrency ?? options.maxInMemory + 1, options.backlogInFlight));
    this.report = new BacklogReport(options.logger, this.clock);
  }

  /** Takes the opened outbox (or null: no journal) and queues its pending records in the backlog lane. */
  start(outbox: Outbox | null): void {
    this.useOutbox(outbox);
  }

  /** Also later: a state dir that became writable brings its journal in; its records join the backlog. */
  useOutbox(outbox: Outbox | null): void {
    this.outbox = outbox;
    let replayed = 0;
    for (const record of outbox?.pending() ?? []) {
      const request: PreparedRequest = { route: record.route, kind: record.kind, key: record.key, body: record.body };
      const describe = this.options.sender.describe?.(request) ?? record.route;
      this.waiting.push({
        order: this.nextOrder++,
        lane: 'backlog',
        request: { ...request, describe: `${describe} (replayed)` },
        createdAt: record.createdAt,
        origin: null,
        id: record.id,
      });
      replayed += 1;
    }
    this.counts.replayed += replayed;
    if (replayed > 0) {
      this.report.started(replayed);
      this.options.logger.info({ pending: replayed }, 'outbox: resending requests left from the last run, behind live calls');
    }
    this.pump();
  }

  /** The call path's queue (JobQueue). */
  enqueue(job: { readonly request: PreparedRequest; readonly createdAt: number }): void {
    this.submit(job.request, { createdAt: job.createdAt, origin: job });
  }

  /** A live request: journaled (when its kind calls for it), then dispatched ahead of the backlog, in order. */
  submit(request: PreparedRequest, options: { readonly createdAt: number; readonly origin?: unknown; readonly lane?: Lane }): void {
    const item: Item = { order: this.nextOrder++, lane: options.lane ?? 'live', request, createdAt: options.createdAt, origin: options.origin ?? null, id: null };
    const slot: Slot = { item, ready: false };
    this.staging.push(slot);
    const outbox = this.outbox;
    // A cancel is journaled even during shutdown: it is the missed-call record, sent after the restart.
    const journal = outbox !== null && (request.kind === 'cancel' || (!this.closed && this.clock() - options.createdAt < this.options.notifyMaxAgeMs));
    if (!journal) {
      this.counts.unjournaled += 1;
      slot.ready = true;
      return this.flushStaging();
    }
    journalItem(outbox, item, {
      logger: this.options.logger,
      onJournaled: () => (this.counts.journaled += 1),
      onUnjournaled: () => (this.counts.unjournaled += 1),
      onFull: () => {
        this.counts.droppedFull += 1;
        slot.item = null;
      },
      onReady: () => {
        slot.ready = true;
        this.flushStaging();
      },
    });
  }

  /** The dispatcher's onResult: ack what is done, keep what must be sent again. */
  onResult(job: DispatchJob, outcome: JobOutcome, info: JobResultInfo): void {
    const item = this.jobs.get(job);
    if (!item) return;
    this.jobs.delete(job);
    this.inDispatcher -= 1;
    if (job.lane === 'backlog') this.backlogInDispatcher -= 1;
    this.report.finished(item, outcome, job.lane === 'backlog');
    if (outcome === 'dropped-shutdown') return this.keepForRestart(item);
    const retryable = outcome === 'failed' && this.options.sender.isRetryable(info.error);
    if (outcome === 'failed' && !retryable) {
      this.counts.refused += 1;
      this.options.onRefused?.(item.request, info.error);
    }
    if (retryable && item.request.kind === 'cancel') {
      // HubSoft is still down after the retry deadline: a must-deliver request is never given up before its maximum age.
      if (this.closed) return this.keepForRestart(item);
      if (this.clock() - item.createdAt <= (this.options.cancelMaxAgeMs ?? Number.POSITIVE_INFINITY)) {
        this.counts.requeued += 1;
        item.lane = 'backlog';
        this.waiting.push(item);
        return this.pump();
      }
      this.options.logger.error({ job: item.request.describe, key: item.request.key }, 'request given up: HubSoft did not accept it within state.outbox.cancelMaxAgeMs');
    }
    if (item.id !== null) void this.outbox?.ack(item.id);
    this.pump();
  }

  stats(): DurableDispatchStats {
    return {
      backlog: this.waiting.length,
      backlogLane: this.waiting.backlogLength,
      inDispatcher: this.inDispatcher,
      staging: this.staging.length,
      ...this.counts,
      outbox: this.outbox?.stats() ?? null,
    };
  }

  /** Whether the journal is in use (false: running without durability). */
  get durable(): boolean {
    return this.outbox !== null;
  }

  /** Drops journal records past their maximum age (they are skipped when their turn comes). */
  expire(): number {
    return this.outbox?.expire() ?? 0;
  }

  /** Shutdown, before the dispatcher drains: nothing more enters it (the backlog stays on disk). */
  stopAdmitting(): void {
    this.closed = true;
  }

  /** After the drain: waits for journal writes (acks included) and closes the outbox. What is left is replayed next start. */
  async close(): Promise<void> {
    this.closed = true;
    await this.outbox?.close();
    for (const item of [...this.waiting.all(), ...this.staging.map((slot) => slot.item)]) if (item) this.keepForRestart(item);
  }

  /** Shutdown: a journaled request stays pending for the next start; a must-deliver one never journaled is lost, and said so. */
  private keepForRestart(item: Item): void {
    if (item.id !== null || item.request.kind !== 'cancel') return;
    this.options.logger.error({ job: item.request.describe, key: item.request.key }, 'must-deliver request not delivered and not journaled: lost at shutdown');
  }

  private flushStaging(): void {
    while (this.staging[0]?.ready) {
      const { item } = this.staging.shift()!;
      if (item && this.overflows(item)) this.dropNotify(item);
      else if (item) this.waiting.push(item);
    }
    this.pump();
  }

  /** Memory stays bounded through a long outage: a notify that would only queue behind too many others is dropped. */
  private overflows(item: Item): boolean {
    const max = this.options.maxBacklog;
    return item.request.kind === 'notify' && max !== undefined && this.waiting.length >= max && this.inDispatcher >= this.options.maxInMemory;
  }

  private dropNotify(item: Item): void {
    this.counts.droppedOverflow += 1;
    if (item.id !== null) void this.outbox?.ack(item.id);
    if (this.counts.droppedOverflow === 1 || this.counts.droppedOverflow % 100 === 0) {
      this.options.logger.warn({ backlog: this.waiting.length, dropped: this.counts.droppedOverflow, job: item.request.describe }, 'HubSoft backlog full: new notifications dropped (cancels are kept)');
    }
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.closed && this.inDispatcher < this.options.maxInMemory) {
        const item = this.waiting.next(this.backlogInDispatcher < this.backlogSlots);
        if (!item) break;
        if (item.id !== null && this.outbox && !this.outbox.has(item.id)) {
          this.report.finished(item, 'dropped-stale', item.lane === 'backlog'); // expired meanwhile
          continue;
        }
        this.admit(item);
      }
    } finally {
      this.pumping = false;
    }
  }

  private admit(item: Item): void {
    const job: DispatchJob = {
      key: item.request.key,
      kind: item.request.kind,
      lane: item.lane,
      createdAt: item.createdAt,
      order: item.order,
      describe: item.request.describe,
      route: item.request.route,
      run: (signal) => this.send(item, signal),
    };
    this.jobs.set(job, item);
    this.inDispatcher += 1;
    if (item.lane === 'backlog') this.backlogInDispatcher += 1;
    this.options.dispatcher.enqueue(job);
  }

  private async send(item: Item, signal: AbortSignal): Promise<void> {
    await this.options.sender.send(item.request, signal);
    this.options.onSent?.(item.request, item.origin);
  }
}
