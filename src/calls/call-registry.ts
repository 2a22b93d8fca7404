import { newCallRecord, type CallRecord } from './call-record.js';

const RECENTLY_ENDED_MAX = 2000;
const RECENTLY_HUNG_UP_MAX = 4000;

/**
 * Which channel belongs to which call. A channel can move to another call (a bridge or a transfer
 * gives it the older Linkedid); a call whose last channel left has ended, and `onEmpty` is told.
 * Bounded: at most `maxLiveCalls` calls (the oldest is handed to `onEmpty` first), and Linkedids
 * that ended recently are not brought back by late events. Nor are channels that hung up: Asterisk 22
 * still sends a NewCallerid for a queue's Local member after its Hangup, and Uniqueids are never reused.
 */
export class CallRegistry {
  private readonly calls = new Map<string, CallRecord>();
  private readonly owners = new Map<string, CallRecord>();
  private readonly recentlyEnded = new Set<string>();
  private readonly recentlyHungUp = new Set<string>();
  /** Calls created by the event being handled, dropped again if it gave them nothing. */
  private created: CallRecord[] = [];

  constructor(
    private readonly maxLiveCalls: number,
    private readonly onEmpty: (call: CallRecord) => void,
  ) {}

  get size(): number {
    return this.calls.size;
  }

  get channelCount(): number {
    return this.owners.size;
  }

  get(linkedid: string | undefined): CallRecord | undefined {
    return linkedid ? this.calls.get(linkedid) : undefined;
  }

  ownerOf(uniqueid: string | undefined): CallRecord | undefined {
    return uniqueid ? this.owners.get(uniqueid) : undefined;
  }

  /** The Uniqueids of every channel followed now (a snapshot taken before asking Asterisk what is live). */
  channelIds(): Set<string> {
    return new Set(this.owners.keys());
  }

  all(): CallRecord[] {
    return [...this.calls.values()];
  }

  /** The call for a Linkedid, created on first sight (events may arrive before Newchannel). */
  obtain(linkedid: string | undefined, now: number): CallRecord | undefined {
    if (!linkedid) return undefined;
    const known = this.calls.get(linkedid);
    if (known) {
      known.lastEventAt = now;
      return known;
    }
    if (this.recentlyEnded.has(linkedid)) return undefined;
    if (this.calls.size >= this.maxLiveCalls) this.onEmpty(this.calls.values().next().value!);
    const call = newCallRecord(linkedid, now);
    this.calls.set(linkedid, call);
    this.created.push(call);
    return call;
  }

  adopt(uniqueid: string, call: CallRecord): void {
    const previous = this.owners.get(uniqueid);
    if (previous === call || this.recentlyHungUp.has(uniqueid)) return;
    call.channels.add(uniqueid);
    this.owners.set(uniqueid, call);
    if (previous) this.release(uniqueid, previous);
  }

  /** The channel left `call` (hung up or moved). */
  release(uniqueid: string, call: CallRecord): void {
    call.channels.delete(uniqueid);
    if (this.owners.get(uniqueid) === call) this.owners.delete(uniqueid);
    if (call.channels.size === 0 && this.calls.get(call.linkedid) === call) this.onEmpty(call);
  }

  /** The channel hung up: it leaves its call, and no later event brings it back. */
  hangUp(uniqueid: string, call: CallRecord): void {
    this.recentlyHungUp.add(uniqueid);
    if (this.recentlyHungUp.size > RECENTLY_HUNG_UP_MAX) this.recentlyHungUp.delete(this.recentlyHungUp.values().next().value!);
    this.release(uniqueid, call);
  }

  /** Forgets an ended call and its channels; late events for its Linkedid are ignored from now on. */
  remove(call: CallRecord): void {
    for (const uniqueid of call.channels) if (this.owners.get(uniqueid) === call) this.owners.delete(uniqueid);
    this.calls.delete(call.linkedid);
    this.recentlyEnded.add(call.linkedid);
    if (this.recentlyEnded.size > RECENTLY_ENDED_MAX) this.recentlyEnded.delete(this.recentlyEnded.values().next().value!);
  }

  /**
   * A stray or mangled event (a DialBegin whose destination is no extension, a Linkedid nothing else
   * names) would otherwise leave a call with no channel: no Hangup can end it, only the idle sweep.
   */
  dropEmptyCreated(): void {
    for (const call of this.created) {
      if (this.calls.get(call.linkedid) !== call) continue;
      if (call.channels.size === 0 && call.rings.size === 0 && call.members.size === 0 && !call.entered) this.calls.delete(call.linkedid);
    }
    this.created = [];
  }
}
