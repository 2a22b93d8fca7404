import type { AmiEvent } from '../ami/types.js';
import type { CallsConfig } from '../config/schema.js';
import { CallClassifier, clip } from './call-classifier.js';
import { CallRegistry } from './call-registry.js';
import type { CallRecord } from './call-record.js';
import { extensionOfInterface, parseChannel } from './channel-name.js';
import { RingBook } from './ring-book.js';
import { resyncCalls, restoreRing, type LiveChannel, type TrackerState } from './tracker-resync.js';
import type { CallInfo, RingContext, TrackerOutput, TrackerStats } from './types.js';

export { TRACKER_EVENTS } from './tracker-events.js';
export type { LiveChannel } from './tracker-resync.js';

/**
 * The call tracker: a pure state machine. AMI events in, `entered` / `ringing` / `stopped` out.
 * No I/O and no timers of its own: the owner calls `advance()` at `nextDeadline()`.
 *
 * A ring is one episode of one extension ringing in one call (keyed by Linkedid + extension);
 * its legs are the device channels (DestUniqueid) dialled for that extension. The ring stops when
 * a leg answers, or when every leg ended and no re-ring came within the grace. This file reads the
 * events; the rings and legs live in RingBook, the call kinds in CallClassifier, the resync with what
 * Asterisk reports (after a reconnect or a restart) in tracker-resync.ts.
 */
export interface TrackerOptions {
  readonly config: CallsConfig;
  readonly clock?: () => number;
}

const IDLE_SWEEP_EVERY_MS = 60_000;

export class CallTracker {
  private readonly config: CallsConfig;
  private readonly clock: () => number;
  private readonly classifier: CallClassifier;
  private readonly calls: CallRegistry;
  private readonly rings: RingBook;
  private readonly state: TrackerState;
  private nextIdleSweep = 0;
  private out: TrackerOutput[] = [];

  constructor(options: TrackerOptions) {
    this.config = options.config;
    this.clock = options.clock ?? Date.now;
    this.classifier = new CallClassifier(options.config);
    this.calls = new CallRegistry(options.config.maxLiveCalls, (call) => this.endCall(call));
    this.rings = new RingBook(options.config.reringGraceMs, this.clock, (output) => this.out.push(output));
    this.state = { calls: this.calls, rings: this.rings, classifier: this.classifier, endCall: (call) => this.endCall(call) };
  }

  /** Feeds one event; returns what it caused. Never throws on odd input. */
  handle(event: AmiEvent): TrackerOutput[] {
    this.out = [];
    const now = this.clock();
    try {
      this.dispatch(event, now);
    } finally {
      this.calls.dropEmptyCreated();
      this.expire(now);
    }
    return this.out;
  }

  /** Closes rings whose grace ran out, and forgets calls idle past the limit. */
  advance(): TrackerOutput[] {
    this.out = [];
    this.expire(this.clock());
    return this.out;
  }

  /** When `advance()` should next be called, or null when nothing is pending. */
  nextDeadline(): number | null {
    let next = this.rings.nextGraceEnd();
    if (this.calls.size > 0 && (next === null || this.nextIdleSweep < next)) next = Math.max(this.nextIdleSweep, this.clock());
    return next;
  }

  /** Ends every tracked call (Asterisk restarted, or the link was lost for good): open rings stop. */
  closeAll(): TrackerOutput[] {
    this.out = [];
    for (const call of this.calls.all()) this.endCall(call);
    return this.out;
  }

  /** After a reconnect: known channels Asterisk no longer lists have gone (tracker-resync.ts). */
  resync(live: ReadonlySet<string>, known: ReadonlySet<string> = this.calls.channelIds()): TrackerOutput[] {
    this.out = [];
    resyncCalls(this.state, live, known);
    this.expire(this.clock());
    return this.out;
  }

  /** After a restart: a ring the last run reported, followed again while it still rings (not reported again). */
  restore(ring: { readonly call: CallInfo; readonly extension: string; readonly context: RingContext }, channels: readonly LiveChannel[]): boolean {
    const outer = this.out;
    this.out = [];
    try {
      return restoreRing(this.state, ring, channels, this.clock());
    } finally {
      this.out = outer;
    }
  }

  /** Uniqueids of the channels followed now: snapshot it before asking Asterisk for a resync. */
  channelIds(): Set<string> {
    return this.calls.channelIds();
  }

  stats(): TrackerStats {
    let openRings = 0;
    for (const call of this.calls.all()) openRings += call.rings.size;
    return { liveCalls: this.calls.size, liveChannels: this.calls.channelCount, openRings, pendingGraces: this.rings.pendingGraces };
  }

  private dispatch(e: AmiEvent, now: number): void {
    this.followLinkedid(e, now);
    switch (e.event.toLowerCase()) {
      case 'newchannel':
        return this.onNewchannel(e, now);
      case 'newcallerid':
        return this.onNewCallerid(e, now);
      case 'newstate':
        if (e.channelstate === '6') this.rings.answerLeg(e.uniqueid);
        this.touch(e, now);
        return;
      case 'dialbegin':
        return this.onDialBegin(e, now);
      case 'dialend':
        return this.onDialEnd(e);
      case 'bridgeenter':
        return this.rings.answerLeg(e.uniqueid);
      case 'hangup':
        return this.onHangup(e);
      case 'hanguprequest':
        return this.onCallerLeaving(e, true);
      case 'queuecallerabandon':
        return this.onCallerLeaving(e, false);
      case 'agentcalled':
        return this.onAgentCalled(e, now);
      case 'agentringnoanswer':
        return this.onAgentRingNoAnswer(e);
      case 'agentconnect':
        return this.onAgentConnect(e);
      case 'pickup':
        return this.onPickup(e, now);
      default:
        return;
    }
  }

  private onNewchannel(e: AmiEvent, now: number): void {
    const call = this.calls.obtain(e.linkedid, now);
    if (!call || !e.uniqueid) return;
    this.calls.adopt(e.uniqueid, call);
    if (e.uniqueid !== e.linkedid) return;
    const deviceExtension = this.classifier.deviceExtension(e.channel);
    const consultOf = deviceExtension ? this.calls.get(this.rings.talkingIn(deviceExtension)) : undefined;
    if (consultOf) {
      // An agent talking to an external caller dials a colleague (attended transfer, consultation):
      // the colleague's ring belongs to that caller.
      call.info = { ...consultOf.info, linkedid: call.linkedid };
      return;
    }
    call.info = this.classifier.classify(e, call.linkedid, deviceExtension);
    if (call.info.direction === 'inbound' && !call.entered) {
      call.entered = true;
      this.out.push({ type: 'entered', call: call.info, at: now });
    }
  }

  private onNewCallerid(e: AmiEvent, now: number): void {
    const call = this.touch(e, now);
    if (call && e.uniqueid === call.linkedid && call.info.direction === 'inbound' && e.calleridnum) {
      call.info = { ...call.info, callerNumber: clip(e.calleridnum), callerName: e.calleridname === undefined ? call.info.callerName : clip(e.calleridname) };
    }
  }

  private onDialBegin(e: AmiEvent, now: number): void {
    const call = this.calls.obtain(e.destlinkedid || e.linkedid, now);
    const dest = parseChannel(e.destchannel);
    if (!call || !dest || dest.isLocal || !e.destuniqueid || !this.classifier.isExtension(dest.resource)) return;
    this.calls.adopt(e.destuniqueid, call);
    if (call.info.callerNumber === '' && call.info.direction === 'unknown' && e.channel !== e.destchannel) {
      call.info = { ...call.info, callerNumber: clip(e.calleridnum), callerName: clip(e.calleridname), callerChannel: call.info.callerChannel || (e.channel ?? '') };
    }
    if (!this.classifier.shouldNotify(call.info)) return;
    this.rings.dialLeg(call, dest.resource, e.destuniqueid, now);
  }

  private onDialEnd(e: AmiEvent): void {
    const status = (e.dialstatus ?? '').toUpperCase();
    if (status === 'ANSWER') this.rings.answerLeg(e.destuniqueid);
    else this.rings.endLeg(e.destuniqueid, status === 'CANCEL' || status === '' ? 'undetermined' : 'missed');
  }

  private onHangup(e: AmiEvent): void {
    const uniqueid = e.uniqueid ?? '';
    this.rings.dropLeg(uniqueid);
    const call = this.calls.ownerOf(uniqueid) ?? this.calls.get(e.linkedid);
    if (!call) return;
    if (uniqueid === call.linkedid) call.callerGone = true;
    this.calls.hangUp(uniqueid, call);
  }

  private onCallerLeaving(e: AmiEvent, onlyOriginator: boolean): void {
    const call = this.calls.get(e.linkedid);
    if (call && (!onlyOriginator || e.uniqueid === call.linkedid)) call.callerGone = true;
  }

  private onAgentCalled(e: AmiEvent, now: number): void {
    const call = this.calls.obtain(e.linkedid, now);
    const extension = extensionOfInterface(e.interface) ?? extensionOfInterface(e.destchannel);
    if (!call || !extension) return;
    const context: RingContext = { queue: e.queue ?? '', member: e.interface ?? '' };
    call.members.set(extension, context);
  }

  private onAgentRingNoAnswer(e: AmiEvent): void {
    const call = this.calls.get(e.linkedid);
    const extension = extensionOfInterface(e.interface) ?? extensionOfInterface(e.destchannel);
    const ring = extension ? call?.rings.get(extension) : undefined;
    if (!ring) return;
    for (const uniqueid of [...ring.ringingLegs]) this.rings.endLeg(uniqueid, 'missed');
  }

  private onAgentConnect(e: AmiEvent): void {
    const call = this.calls.get(e.linkedid);
    const extension = extensionOfInterface(e.interface) ?? extensionOfInterface(e.destchannel);
    const ring = extension ? call?.rings.get(extension) : undefined;
    const leg = ring ? [...ring.ringingLegs][0] : undefined;
    if (leg) this.rings.answerLeg(leg);
  }

  /** Pickup: Channel is the picker's device, Target* the ringing leg it took. */
  private onPickup(e: AmiEvent, now: number): void {
    const target = this.rings.leg(e.targetuniqueid);
    const picker = this.classifier.deviceExtension(e.channel);
    if (!target || target.state !== 'ringing' || !picker) return;
    // Another phone of the same extension picking up is that extension answering.
    if (picker === target.ring.extension) return;
    target.pickedUp = true;
    const call = target.ring.call;
    call.answers += 1;
    this.out.push({ type: 'ringing', call: call.info, extension: picker, context: {}, at: now });
    this.out.push({ type: 'stopped', call: call.info, extension: picker, reason: 'answered', at: now });
  }

  private endCall(call: CallRecord): void {
    this.rings.endCall(call, this.clock());
    this.calls.remove(call);
  }

  private expire(now: number): void {
    this.rings.expireGraces(now);
    if (now >= this.nextIdleSweep) {
      this.nextIdleSweep = now + IDLE_SWEEP_EVERY_MS;
      for (const call of this.calls.all()) {
        if (now - call.lastEventAt > this.config.idleCallTimeoutMs) this.endCall(call);
      }
    }
  }

  private touch(e: AmiEvent, now: number): CallRecord | undefined {
    const call = this.calls.get(e.linkedid);
    if (call) {
      call.lastEventAt = now;
      if (e.uniqueid) this.calls.adopt(e.uniqueid, call);
    }
    return call;
  }

  /** A channel whose Linkedid changed (bridged into another call, transferred) moves to that call. */
  private followLinkedid(e: AmiEvent, now: number): void {
    const owner = this.calls.ownerOf(e.uniqueid);
    if (!owner || !e.linkedid || owner.linkedid === e.linkedid) return;
    const call = this.calls.obtain(e.linkedid, now);
    if (call) this.calls.adopt(e.uniqueid!, call);
  }
}
