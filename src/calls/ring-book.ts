import { newRing, type CallRecord, type EndCause, type Leg, type Ring } from './call-record.js';
import type { StopReason, TrackerOutput } from './types.js';

/**
 * The rings of the tracked calls and their device legs: a leg rings, answers or ends; a ring whose
 * legs all ended waits out the re-ring grace, then stops. Pure: the clock is read, never timers.
 */
export class RingBook {
  private readonly legs = new Map<string, Leg>();
  private readonly graces = new Set<Ring>();
  /** Extension -> linkedid of the inbound call it is talking in (to link consult calls of attended transfers). */
  private readonly talking = new Map<string, string>();

  constructor(
    private readonly reringGraceMs: number,
    private readonly clock: () => number,
    private readonly emit: (output: TrackerOutput) => void,
  ) {}

  get pendingGraces(): number {
    return this.graces.size;
  }

  leg(uniqueid: string | undefined): Leg | undefined {
    return this.legs.get(uniqueid ?? '');
  }

  /** The linkedid of the inbound call `extension` is talking in, if any. */
  talkingIn(extension: string): string | undefined {
    return this.talking.get(extension);
  }

  /** The earliest grace deadline, or null. */
  nextGraceEnd(): number | null {
    let next: number | null = null;
    for (const ring of this.graces) if (next === null || ring.graceUntil < next) next = ring.graceUntil;
    return next;
  }

  /** A device channel dialled for `extension`: a new ring (reported), or a re-ring within the grace. */
  dialLeg(call: CallRecord, extension: string, uniqueid: string, now: number): void {
    if (this.legs.has(uniqueid)) return;
    let ring = call.rings.get(extension);
    if (!ring) {
      this.closeGraceOfSameCaller(call, extension, now);
      ring = newRing(call, extension);
      call.rings.set(extension, ring);
      this.emit({ type: 'ringing', call: call.info, extension, context: ring.context, at: now });
    } else if (ring.state === 'grace') {
      ring.state = 'ringing';
      ring.endCause = 'undetermined';
      this.graces.delete(ring);
    }
    ring.ringingLegs.add(uniqueid);
    call.legIds.add(uniqueid);
    this.legs.set(uniqueid, { uniqueid, ring, state: 'ringing', pickedUp: false });
  }

  answerLeg(uniqueid: string | undefined): void {
    const leg = this.legs.get(uniqueid ?? '');
    if (!leg || leg.state !== 'ringing') return;
    if (leg.pickedUp) return this.endLeg(leg.uniqueid, 'undetermined');
    const ring = leg.ring;
    leg.state = 'answered';
    ring.call.answers += 1;
    if (ring.call.info.direction === 'inbound') this.talking.set(ring.extension, ring.call.linkedid);
    this.finish(ring, 'answered', this.clock());
  }

  endLeg(uniqueid: string | undefined, cause: EndCause): void {
    const leg = this.legs.get(uniqueid ?? '');
    if (!leg || leg.state !== 'ringing') return;
    leg.state = 'ended';
    const ring = leg.ring;
    ring.ringingLegs.delete(leg.uniqueid);
    if (cause === 'missed') ring.endCause = 'missed';
    if (ring.ringingLegs.size > 0 || ring.state !== 'ringing') return;
    if (ring.endCause === 'undetermined' && answeredElsewhere(ring)) {
      // Someone else took the call: no re-ring can follow, close the window now.
      this.finish(ring, 'answered-elsewhere', this.clock());
    } else {
      ring.state = 'grace';
      ring.graceUntil = this.clock() + this.reringGraceMs;
      this.graces.add(ring);
    }
  }

  /** A device leg's channel is gone: a ringing leg ends, and the leg is forgotten. */
  dropLeg(uniqueid: string): void {
    const leg = this.legs.get(uniqueid);
    if (!leg) return;
    if (leg.state === 'ringing') this.endLeg(uniqueid, 'undetermined');
    const { call, extension } = leg.ring;
    this.legs.delete(uniqueid);
    call.legIds.delete(uniqueid);
    if (this.talking.get(extension) === call.linkedid) this.talking.delete(extension);
  }

  /** The call ended: its open rings stop, its legs and talks are forgotten. */
  endCall(call: CallRecord, now: number): void {
    for (const ring of [...call.rings.values()]) this.finish(ring, reasonFor(ring), now);
    for (const uniqueid of call.legIds) if (this.legs.get(uniqueid)?.ring.call === call) this.legs.delete(uniqueid);
    for (const [extension, linkedid] of this.talking) if (linkedid === call.linkedid) this.talking.delete(extension);
  }

  /** Stops the rings whose grace ran out. */
  expireGraces(now: number): void {
    for (const ring of [...this.graces]) {
      if (ring.graceUntil <= now) this.finish(ring, reasonFor(ring), now);
    }
  }

  /**
   * HubSoft pairs a cancel with its notify by ramal + telefone: another call's ring of this extension from
   * the same caller, still waiting out its grace, stops now, so its cancel leaves before this ring's notify.
   */
  private closeGraceOfSameCaller(call: CallRecord, extension: string, now: number): void {
    for (const other of [...this.graces]) {
      if (other.extension === extension && other.call !== call && other.call.info.callerNumber === call.info.callerNumber) this.finish(other, reasonFor(other), now);
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
    this.emit({ type: 'stopped', call: call.info, extension: ring.extension, reason, at: now });
  }
}

function reasonFor(ring: Ring): StopReason {
  if (ring.endCause === 'missed') return 'missed';
  if (answeredElsewhere(ring)) return 'answered-elsewhere';
  return ring.call.callerGone ? 'caller-hung-up' : 'missed';
}

function answeredElsewhere(ring: Ring): boolean {
  return ring.call.answers > ring.answersAtStart;
}
