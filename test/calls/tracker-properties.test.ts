import { expect } from 'chai';
import fc from 'fast-check';
import { normaliseMessage } from '../../src/ami/normalise.js';
import type { AmiEvent } from '../../src/ami/types.js';
import { CallTracker } from '../../src/calls/tracker.js';
import type { TrackerOutput } from '../../src/calls/types.js';
import { offlineConfig } from '../support/config.js';
import { generateCalls, type Fields } from '../support/ami-script.js';

/**
 * Property tests: realistic call pieces (generateCalls) mangled by fast-check (reordered, duplicated,
 * fields dropped or replaced with garbage, unknown events, stray Hangups) go through the AMI normaliser
 * into the tracker. Fixed seed; FC_RUNS=n for more runs, FC_SEED=n to replay a failure.
 */
const runs = Number(process.env.FC_RUNS ?? 60);
const seed = Number(process.env.FC_SEED ?? 20260601);
const config = offlineConfig();
const GRACE = config.calls.reringGraceMs;

const garbage = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', '<unknown>', '\u0000\u00ff\ufffd', 'PJSIP/', 'Local/;2', '1001', 'PJSIP/1001-', '-1', 'NaN'),
  fc.string({ minLength: 2000, maxLength: 5000 }),
);

type Mutation =
  | { readonly op: 'swap'; readonly at: number }
  | { readonly op: 'duplicate'; readonly at: number }
  | { readonly op: 'drop-event'; readonly at: number }
  | { readonly op: 'drop-field'; readonly at: number; readonly field: number }
  | { readonly op: 'garble-field'; readonly at: number; readonly field: number; readonly value: string }
  | { readonly op: 'insert'; readonly at: number; readonly fields: Fields };

const strayEvent = fc.record({
  Event: fc.constantFrom('Hangup', 'DialBegin', 'DialEnd', 'BridgeEnter', 'Newstate', 'AgentConnect', 'Pickup', 'FutureEvent', 'Newchannel'),
  Uniqueid: fc.oneof(fc.constantFrom('1795500000.1', '1795500000.2', '1795500001.5'), garbage),
  Linkedid: fc.oneof(fc.constantFrom('1795500000.1', '1795500000.0'), garbage),
  DestUniqueid: fc.oneof(fc.constantFrom('1795500000.3', '1795500000.4'), garbage),
  DestChannel: fc.constantFrom('PJSIP/1001-00000001', 'PJSIP/1002-00000002', 'Local/1001@from-queue-0;1', ''),
  ChannelState: fc.constantFrom('6', '5', 'x'),
  DialStatus: fc.constantFrom('ANSWER', 'NOANSWER', 'CANCEL', 'BUSY', ''),
});

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('swap' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('drop-event' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('drop-field' as const), at: fc.nat(), field: fc.nat() }),
  fc.record({ op: fc.constant('garble-field' as const), at: fc.nat(), field: fc.nat(), value: garbage }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), fields: strayEvent }),
);

function mangle(frames: Fields[], mutations: readonly Mutation[]): Fields[] {
  const out = frames.map((f) => ({ ...f }));
  for (const m of mutations) {
    if (out.length === 0) break;
    const at = m.at % out.length;
    const frame = out[at]!;
    const keys = Object.keys(frame);
    switch (m.op) {
      case 'swap':
        if (at + 1 < out.length) [out[at], out[at + 1]] = [out[at + 1]!, frame];
        break;
      case 'duplicate':
        out.splice(at, 0, { ...frame });
        break;
      case 'drop-event':
        out.splice(at, 1);
        break;
      case 'drop-field':
        delete frame[keys[m.field % keys.length]!];
        break;
      case 'garble-field':
        frame[keys[m.field % keys.length]!] = m.value;
        break;
      case 'insert':
        out.splice(at, 0, { ...m.fields });
        break;
    }
  }
  return out;
}

function toEvent(fields: Fields): AmiEvent | null {
  const normalised = normaliseMessage(fields);
  return normalised.kind === 'event' ? normalised.message : null;
}

/** Checks the output stream per ring: ringing, then at most one stopped, alternating; returns the rings left open. */
function checkRings(outputs: readonly TrackerOutput[], open: Set<string>): void {
  for (const output of outputs) {
    if (output.type === 'entered') continue;
    const key = `${output.call.linkedid}/${output.extension}`;
    if (output.type === 'ringing') {
      expect(open.has(key), `ringing twice without a stop: ${key}`).to.equal(false);
      open.add(key);
    } else {
      expect(open.has(key), `stopped without its ringing: ${key}`).to.equal(true);
      open.delete(key);
    }
  }
}

describe('call tracker properties (fast-check over mangled realistic AMI event streams)', function () {
  this.timeout(120_000);

  it('never throws; rings alternate ringing/stopped; once every channel hung up nothing is left open or live', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 12 }), fc.array(mutation, { maxLength: 60 }), (callSeed, calls, mutations) => {
        const frames = [...generateCalls(calls, callSeed, { meanGapMs: 400 })].map((f) => f.fields as Fields);
        const stream = mangle(frames, mutations);
        let now = 1_000_000;
        const tracker = new CallTracker({ config: config.calls, clock: () => now });
        const open = new Set<string>();
        const seen = new Map<string, string>(); // uniqueid -> linkedid
        for (const fields of stream) {
          now += 7;
          const event = toEvent(fields);
          if (!event) continue;
          for (const [u, l] of [
            [event.uniqueid, event.linkedid],
            [event.destuniqueid, event.destlinkedid ?? event.linkedid],
          ] as const) {
            if (u) seen.set(u, l || u);
            if (l) seen.set(l, l);
          }
          checkRings(tracker.handle(event), open);
          if (now % 5 === 0) checkRings(tracker.advance(), open);
        }
        // Every channel ever named hangs up (what Asterisk does eventually), then the grace runs out.
        for (const [uniqueid, linkedid] of seen) {
          now += 1;
          checkRings(tracker.handle({ event: 'Hangup', uniqueid, linkedid, channel: 'PJSIP/x-1', cause: '16' }), open);
        }
        now += GRACE + 1;
        checkRings(tracker.advance(), open);
        const stats = tracker.stats();
        expect(open.size, `rings never stopped: ${[...open].join(', ')}`).to.equal(0);
        expect(stats).to.deep.equal({ liveCalls: 0, liveChannels: 0, openRings: 0, pendingGraces: 0 });
      }),
      { numRuns: runs, seed },
    );
  });

  it('never throws on arbitrary frames (any keys, any values, any event names)', () => {
    const tracker = new CallTracker({ config: config.calls });
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.oneof(fc.constantFrom('Event', 'Uniqueid', 'Linkedid', 'DestUniqueid', 'DestChannel', 'Channel', 'Context', 'Interface'), fc.string()), garbage), {
          maxLength: 30,
        }),
        (rawFrames) => {
          for (const raw of rawFrames) {
            const event = toEvent({ Event: 'Hangup', ...raw });
            if (event) tracker.handle(event);
          }
          tracker.advance();
          tracker.resync(new Set());
        },
      ),
      { numRuns: runs, seed },
    );
  });
});
