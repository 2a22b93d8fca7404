import type { Lane } from './lanes.js';
import type { PreparedRequest } from './request.js';

/** One request waiting in DurableDispatch (in memory; its record, when journaled, is on disk). */
export interface Item {
  /** Global order: journal order for replayed records, then arrival. */
  readonly order: number;
  lane: Lane;
  readonly request: PreparedRequest;
  readonly createdAt: number;
  /** What the caller attached (the ring behind a notify, for onSent); null for a replayed record. */
  readonly origin: unknown;
  /** Journal record id; null when not journaled. */
  id: string | null;
}

/**
 * The two waiting lines in front of the dispatcher: live requests in arrival order, backlog in journal
 * order. A live request whose key still has backlog waiting takes those records along, ahead of itself,
 * so the per-key order holds (an old call's cancelar before the new call's notificar of the same key).
 */
export class LaneQueues {
  private readonly live: Item[] = [];
  private backlog: Item[] = [];
  private readonly backlogKeys = new Map<string, number>();

  get liveLength(): number {
    return this.live.length;
  }

  get backlogLength(): number {
    return this.backlog.length;
  }

  get length(): number {
    return this.live.length + this.backlog.length;
  }

  push(item: Item): void {
    if (item.lane === 'backlog') return this.insertBacklog(item);
    if (this.backlogKeys.has(item.request.key)) this.promote(item.request.key);
    this.live.push(item);
  }

  /** The next request to admit: live first; backlog only when `backlogAllowed`. */
  next(backlogAllowed: boolean): Item | undefined {
    const live = this.live.shift();
    if (live) return live;
    if (!backlogAllowed) return undefined;
    const item = this.backlog.shift();
    if (item) this.countKey(item.request.key, -1);
    return item;
  }

  all(): Item[] {
    return [...this.live, ...this.backlog];
  }

  private insertBacklog(item: Item): void {
    let low = 0;
    let high = this.backlog.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.backlog[mid]!.order < item.order) low = mid + 1;
      else high = mid;
    }
    this.backlog.splice(low, 0, item);
    this.countKey(item.request.key, 1);
  }

  private promote(key: string): void {
    const keep: Item[] = [];
    for (const item of this.backlog) {
      if (item.request.key !== key) {
        keep.push(item);
        continue;
      }
      item.lane = 'live';
      this.live.push(item);
    }
    this.backlog = keep;
    this.backlogKeys.delete(key);
  }

  private countKey(key: string, delta: number): void {
    const count = (this.backlogKeys.get(key) ?? 0) + delta;
    if (count > 0) this.backlogKeys.set(key, count);
    else this.backlogKeys.delete(key);
  }
}
