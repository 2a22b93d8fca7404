/**
 * Builds AMI event sequences shaped exactly like a real Asterisk 22 (chan_pjsip, FreePBX-like dialplan)
 * sends them, with a deterministic clock and id counters. See test/fixtures/ami/EXPECTED.md.
 *
 *   const s = new AmiScript({ startEpoch: 1795457052 });
 *   const call = s.inboundCall({ from: '37999912222', did: '3732220001' });
 *   call.goto('ext-local', '1001', 'Chamada para ramal 1001');
 *   const dial = call.dial(['1001']);
 *   call.wait(3000);
 *   const { bridge, leg } = dial.answer('1001');
 *   call.startTalk(bridge, leg.chan).talkFor(8000).hangup();
 *   const frames = s.frames(); // [{ at: ms, fields: { Event, Privilege, ... } }]
 *   const wire = toWire(frames);
 */
import { AmiScript as CoreScript } from './ami-script/core.js';
import { CallFlow, type InboundSpec } from './ami-script/call.js';
import { QueueRun, type QueueSpec } from './ami-script/queue.js';

export { CallFlow, type InboundSpec, type Talk } from './ami-script/call.js';
export { Dial, type DialTarget, type Leg } from './ami-script/dial.js';
export { QueueRun, type QueueSpec } from './ami-script/queue.js';
export { type AmiScriptOptions, type Bridge, AGENT_NAMES } from './ami-script/core.js';
export { type Fields, type Frame, toWire, toSessionFile, sessionHeader, parseWire, frameToWire, BANNER, SESSION_TRAILER } from './ami-script/frame.js';
export { expectedHubsoft, type ExpectedRequest, type FixtureName } from './expected-flows.js';

export class AmiScript extends CoreScript {
  /** An external call entering through the trunk (`from-trunk` -> `ext-did`). */
  inboundCall(spec: InboundSpec): CallFlow {
    return CallFlow.inbound(this, spec);
  }

  /** A call placed from an extension's phone (internal, outbound, `*8`, consult call). */
  extensionCall(ext: string, dialed: string, at = 0): CallFlow {
    return CallFlow.fromExtension(this, ext, dialed, at);
  }

  /** Sends the call into an app_queue queue (Answer, QueueCallerJoin, music on hold). */
  queue(call: CallFlow, spec: QueueSpec): QueueRun {
    return new QueueRun(call, spec);
  }
}
