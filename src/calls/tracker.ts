import type { AmiEvent } from '../ami/types.js';
import type { CallsConfig } from '../config/schema.js';
import { CallRegistry } from './call-registry.js';
import { newRing, type CallRecord, type EndCause, type Leg, type Ring } from './call-record.js';
import { contextMatches, extensionOfInterface, parseChannel } from './channel-name.js';
import type { CallInfo, RingContext, StopReason, TrackerOutput, TrackerStats } from './types.js';

/**
 * The call tracker: a pure state machine. AMI events in, `entered` / `ringing` / `stopped` out.
 * No I/O and no timers of its own: the owner calls `advance()` at `nextDeadline()`.
 *
 * A ring is one episode of one extension ringing in one call (keyed by Linkedid + extension);
 * its legs are the device channels (DestUniqueid) dialled for that extension. The ring stops when
 * a leg answers, or when every leg ended and no re-ring came within the grace.
 */
export interface TrackerOptions {
  readonly config: CallsConfig;
  readonly clock?: () => number;
}

const IDLE_SWEEP_EVERY_MS = 60_000;

/** Caller IDs are data from the network: kept short (no real number or name comes near this). */
const MAX_CALLER_FIELD = 80;

function clip(value: string | undefined): string {
  return (value ?? '').slice(0, MAX_CALLER_FIELD);
}

/** Every AMI event the tracker reads; the installer's eventfilter lines must let all of them through. */
export const TRACKER_EVENTS = [
  'Newchannel',
  'NewCallerid',
  'Newstate',
  'DialBegin',
  'DialEnd',
  'BridgeEnter',
  'Hangup',
  'HangupRequest',
  'QueueCallerAbandon',
  'AgentCalled',
  'AgentRingNoAnswer',
  'AgentConnect',
  'Pickup',
] as const;

export class CallTracker {
  private readonly config: CallsConfig;
  private readonly clock: () => number;
  private readonly extensionPattern: RegExp;
  private readonly calls: CallRegistry;
  private readonly legs = new Map<string, Leg>();
  private readonly graces = new Set<Ring>();
  /** Extension -> linkedid of the inbound call it is talking in (to link consult calls of attended transfers). */
  private readonly talking = new Map<string, string>();
  private longestExtension = 4;
  private nextIdleSweep = 0;
  private out: TrackerOutput[] = [];

  constructor(options: TrackerOptions) {
    this.config = options.config;
    this.clock = options.clock ?? Date.now;
    this.extensionPattern = new RegExp(options.config.extensionPattern);
    this.calls = new CallRegistry(options.config.maxLiveCalls, (call) => this.endCall(call));
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
    let next: number | null = null;
    for (const ring of this.graces) if (next === null || ring.graceUntil < next) next = ring.graceUntil;
    if (this.calls.size > 0 && (next === null || this.nextIdleSweep < next)) next = Math.max(this.nextIdleSweep, this.clock());
    return next;
  }

  /** Ends every tracked call (Asterisk restarted, or the link was lost for good): open rings stop. */
  closeAll(): TrackerOutput[] {
    this.out = [];
    for (const call of this.calls.all()) this.endCall(call);
    return this.out;
  }

  /**
   * After a reconnect: `live` holds the Uniqueids Asterisk reports (CoreShowChannels), `known` the ones
   * followed when the question was asked (channels created since are left alone). Known channels that
   * are not live have gone: their legs end, calls left with none end; what still rings goes on.
   */
  resync(live: ReadonlySet<string>, known: ReadonlySet<string> = this.calls.channelIds()): TrackerOutput[] {
    this.out = [];
    const now = this.clock();
    for (const call of this.calls.all()) {
      const gone = [...call.channels].filter((uniqueid) => known.has(uniqueid) && !live.has(uniqueid));
      if (gone.length === 0) continue;
      if (gone.includes(call.linkedid)) call.callerGone = true;
      for (const uniqueid of gone) this.dropLeg(uniqueid);
      if (gone.length === call.channels.size) {
        this.endCall(call);
        continue;
      }
      for (const uniqueid of gone) this.calls.release(uniqueid, call);
    }
    this.expire(now);
    return this.out;
  }

  /** Uniqueids of the channels followed now: snapshot it before asking Asterisk for a resync. */
  channelIds(): Set<string> {
    return this.calls.channelIds();
  }

  stats(): TrackerStats {
    let openRings = 0;
    for (const call of this.calls.all()) openRings += call.rings.size;
    return { liveCalls: this.calls.size, liveChannels: this.calls.channelCount, openRings, pendingGraces: this.graces.size };
  }

  private dispatch(e: AmiEvent, now: number): void {
    this.followLinkedid(e, now);
    switch (e.event.toLowerCase()) {
      case 'newchannel':
        return this.onNewchannel(e, now);
      case 'newcallerid':
        return this.onNewCallerid(e, now);
      case 'newstate':
        if (e.channelstate === '6') this.answerLeg(e.uniqueid);
        this.touch(e, now);
        return;
      case 'dialbegin':
        return this.onDialBegin(e, now);
      case 'dialend':
        return this.onDialEnd(e);
      case 'bridgeenter':
        return this.answerLeg(e.uniqueid);
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
    const context = e.context ?? '';
    const device = parseChannel(e.channel);
    const deviceExtension = device && !device.isLocal && this.isExtension(device.resource) ? device.resource : null;
    const consultOf = deviceExtension ? this.calls.get(this.talking.get(deviceExtension)) : undefined;
    if (consultOf) {
      // An agent talking to an external caller dials a colleague (attended transfer, consultation):
      // the colleague's ring belongs to that caller.
      call.info = { ...consultOf.info, linkedid: call.linkedid };
      return;
    }
    const inbound = contextMatches(context, this.config.inboundContexts);
    const dialled = (e.exten ?? '').replace(/\D/g, '');
    // An extension dialling more digits than any extension has is calling out: the external party is the number dialled.
    const outbound = !inbound && deviceExtension !== null && dialled.length > this.longestExtension;
    call.info = {
      linkedid: call.linkedid,
      callerNumber: clip(outbound ? dialled : e.calleridnum),
      callerName: outbound ? '' : clip(e.calleridname),
      did: inbound ? (e.exten ?? '') : '',
      direction: inbound ? 'inbound' : outbound ? 'outbound' : deviceExtension ? 'internal' : 'unknown',
      callerChannel: e.channel ?? '',
    };
    if (inbound && !call.entered) {
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
    if (!call || !dest || dest.isLocal || !e.destuniqueid || !this.isExtension(dest.resource)) return;
    this.calls.adopt(e.destuniqueid, call);
    if (call.info.callerNumber === '' && call.info.direction === 'unknown' && e.channel !== e.destchannel) {
      call.info = { ...call.info, callerNumber: clip(e.calleridnum), callerName: clip(e.calleridname), callerChannel: call.info.callerChannel || (e.channel ?? '') };
    }
    if (!this.shouldNotify(call.info)) return;
    if (this.legs.has(e.destuniqueid)) return;
    const extension = dest.resource;
    let ring = call.rings.get(extension);
    if (!ring) {
      ring = newRing(call, extension);
      call.rings.set(extension, ring);
      this.out.push({ type: 'ringing', call: call.info, extension, context: ring.context, at: now });
    } else if (ring.state === 'grace') {
      ring.state = 'ringing';
      ring.endCause = 'undetermined';
      this.graces.delete(ring);
    }
    ring.ringingLegs.add(e.destuniqueid);
    call.legIds.add(e.destuniqueid);
    this.legs.set(e.destuniqueid, { uniqueid: e.destuniqueid, ring, state: 'ringing', pickedUp: false });
  }

  private onDialEnd(e: AmiEvent): void {
    const status = (e.dialstatus ?? '').toUpperCase();
    if (status === 'ANSWER') this.answerLeg(e.destuniqueid);
    else this.endLeg(e.destuniqueid, status === 'CANCEL' || status === '' ? 'undetermined' : 'missed');
  }

  private onHangup(e: AmiEvent): void {
    const uniqueid = e.uniqueid ?? '';
    this.dropLeg(uniqueid);
    const call = this.calls.ownerOf(uniqueid) ?? this.calls.get(e.linkedid);
    if (!call) return;
    if (uniqueid === call.linkedid) call.callerGone = true;
    this.calls.release(uniqueid, call);
  }

  /** A device leg's channel is gone: a ringing leg ends, and the leg is forgotten. */
  private dropLeg(uniqueid: string): void {
    const leg = this.legs.get(uniqueid);
    if (!leg) return;
    if (leg.state === 'ringing') this.endLeg(uniqueid, 'undetermined');
    const { call, extension } = leg.ring;
    this.legs.delete(uniqueid);
    call.legIds.delete(uniqueid);
    if (this.talking.get(extension) === call.linkedid) this.talking.delete(extension);
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
    for (const uniqueid of [...ring.ringingLegs]) this.endLeg(uniqueid, 'missed');
  }

  private onAgentConnect(e: AmiEvent): void {
    const call = this.calls.get(e.linkedid);
    const extension = extensionOfInterface(e.interface) ?? extensionOfInterface(e.destchannel);
    const ring = extension ? call?.rings.get(extension) : undefined;
    const leg = ring ? [...ring.ringingLegs][0] : undefined;
    if (leg) this.answerLeg(leg);
  }

  /** Pickup: Channel is the picker's device, Target* the ringing leg it took. */
  private onPickup(e: AmiEvent, now: number): void {
    const target = this.legs.get(e.targetuniqueid ?? '');
    const picker = parseChannel(e.channel);
    if (!target || target.state !== 'ringing' || !picker || picker.isLocal || !this.isExtension(picker.resource)) return;
    // Another phone of the same extension picking up is that extension answering.
    if (picker.resource === target.ring.extension) return;
    target.pickedUp = true;
    const call = target.ring.call;
    call.answers += 1;
    this.out.push({ type: 'ringing', call: call.info, extension: picker.resource, context: {}, at: now });
    this.out.push({ type: 'stopped', call: call.info, extension: picker.resource, reason: 'answered', at: now });
  }

  private answerLeg(uniqueid: string | undefined): void {
    const leg = this.legs.get(uniqueid ?? '');
    if (!leg || leg.state !== 'ringing') return;
    if (leg.pickedUp) return this.endLeg(leg.uniqueid, 'undetermined');
    const ring = leg.ring;
    leg.state = 'answered';
    ring.call.answers += 1;
    if (ring.call.info.direction === 'inbound') this.talking.set(ring.extension, ring.call.linkedid);
    this.finish(ring, 'answered', this.clock());
  }

  private endLeg(uniqueid: string | undefined, cause: EndCause): void {
    const leg = this.legs.get(uniqueid ?? '');
    if (!leg || leg.state !== 'ringing') return;
    leg.state = 'ended';
    const ring = leg.ring;
    ring.ringingLegs.delete(leg.uniqueid);
    if (cause === 'missed') ring.endCause = 'missed';
    if (ring.ringingLegs.size > 0 || ring.state !== 'ringing') return;
    if (ring.endCause === 'undetermined' && this.answeredElsewhere(ring)) {
      // Someone else took the call: no re-ring can follow, close the window now.
      this.finish(ring, 'answered-elsewhere', this.clock());
    } else {
      ring.state = 'grace';
      ring.graceUntil = this.clock() + this.config.reringGraceMs;
      this.graces.add(ring);
    }
  }

  private finish(ring: Ring, reason: StopReason, now: number): void {
    const call = ring.call;
    if (call.rings.get(ring.extension) !== ring) return;
    call.rings.delete(ring.extension);
    this.graces.delete(ring);
    for (const uniqueid of ring.ringingLegs) {
      const leg = this.legs.get(uniqueid);
      if (leg) leg.state = 'ended';
    }
    ring.ringingLegs.clear();
    this.out.push({ type: 'stopped', call: call.info, extension: ring.extension, reason, at: now });
  }

  private reasonFor(ring: Ring): StopReason {
    if (ring.endCause === 'missed') return 'missed';
    if (this.answeredElsewhere(ring)) return 'answered-elsewhere';
    return ring.call.callerGone ? 'caller-hung-up' : 'missed';
  }

  private answeredElsewhere(ring: Ring): boolean {
    return ring.call.answers > ring.answersAtStart;
  }

  private endCall(call: CallRecord): void {
    const now = this.clock();
    for (const ring of [...call.rings.values()]) this.finish(ring, this.reasonFor(ring), now);
    for (const uniqueid of call.legIds) if (this.legs.get(uniqueid)?.ring.call === call) this.legs.delete(uniqueid);
    for (const [extension, linkedid] of this.talking) if (linkedid === call.linkedid) this.talking.delete(extension);
    this.calls.remove(call);
  }

  private expire(now: number): void {
    for (const ring of [...this.graces]) {
      if (ring.graceUntil <= now) this.finish(ring, this.reasonFor(ring), now);
    }
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

  private isExtension(name: string): boolean {
    if (!this.extensionPattern.test(name)) return false;
    if (name.length > this.longestExtension) this.longestExtension = name.length;
    return true;
  }

  private shouldNotify(info: CallInfo): boolean {
    switch (info.direction) {
      case 'inbound':
        return true;
      case 'internal':
        return this.config.notifyInternal;
      case 'outbound':
        return this.config.notifyOutbound;
      default:
        return info.callerNumber.replace(/\D/g, '').length > this.longestExtension;
    }
  }
}
