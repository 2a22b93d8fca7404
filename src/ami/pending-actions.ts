import { BridgeError } from '../errors.js';
import type { AmiEvent, AmiResponse } from './types.js';
import type { Timers as AmiTimers } from '../util/timers.js';

/** A list action's answer: its Response, then the events carrying its ActionID. */
export interface AmiListResult {
  readonly response: AmiResponse;
  readonly events: readonly AmiEvent[];
  /** True when more than `maxListEvents` came and the rest were dropped. */
  readonly truncated: boolean;
}

interface Pending {
  readonly action: string;
  readonly timer: unknown;
  readonly resolve: (value: never) => void;
  readonly reject: (error: BridgeError) => void;
  /** Set for list actions: the events collected so far. */
  readonly list?: AmiEvent[];
  response?: AmiResponse;
  truncated?: boolean;
}

const MAX_LIST_EVENTS = 100_000;

/**
 * Actions sent and not yet answered, by ActionID. Each has a deadline (typed
 * AMI_ACTION_TIMEOUT); `rejectAll` fails every one with AMI_DISCONNECTED when the link drops.
 */
export class PendingActions {
  private readonly byId = new Map<string, Pending>();

  constructor(
    private readonly timers: AmiTimers,
    private readonly onTimeout: (actionId: string, action: string) => void,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  add(actionId: string, action: string, timeoutMs: number): Promise<AmiResponse> {
    return this.register(actionId, action, timeoutMs, false) as Promise<AmiResponse>;
  }

  addList(actionId: string, action: string, timeoutMs: number): Promise<AmiListResult> {
    return this.register(actionId, action, timeoutMs, true) as Promise<AmiListResult>;
  }

  /** Moves an entry when the session wrote it under another ActionID. */
  rename(from: string, to: string): void {
    const entry = this.byId.get(from);
    if (!entry || from === to) return;
    this.byId.delete(from);
    this.byId.set(to, entry);
  }

  /** Returns true when the response belonged to one of ours. */
  response(response: AmiResponse): boolean {
    const id = response.actionid;
    const entry = id === undefined ? undefined : this.byId.get(id);
    if (!entry || id === undefined) return false;
    if (entry.list && response.response.toLowerCase() !== 'error') {
      entry.response = response;
      return true;
    }
    this.settle(id, entry, entry.list ? { response, events: [], truncated: false } : response);
    return true;
  }

  /** Returns true when the event belonged to a pending list action (and must not go further). */
  listEvent(event: AmiEvent): boolean {
    const id = event.actionid;
    const entry = id === undefined ? undefined : this.byId.get(id);
    if (!entry?.list || id === undefined) return false;
    if ((event.eventlist ?? '').toLowerCase() === 'complete') {
      const response = entry.response ?? ({ response: 'Success', actionid: id } as AmiResponse);
      this.settle(id, entry, { response, events: entry.list, truncated: entry.truncated === true });
    } else if (entry.list.length < MAX_LIST_EVENTS) {
      entry.list.push(event);
    } else {
      entry.truncated = true;
    }
    return true;
  }

  rejectAll(makeError: (action: string) => BridgeError): void {
    const entries = [...this.byId.entries()];
    this.byId.clear();
    for (const [, entry] of entries) {
      this.timers.clearTimeout(entry.timer);
      entry.reject(makeError(entry.action));
    }
  }

  private register(actionId: string, action: string, timeoutMs: number, list: boolean): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = this.timers.setTimeout(() => {
        const entry = this.byId.get(actionId);
        if (!entry) return;
        this.byId.delete(actionId);
        this.onTimeout(actionId, action);
        reject(
          new BridgeError('AMI_ACTION_TIMEOUT', `Asterisk did not answer the AMI action ${action} within ${timeoutMs} ms.`, {
            action,
            actionId,
            timeoutMs,
          }),
        );
      }, timeoutMs);
      this.byId.set(actionId, { action, timer, resolve, reject, ...(list ? { list: [] } : {}) });
    });
  }

  private settle(id: string, entry: Pending, value: unknown): void {
    this.byId.delete(id);
    this.timers.clearTimeout(entry.timer);
    (entry.resolve as (value: unknown) => void)(value);
  }
}
