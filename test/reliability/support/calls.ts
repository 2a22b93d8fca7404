import { AmiScript, type CallFlow, type Dial, type Frame } from '../../support/ami-script.js';
import type { AmiFrame, Transcript } from '../../support/transcript.js';

/** Caller number of the nth scripted call: unique, a valid DDD 37 mobile. */
export function callerOf(n: number): string {
  return `37999${String(n).padStart(6, '0')}`;
}

/** Frames (from AmiScript) as a transcript the fake Asterisk can replay after a login. */
export function asTranscript(frames: readonly Frame[]): Transcript {
  const login: AmiFrame = { Response: 'Success', Message: 'Authentication accepted' };
  const events = frames.map((f) => f.fields as AmiFrame);
  return {
    banner: undefined,
    frames: [login, ...events],
    lines: [Object.entries(login), ...events.map((f) => Object.entries(f))],
  };
}

/** n external calls to `extension`, one after another, each ringing unanswered until the dial times out. */
export function missedCalls(n: number, extension = '1001', first = 0): Transcript {
  const s = new AmiScript({ startEpoch: 1795600000 + first, noise: false, firstUniqueid: first * 10 });
  for (let i = 0; i < n; i++) {
    const call = s.inboundCall({ from: callerOf(first + i), did: '3732220001', at: i * 50 });
    call.goto('ext-local', extension, `Chamada para ${extension}`);
    const dial = call.dial([extension]);
    call.wait(1000);
    dial.timeout();
    call.endInDialplan();
  }
  return asTranscript(s.drain());
}

export interface RingingCall {
  readonly call: CallFlow;
  readonly dial: Dial;
  readonly extension: string;
  readonly caller: string;
}

/** Calls that ring one extension each and stay ringing: script their end later with the returned handles. */
export function ringingCalls(s: AmiScript, extensions: readonly string[], firstCaller: number): RingingCall[] {
  return extensions.map((extension, i) => {
    const caller = callerOf(firstCaller + i);
    const call = s.inboundCall({ from: caller, did: '3732220001', at: i * 10 });
    call.goto('ext-local', extension, `Chamada para ${extension}`);
    return { call, dial: call.dial([extension]), extension, caller };
  });
}

/**
 * CoreShowChannel rows for calls still up (their caller channel and their ringing legs), as Asterisk 22's
 * manager_channels.c writes them: the channel snapshot (ChannelState 4 Ring for the caller in Dial(), 5
 * Ringing for a device leg, 6 Up once answered), then Application, ApplicationData, Duration and BridgeId.
 */
export function channelRows(calls: readonly RingingCall[]): AmiFrame[] {
  return calls.flatMap(({ call, dial }) => [
    { ...(call.origin.snapshot() as AmiFrame), Application: 'Dial', ApplicationData: dial.legs.map((leg) => leg.chan.name.replace(/-[0-9a-f]+$/, '')).join('&'), Duration: '00:00:12', BridgeId: '' },
    ...dial.legs.map((leg) => ({ ...(leg.chan.snapshot() as AmiFrame), Application: 'AppDial', ApplicationData: '(Outgoing Line)', Duration: '00:00:12', BridgeId: '' })),
  ]);
}
