import type { CallClassifier } from './call-classifier.js';
import type { CallRegistry } from './call-registry.js';
import type { CallRecord } from './call-record.js';
import type { RingBook } from './ring-book.js';
import type { CallInfo, RingContext } from './types.js';

/** A channel Asterisk reports as up (CoreShowChannel). */
export interface LiveChannel {
  readonly uniqueid: string;
  readonly channel: string;
  /** ChannelState 6: answered. */
  readonly up: boolean;
}

/** What the tracker hands over for a resync or a restore: its calls, its rings, and how to end a call. */
export interface TrackerState {
  readonly calls: CallRegistry;
  readonly rings: RingBook;
  readonly classifier: CallClassifier;
  readonly endCall: (call: CallRecord) => void;
}

/**
 * Setting the tracker right by what Asterisk reports (CoreShowChannels), when events were missed: after a
 * reconnect (channels gone in the gap) and after a restart (rings the last run reported, still ringing).
 *
 * Resync: `live` holds the Uniqueids Asterisk reports, `known` the ones followed when the question was asked
 * (channels created since are left alone). Known channels that are not live have gone: their legs end, calls
 * left with none end; what still rings goes on.
 */
export function resyncCalls(state: TrackerState, live: ReadonlySet<string>, known: ReadonlySet<string>): void {
  const { calls, rings } = state;
  for (const call of calls.all()) {
    const gone = [...call.channels].filter((uniqueid) => known.has(uniqueid) && !live.has(uniqueid));
    if (gone.length === 0) continue;
    if (gone.includes(call.linkedid)) call.callerGone = true;
    for (const uniqueid of gone) rings.dropLeg(uniqueid);
    if (gone.length === call.channels.size) {
      state.endCall(call);
      continue;
    }
    for (const uniqueid of gone) calls.release(uniqueid, call);
  }
}

/**
 * Restore: a ring the last run reported, whose call Asterisk still has. `channels` are that call's live
 * channels; the ones of the ring's extension that are not up ring on, and the ring is followed again as if it
 * had never been lost. False when none of them rings.
 */
export function restoreRing(
  state: TrackerState,
  ring: { readonly call: CallInfo; readonly extension: string; readonly context: RingContext },
  channels: readonly LiveChannel[],
  now: number,
): boolean {
  const { calls, rings, classifier } = state;
  const call = calls.obtain(ring.call.linkedid, now);
  if (!call) return false;
  call.info = ring.call;
  call.entered = true;
  if (ring.context.queue || ring.context.member) call.members.set(ring.extension, ring.context);
  for (const channel of channels) calls.adopt(channel.uniqueid, call);
  const legs = channels.filter((c) => !c.up && classifier.deviceExtension(c.channel) === ring.extension);
  for (const leg of legs) rings.dialLeg(call, ring.extension, leg.uniqueid, now);
  return legs.length > 0;
}
