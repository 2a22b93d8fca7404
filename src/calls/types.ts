/** What the tracker knows of a call when it reports a ring. Immutable snapshots. */
export interface CallInfo {
  /** Asterisk Linkedid: the call's key. */
  readonly linkedid: string;
  /** The external party's number as Asterisk gave it ('' when withheld). */
  readonly callerNumber: string;
  readonly callerName: string;
  /** The number dialled (DID) on the originating channel, when known. */
  readonly did: string;
  readonly direction: 'inbound' | 'internal' | 'outbound' | 'unknown';
  /** Channel of the caller (originating channel), for Setvar. */
  readonly callerChannel: string;
}

export interface RingContext {
  /** Queue name when the ring came through AgentCalled. */
  readonly queue?: string;
  /** Member interface as the queue named it (Local/1001@from-queue/n). */
  readonly member?: string;
}

export type StopReason = 'answered' | 'answered-elsewhere' | 'missed' | 'caller-hung-up';

export type TrackerOutput =
  | { readonly type: 'entered'; readonly call: CallInfo; readonly at: number }
  | { readonly type: 'ringing'; readonly call: CallInfo; readonly extension: string; readonly context: RingContext; readonly at: number }
  | { readonly type: 'stopped'; readonly call: CallInfo; readonly extension: string; readonly reason: StopReason; readonly at: number };

export interface TrackerStats {
  readonly liveCalls: number;
  readonly liveChannels: number;
  readonly openRings: number;
  readonly pendingGraces: number;
}
