import type { Logger } from '../log/logger.js';
import type { CallInfo, StopReason, TrackerOutput } from '../calls/types.js';
import type { LookupResult } from '../hubsoft/types.js';
import type { CallerContext } from '../hubsoft/caller-context.js';
import type { CrmPort, RingNotice } from './crm-port.js';
import type { PreparedRequest } from '../outbox/request.js';
import { withinDeadline } from '../util/deadline.js';

/** contextFor gets this much less than the budget left, so that it answers before the guard gives up on it. */
const CONTEXT_MARGIN_MS = 25;

/** One CRM request of one ring, as the adapter prepared it, with the ring behind it (for onSent and logs). */
export interface PathJob {
  readonly request: PreparedRequest;
  readonly createdAt: number;
  readonly ring: RingNotice;
  /** For a cancel: why the ring stopped. */
  readonly reason?: StopReason;
}

/** Where the call path hands its requests: DurableDispatch (journal, live lane, dispatcher). */
export interface JobQueue {
  enqueue(job: PathJob): void;
}

export interface CallPathOptions {
  readonly crm: CrmPort;
  readonly queue: JobQueue;
  readonly logger: Logger;
  /** A notify never waits longer than this (from the ring) for the caller lookup. */
  readonly lookupBudgetMs: number;
  /** Extensions HubSoft should never hear about. */
  readonly isExcluded?: (extension: string) => boolean;
  /**
   * Called when an inbound call enters, with its lookup already under way (alerts to the IVR), and the caller's
   * context, which resolves within lookupBudgetMs of the entry (null without contextFor or for an unknown caller).
   */
  readonly onEntered?: (call: CallInfo, lookup: Promise<LookupResult>, context: Promise<CallerContext | null>) => void;
  /** The caller's context for a lookup result, resolving within deadlineMs (CallerContextSource.forCaller). */
  readonly contextFor?: (result: LookupResult, deadlineMs: number) => Promise<CallerContext | null>;
  readonly clock?: () => number;
  readonly timers?: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout };
  /**
   * Told when a window opens and when it is closed or answered (open-rings.ts). A notify is queued only
   * once `opened` resolves (its record is on disk): a crash right after HubSoft opened the window must
   * leave the restarted bridge knowing it, or nothing would ever close it.
   */
  readonly ringLog?: { opened(key: string, ring: RingNotice): Promise<void> | void; closed(key: string): void };
}

interface OpenRing {
  /** Resolves once the notify is in the queue, with what it carried (the cancel repeats it). */
  readonly notice: Promise<RingNotice>;
}

/**
 * Ring -> notify path: tracker outputs in, ordered HubSoft requests out.
 * entered: start the caller lookup (lookup-ahead) so the cache is warm when a phone rings.
 * ringing: wait for the lookup up to the budget, then queue notificar.
 * stopped: unless answered, queue cancelar with the same ramal/telefone, after its notify.
 */
export class CallPath {
  private readonly lookups = new Map<string, Promise<LookupResult>>();
  private readonly rings = new Map<string, OpenRing>();
  /**
   * Per extension + caller (what HubSoft matches on): the previous ring's cancel, until it is queued. A re-ring's
   * or a quick call-back's notify must not overtake it, or that cancel would close the new window.
   */
  private readonly cancelsPending = new Map<string, Promise<void>>();
  private waiting = 0;
  private readonly clock: () => number;
  private readonly timers: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout };

  constructor(private readonly options: CallPathOptions) {
    this.clock = options.clock ?? Date.now;
    this.timers = options.timers ?? { setTimeout, clearTimeout };
  }

  handle(outputs: readonly TrackerOutput[]): void {
    for (const output of outputs) {
      switch (output.type) {
        case 'entered':
          this.onEntered(output.call);
          break;
        case 'ringing':
          this.onRinging(output.call, output.extension, output);
          break;
        case 'stopped':
          this.onStopped(output);
          break;
      }
    }
  }

  /** Rings not stopped yet, and requests still waiting for their lookup before entering the queue. */
  stats(): { openRings: number; waitingForLookup: number } {
    return { openRings: this.rings.size, waitingForLookup: this.waiting };
  }

  private onRinging(call: CallInfo, extension: string, output: Extract<TrackerOutput, { type: 'ringing' }>): void {
    if (this.options.isExcluded?.(extension)) return;
    const key = ringKey(call.linkedid, extension);
    const lookup = this.lookup(call);
    this.waiting += 1;
    const previousCancel = this.cancelsPending.get(matchProxy(extension, call));
    const lookedUp = previousCancel ? previousCancel.then(() => this.withinBudget(lookup, output.at)) : this.withinBudget(lookup, output.at);
    const notice = lookedUp.then(async (result): Promise<RingNotice> => {
      const callerContext = result ? await this.contextWithin(result, output.at) : null;
      const ring: RingNotice = { call, extension, context: output.context, lookup: result, at: output.at, ...(callerContext ? { callerContext } : {}) };
      if (!result) this.options.logger.warn({ linkedid: call.linkedid, extension }, 'caller lookup exceeded the budget: notifying with the phone only');
      await this.options.ringLog?.opened(key, ring);
      this.waiting -= 1;
      this.enqueue(() => this.options.crm.prepareRinging(ring), { createdAt: output.at, ring });
      return ring;
    });
    this.rings.set(key, { notice });
  }

  /** After a restart: a window the last run opened whose call still rings is followed again (its stop cancels it). */
  restore(key: string, ring: RingNotice): void {
    this.rings.set(key, { notice: Promise.resolve(ring) });
    void this.options.ringLog?.opened(key, ring);
  }

  /** After a restart: a window the last run opened whose call ended meanwhile gets its cancel now. */
  closeRecovered(key: string, ring: RingNotice, at: number): void {
    if (this.options.isExcluded?.(ring.extension)) return this.options.ringLog?.closed(key);
    this.enqueue(() => this.options.crm.prepareStopped(ring, 'caller-hung-up'), { createdAt: at, ring, reason: 'caller-hung-up' });
    this.options.ringLog?.closed(key);
  }

  private onStopped(output: Extract<TrackerOutput, { type: 'stopped' }>): void {
    const key = ringKey(output.call.linkedid, output.extension);
    const open = this.rings.get(key);
    if (!open) return;
    this.rings.delete(key);
    if (output.reason === 'answered') {
      void open.notice.then(() => this.options.ringLog?.closed(key));
      return;
    }
    this.waiting += 1;
    const queued = open.notice.then((ring) => {
      this.waiting -= 1;
      this.enqueue(() => this.options.crm.prepareStopped(ring, output.reason), { createdAt: output.at, ring, reason: output.reason });
      this.options.ringLog?.closed(key);
    });
    const pending = matchProxy(output.extension, output.call);
    this.cancelsPending.set(pending, queued);
    void queued.finally(() => {
      if (this.cancelsPending.get(pending) === queued) this.cancelsPending.delete(pending);
    });
  }

  /** Starts the lookup (and the caller's context once it is known, within the budget from now): the IVR gets both. */
  private onEntered(call: CallInfo): void {
    const lookup = this.lookup(call);
    const { contextFor, onEntered } = this.options;
    if (!contextFor && !onEntered) return;
    const enteredAt = this.clock();
    const context = lookup.then((result) => this.contextWithin(result, enteredAt));
    onEntered?.(call, lookup, context);
  }

  /** The caller's context within what is left of the budget from `since`; null without one, when late or failed. */
  private async contextWithin(result: LookupResult, since: number): Promise<CallerContext | null> {
    const { contextFor } = this.options;
    if (!contextFor || result.status !== 'found') return null;
    const left = Math.max(0, this.options.lookupBudgetMs - (this.clock() - since));
    // contextFor keeps its own deadline, a little shorter so that its partial answer (the service status) wins the race;
    // this one guards the budget whatever it does.
    const timed = await withinDeadline(Promise.resolve().then(() => contextFor(result, Math.max(0, left - CONTEXT_MARGIN_MS))), left, this.timers);
    return timed.kind === 'done' ? timed.value : null;
  }

  /** Runs in a promise callback, detached from the event loop that caused it: never throws. */
  private enqueue(prepare: () => PreparedRequest | null, job: Omit<PathJob, 'request'>): void {
    try {
      const request = prepare();
      if (request) this.options.queue.enqueue({ ...job, request });
    } catch (error) {
      this.options.logger.error({ err: error, linkedid: job.ring.call.linkedid, extension: job.ring.extension }, 'could not queue a CRM request');
    }
  }

  /** One lookup per call, shared by its entry and all its rings; forgotten once settled (the cache keeps it). */
  private lookup(call: CallInfo): Promise<LookupResult> {
    const known = this.lookups.get(call.linkedid);
    if (known) return known;
    const started = this.options.crm.lookupCaller(call.callerNumber).catch((error: unknown): LookupResult => ({
      status: 'error',
      raw: call.callerNumber,
      phone: null,
      candidates: [],
      clients: [],
      client: null,
      reason: error instanceof Error ? error.message : String(error),
    }));
    this.lookups.set(call.linkedid, started);
    void started.finally(() => this.lookups.delete(call.linkedid));
    return started;
  }

  private async withinBudget(lookup: Promise<LookupResult>, ringAt: number): Promise<LookupResult | null> {
    const left = this.options.lookupBudgetMs - (this.clock() - ringAt);
    const timed = await withinDeadline(lookup, left, this.timers);
    return timed.kind === 'done' ? timed.value : null;
  }
}

function matchProxy(extension: string, call: CallInfo): string {
  return `${extension}|${call.callerNumber}`;
}

function ringKey(linkedid: string, extension: string): string {
  return `${linkedid}/${extension}`;
}
