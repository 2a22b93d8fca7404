import type { CallInfo, RingContext } from './types.js';

/** The tracker's records. Mutable, and only ever changed inside the tracker's event handlers. */

export type EndCause = 'missed' | 'undetermined';

/** One episode of one extension ringing in one call. */
export interface Ring {
  readonly call: CallRecord;
  readonly extension: string;
  readonly context: RingContext;
  /** DestUniqueids of the device legs still ringing for this extension. */
  readonly ringingLegs: Set<string>;
  state: 'ringing' | 'grace';
  graceUntil: number;
  endCause: EndCause;
  /** call.answers when this ring began: a later answer means it was answered elsewhere. */
  readonly answersAtStart: number;
}

/** One device channel dialled for a ring. */
export interface Leg {
  readonly uniqueid: string;
  readonly ring: Ring;
  state: 'ringing' | 'answered' | 'ended';
  /** Set when another extension picked this ringing leg up (Pickup): its answer is not this extension's. */
  pickedUp: boolean;
}

export interface CallRecord {
  readonly linkedid: string;
  info: CallInfo;
  /** Uniqueids of the channels in this call now. */
  readonly channels: Set<string>;
  readonly rings: Map<string, Ring>;
  /** Uniqueids of the device legs dialled in this call (ringing or not), forgotten with the call. */
  readonly legIds: Set<string>;
  /** Queue members called (AgentCalled), by extension: the context their ring carries. */
  readonly members: Map<string, RingContext>;
  /** How many legs of this call were answered so far. */
  answers: number;
  callerGone: boolean;
  entered: boolean;
  lastEventAt: number;
}

export function newCallRecord(linkedid: string, now: number): CallRecord {
  return {
    linkedid,
    info: { linkedid, callerNumber: '', callerName: '', did: '', direction: 'unknown', callerChannel: '' },
    channels: new Set(),
    rings: new Map(),
    legIds: new Set(),
    members: new Map(),
    answers: 0,
    callerGone: false,
    entered: false,
    lastEventAt: now,
  };
}

export function newRing(call: CallRecord, extension: string): Ring {
  return {
    call,
    extension,
    context: call.members.get(extension) ?? {},
    ringingLegs: new Set(),
    state: 'ringing',
    graceUntil: 0,
    endCause: 'undetermined',
    answersAtStart: call.answers,
  };
}
