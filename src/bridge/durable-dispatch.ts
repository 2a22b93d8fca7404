import type { StopReason } from '../calls/types.js';
import type { PbxCallBody } from '../hubsoft/types.js';
import type { Logger } from '../log/logger.js';
import type { PathJob } from './call-path.js';
import type { RingNotice } from './crm-port.js';
import type { DispatchJob, JobOutcome, JobResultInfo } from './dispatcher.js';
import type { Outbox, OutboxKind, OutboxRoute, OutboxStats, StageResult } from './outbox.js';
import { isRetryable } from './retry.js';

/** Builds and sends the exact HubSoft bodies (HubsoftCrm.bodyFor + PbxApi in the daemon). */
export interface PbxSender {
  /** The body for a ring, or null when this extension is not sent to HubSoft. The same ring gives the same body. */
  bodyFor(ring: RingNotice): PbxCallBody | null;
  /** Sends one request; `signal` aborts it (shutdown, the dispatcher's attempt timeout). */
  send(route: OutboxRoute, body: PbxCallBody, signal?: AbortSignal): Promise<void>;
}

export interface DurableDispatchOptions {
  readonly dispatcher: { enqueue(job: DispatchJob): void };
  readonly sender: PbxSender;
  readonly logger: Logger;
  /** At most this many requests are in the dispatcher at once; the rest wait here (on disk when journaled). */
  readonly maxInMemory: number;
  /** A notify older than this is not journaled (it would not be sent anyway). */
  readonly notifyMaxAgeMs: number;
  /** A cancel HubSoft never accepted is given up after this long (state.outbox.cancelMaxAgeMs). */
  readonly cancelMaxAgeMs?: number;
  /** Past this many requests waiting in the backlog, new notifies are dropped (counted); cancels are always kept. */
  readonly maxBacklog?: number;
  readonly clock?: () => number;
  /** After HubSoft accepted a request; ring is null for a request replayed from the journal. */
  readonly onSent?: (route: OutboxRoute, body: PbxCallBody, ring: RingNotice | null, reason?: StopReason) => void;
}

export interface DurableDispatchStats {
  /** Requests waiting for a dispatcher slot (journaled ones wait on disk). */
  readonly backlog: number;
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
  readonly outbox: OutboxStats | null;
}

interface Item {
  readonly order: number;
  readonly kind: OutboxKind;
  readonly key: string;
  readonly createdAt: number;
  readonly route: OutboxRoute;
  readonly body: PbxCallBody;
  readonly ring: RingNotice | null;
  readonly reason?: StopReason;
  readonly describe: string;
  /** Journal record id; null when not journaled. */
  id: string | null;
}

interface Slot {
  item: Item | null;
  ready: boolean;
}

/**
 * Between the call path and the dispatcher: every cancel is appended to the outbox (fsync) before it enters
 * the dispatcher, every notify young enough to matter is journaled while it is sent (see stageNotify), and acked once HubSoft accepted it or
 * refused it for good (4xx). The dispatcher holds at most maxInMemory requests; the rest wait in a
 * backlog whose records are on disk. Journal order is kept: appends are admitted in call order, replayed
 * records (start) go before new traffic, and a cancel given up at the retry deadline goes back to its
 * place. A request abandoned at shutdown or by a crash stays in the journal and is sent after the restart.
 */
export class DurableDispatch {
  private outbox: Outbox | null = null;
  private readonly staging: Slot[] = [];
  private readonly backlog: Item[] = [];
  private readonly jobs = new Map<DispatchJob, Item>();
  private readonly clock: () => number;
  private nextOrder = 0;
  private inDispatcher = 0;
  private pumping = false;
  private closed = false;
  private counts = { journaled: 0, unjournaled: 0, replayed: 0, requeued: 0, droppedFull: 0, droppedOverflow: 0 };

  constructor(private readonly options: DurableDispatchOptions) {
    this.clock = options.clock ?? Date.now;
  }

  /** Takes the opened outbox (or null: no journal) and queues its pending records, in order, before any new request. */
  start(outbox: Outbox | null): void {
    this.outbox = outbox;
    for (const record of outbox?.pending() ?? []) {
      const body = record.body as PbxCallBody;
      this.backlog.push({
        order: this.nextOrder++,
        kind: record.kind,
        key: record.key,
        createdAt: record.createdAt,
        route: record.route,
        body,
        ring: null,
        describe: `${record.route} ${String(body?.ramal ?? body?.identificador_interno ?? '?')} ${String(body?.telefone ?? 'withheld')} (replayed)`,
        id: record.id,
      });
      this.counts.replayed += 1;
    }
    if (this.counts.replayed > 0) this.options.logger.info({ pending: this.counts.replayed }, 'outbox: resending requests left from the last run, in order');
    this.pump();
  }

  /** The call path's queue: journal, then dispatch in order. */
  enqueue(job: PathJob): void {
    const body = this.options.sender.bodyFor(job.ring);
    if (!body) return;
    const route: OutboxRoute = job.kind === 'notify' ? 'notificar' : 'cancelar';
    const item: Item = {
      order: this.nextOrder++,
      kind: job.kind,
      key: job.key,
      createdAt: job.createdAt,
      route,
      body,
      ring: job.ring,
      reason: job.reason,
      describe: job.describe ?? route,
      id: null,
    };
    const slot: Slot = { item, ready: false };
    this.staging.push(slot);
    const outbox = this.outbox;
    // A cancel is journaled even during shutdown: it is the missed-call record, sent after the restart.
    const journal = outbox !== null && (job.kind === 'cancel' || (!this.closed && this.clock() - job.createdAt < this.options.notifyMaxAgeMs));
    if (!journal) {
      this.counts.unjournaled += 1;
      slot.ready = true;
      this.flushStaging();
      return;
    }
    if (job.kind === 'notify') {
      this.stageNotify(outbox, slot);
      return;
    }
    outbox
      .append({ kind: item.kind, key: item.key, createdAt: item.createdAt, route, body })
      .then(
        (result) => {
          if (result.ok) {
            item.id = result.record.id;
            this.counts.journaled += 1;
          } else if (result.reason === 'full') {
            // The outbox logged it; HubSoft has been down long enough that this ring is over by the time it returns.
            this.counts.droppedFull += 1;
            slot.item = null;
          } else {
            this.counts.unjournaled += 1;
          }
        },
        (error: unknown) => {
          this.counts.unjournaled += 1;
          this.options.logger.error({ err: error, key: item.key, job: item.describe }, 'outbox write failed: request sent without a journal record');
        },
      )
      .finally(() => {
        slot.ready = true;
        this.flushStaging();
      });
  }

  /**
   * A notify is journaled and sent in parallel: its record is staged (refusals such as "full" are known at
   * once), it is ready for the dispatcher now, behind any earlier request still waiting for its journal write,
   * and its line is group-committed meanwhile. This takes the fdatasync (~1-3 ms, more on a busy disk) off the
   * ring -> screen-pop path. Trade-off, against journal-before-send: a crash within those milliseconds can
   * leave a notify that HubSoft may already have received with no durable record, so it is not sent again
   * after the restart. That is harmless: a replayed notify would only reopen a window for a ring that is over,
   * and a notify journaled but unsent at a crash is still replayed as before. Cancels (the missed-call record)
   * stay strictly journal-before-send, and a ring's cancel stays behind its notify in the dispatcher lane.
   */
  private stageNotify(outbox: Outbox, slot: Slot): void {
    const item = slot.item!;
    let staged: StageResult;
    try {
      staged = outbox.stage({ kind: item.kind, key: item.key, createdAt: item.createdAt, route: item.route, body: item.body });
    } catch (error) {
      this.counts.unjournaled += 1;
      this.options.logger.error({ err: error, key: item.key, job: item.describe }, 'outbox write failed: request sent without a journal record');
      slot.ready = true;
      this.flushStaging();
      return;
    }
    if (staged.ok) {
      item.id = staged.record.id;
      staged.written.then(
        () => {
          this.counts.journaled += 1;
        },
        (error: unknown) => {
          // The outbox forgot the record: a notify still in the backlog must not look expired to pump().
          item.id = null;
          this.counts.unjournaled += 1;
          this.options.logger.error({ err: error, key: item.key, job: item.describe }, 'outbox write failed: request sent without a journal record');
        },
      );
    } else if (staged.reason === 'full') {
      // The outbox logged it; HubSoft has been down long enough that this ring is over by the time it returns.
      this.counts.droppedFull += 1;
      slot.item = null;
    } else {
      this.counts.unjournaled += 1;
    }
    slot.ready = true;
    this.flushStaging();
  }

  /** The dispatcher's onResult: ack what is done, keep what must be sent again. */
  onResult(job: DispatchJob, outcome: JobOutcome, info: JobResultInfo): void {
    const item = this.jobs.get(job);
    if (!item) return;
    this.jobs.delete(job);
    this.inDispatcher -= 1;
    if (outcome === 'dropped-shutdown') return this.keepForRestart(item);
    if (outcome === 'failed' && item.kind === 'cancel' && isRetryable(info.error)) {
      // HubSoft is still down after the retry deadline: a missed call is never given up before its maximum age.
      if (this.closed) return this.keepForRestart(item);
      if (this.clock() - item.createdAt <= (this.options.cancelMaxAgeMs ?? Number.POSITIVE_INFINITY)) {
        this.counts.requeued += 1;
        this.insertByOrder(item);
        return this.pump();
      }
      this.options.logger.error({ job: item.describe, body: item.body }, 'missed call given up: HubSoft did not accept it within state.outbox.cancelMaxAgeMs');
    }
    if (item.id !== null) void this.outbox?.ack(item.id);
    this.pump();
  }

  stats(): DurableDispatchStats {
    return {
      backlog: this.backlog.length,
      inDispatcher: this.inDispatcher,
      staging: this.staging.length,
      ...this.counts,
      outbox: this.outbox?.stats() ?? null,
    };
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
    for (const item of [...this.backlog, ...this.staging.map((slot) => slot.item)]) if (item) this.keepForRestart(item);
  }

  /** Shutdown: a journaled request stays pending for the next start; one that never reached the journal is lost, and said so. */
  private keepForRestart(item: Item): void {
    if (item.id !== null || item.kind !== 'cancel') return;
    this.options.logger.error({ job: item.describe, body: item.body }, 'missed call not delivered and not journaled: lost at shutdown');
  }

  private flushStaging(): void {
    while (this.staging[0]?.ready) {
      const { item } = this.staging.shift()!;
      if (item && this.overflows(item)) this.dropNotify(item);
      else if (item) this.backlog.push(item);
    }
    this.pump();
  }

  /** Memory stays bounded through a long outage: a notify that would only queue behind too many others is dropped. */
  private overflows(item: Item): boolean {
    const max = this.options.maxBacklog;
    return item.kind === 'notify' && max !== undefined && this.backlog.length >= max && this.inDispatcher >= this.options.maxInMemory;
  }

  private dropNotify(item: Item): void {
    this.counts.droppedOverflow += 1;
    if (item.id !== null) void this.outbox?.ack(item.id);
    if (this.counts.droppedOverflow === 1 || this.counts.droppedOverflow % 100 === 0) {
      this.options.logger.warn({ backlog: this.backlog.length, dropped: this.counts.droppedOverflow, job: item.describe }, 'HubSoft backlog full: new notifications dropped (cancels are kept)');
    }
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.closed && this.inDispatcher < this.options.maxInMemory && this.backlog.length > 0) {
        const item = this.backlog.shift()!;
        if (item.id !== null && this.outbox && !this.outbox.has(item.id)) continue; // expired meanwhile
        this.admit(item);
      }
    } finally {
      this.pumping = false;
    }
  }

  private admit(item: Item): void {
    const job: DispatchJob = {
      key: item.key,
      kind: item.kind,
      createdAt: item.createdAt,
      order: item.order,
      describe: item.describe,
      run: (signal) => this.send(item, signal),
    };
    this.jobs.set(job, item);
    this.inDispatcher += 1;
    this.options.dispatcher.enqueue(job);
  }

  private async send(item: Item, signal: AbortSignal): Promise<void> {
    await this.options.sender.send(item.route, item.body, signal);
    if (item.ring) this.options.onSent?.(item.route, item.body, item.ring, item.reason);
  }

  private insertByOrder(item: Item): void {
    let low = 0;
    let high = this.backlog.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.backlog[mid]!.order < item.order) low = mid + 1;
      else high = mid;
    }
    this.backlog.splice(low, 0, item);
  }
}
