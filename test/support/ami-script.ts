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
export { AmiScript } from './ami-script/script.js';

export { CallFlow, type InboundSpec, type Talk } from './ami-script/call.js';
export { Dial, type DialTarget, type Leg } from './ami-script/dial.js';
export { QueueRun, type QueueSpec } from './ami-script/queue.js';
export { type AmiScriptOptions, type Bridge, AGENT_NAMES } from './ami-script/core.js';
export { type Fields, type Frame, toWire, toSessionFile, sessionHeader, parseWire, frameToWire, BANNER, SESSION_TRAILER } from './ami-script/frame.js';
export { expectedHubsoft, type ExpectedRequest, type FixtureName } from './expected-flows.js';

export { generateCalls, type GenerateOptions } from './ami-script/generate.js';
export { scriptedFixture, SCRIPTED_FIXTURES } from './ami-script/fixtures.js';
