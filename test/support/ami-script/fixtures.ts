import { AmiScript } from './script.js';
import type { CallFlow } from './call.js';
import type { Frame } from './frame.js';

/** The caller numbers used across fixtures (national 37999912222 and 37988887777). */
export const ANA_CALLER = '37999912222';
export const OTHER_CALLER = '37988887777';

export interface ScriptedFixture {
  readonly startEpoch: number;
  readonly frames: Frame[];
}

type Build = (s: AmiScript) => void;

function direct(s: AmiScript, spec: { from: string; fromName?: string; did?: string; at?: number; ext?: string }): CallFlow {
  const ext = spec.ext ?? '1001';
  const call = s.inboundCall({ from: spec.from, fromName: spec.fromName, did: spec.did ?? '3732220001', at: spec.at });
  call.goto('ext-local', ext, `Chamada para ramal ${ext} de ${spec.from}`);
  call.set('__EXTTOCALL', ext);
  return call;
}

function answeredDirect(s: AmiScript, from: string, ringMs = 3000, talkMs = 8000): void {
  const call = direct(s, { from });
  const dial = call.dial(['1001']);
  call.wait(ringMs);
  const { bridge, leg } = dial.answer('1001');
  call.startTalk(bridge, leg.chan).talkFor(talkMs).hangup();
}

const builds: Record<string, Build> = {
  direct_missed_noanswer(s) {
    const call = direct(s, { from: ANA_CALLER });
    const dial = call.dial(['1001']);
    call.wait(20000);
    dial.timeout();
    call.endInDialplan();
  },

  direct_busy(s) {
    const call = direct(s, { from: ANA_CALLER });
    const dial = call.dial(['1001']);
    call.wait(2500);
    dial.busy('1001');
    call.exec('Busy', '20');
    call.wait(3000);
    call.endInDialplan();
  },

  direct_caller_gives_up(s) {
    const call = direct(s, { from: ANA_CALLER });
    const dial = call.dial(['1001']);
    call.wait(7000);
    call.callerCancel(dial);
  },

  direct_plus55(s) {
    answeredDirect(s, `+55${ANA_CALLER}`);
  },

  ringgroup_hunt(s) {
    const call = s.inboundCall({ from: ANA_CALLER, did: '3732220600' });
    call.goto('ext-group', '600', `Grupo de toque 600 (hunt) de ${ANA_CALLER}`);
    call.set('__RINGGROUP', '600');
    const first = call.dial(['1001'], { appData: 'PJSIP/1001,10,tT' });
    call.wait(10000);
    first.timeout();
    call.wait(20);
    const second = call.dial(['1002'], { appData: 'PJSIP/1002,10,tT' });
    call.wait(4000);
    const { bridge, leg } = second.answer('1002');
    call.startTalk(bridge, leg.chan).talkFor(9000).hangup();
  },

  ringgroup_rering_grace(s) {
    // FreePBX "memoryhunt": 1001 alone, then 1001 and 1002 together; 1001 is dialled again 200 ms later.
    const call = s.inboundCall({ from: ANA_CALLER, did: '3732220601' });
    call.goto('ext-group', '601', `Grupo de toque 601 (memoryhunt) de ${ANA_CALLER}`);
    call.set('__RINGGROUP', '601');
    const first = call.dial(['1001'], { appData: 'PJSIP/1001,8,tT' });
    call.wait(8000);
    first.timeout();
    call.wait(200);
    const second = call.dial(['1001', '1002'], { appData: 'PJSIP/1001&PJSIP/1002,8,tT' });
    call.wait(4000);
    const { bridge, leg } = second.answer('1002');
    call.startTalk(bridge, leg.chan).talkFor(6000).hangup();
  },

  queue_ringall_abandon(s) {
    const call = s.inboundCall({ from: ANA_CALLER, did: '3732220700' });
    const queue = s.queue(call, { name: 'suporte', number: '700', strategy: 'ringall', members: 'pjsip' });
    queue.ring(['1001', '1002']);
    call.wait(9000);
    queue.abandon();
  },

  queue_rrmemory_rering(s) {
    const call = s.inboundCall({ from: ANA_CALLER, did: '3732220701' });
    const queue = s.queue(call, { name: 'suporte-rr', number: '701', strategy: 'rrmemory', members: 'pjsip' });
    queue.ring(['1001']);
    call.wait(15000);
    queue.ringNoAnswer('1001');
    call.wait(5000);
    queue.ring(['1002']);
    call.wait(15000);
    queue.ringNoAnswer('1002');
    call.wait(5000);
    queue.ring(['1001']);
    call.wait(3000);
    queue.answer('1001');
    call.talkFor(10000);
    queue.complete();
  },

  queue_local_nonanswered(s) {
    const call = s.inboundCall({ from: ANA_CALLER, did: '3732220702' });
    const queue = s.queue(call, { name: 'suporte-local', number: '702', strategy: 'ringall', members: 'local' });
    queue.ring(['1001', '1002']);
    call.wait(12000);
    queue.abandon();
  },

  followme_external(s) {
    const call = s.inboundCall({ from: ANA_CALLER, did: '3732220001' });
    call.goto('ext-findmefollow', 'FM1001', `Siga-me 1001 de ${ANA_CALLER}`);
    const primary = call.dial([{ local: 'FMPR-1001@from-internal', dials: ['1001'] }], { appData: 'Local/FMPR-1001@from-internal/n,15,tT' });
    call.wait(15000);
    primary.timeout();
    call.wait(50);
    const external = call.dial([{ local: `FMGL-${OTHER_CALLER}#@from-internal`, dials: [{ trunk: `0${OTHER_CALLER}` }] }], {
      appData: `Local/FMGL-${OTHER_CALLER}#@from-internal/n,30,tT`,
    });
    call.wait(6000);
    const { bridge, leg, inner } = external.answerLocal(`FMGL-${OTHER_CALLER}#`, 'trunk');
    call.startTalk(bridge, leg.chan, inner).talkFor(12000).hangup();
  },

  blind_transfer(s) {
    const call = direct(s, { from: ANA_CALLER });
    const dial = call.dial(['1001']);
    call.wait(3000);
    const first = dial.answer('1001');
    call.startTalk(first.bridge, first.leg.chan).talkFor(6000);
    call.blindTransfer('1002');
    const second = call.dial(['1002']);
    call.wait(4000);
    const answered = second.answer('1002');
    call.startTalk(answered.bridge, answered.leg.chan).talkFor(7000).hangup();
  },

  attended_transfer(s) {
    const call = direct(s, { from: ANA_CALLER });
    const dial = call.dial(['1001']);
    call.wait(3000);
    const first = dial.answer('1001');
    call.startTalk(first.bridge, first.leg.chan).talkFor(5000).hold();
    const consult = s.extensionCall('1001', '1002', call.t + 300);
    const consultDial = consult.dial(['1002']);
    consult.wait(4000);
    const answered = consultDial.answer('1002');
    consult.startTalk(answered.bridge, answered.leg.chan).talkFor(5000);
    call.attendedTransfer(consult);
    call.talkFor(7000).hangup();
  },

  call_pickup(s) {
    const call = direct(s, { from: ANA_CALLER });
    const dial = call.dial(['1001']);
    call.wait(4000);
    const picker = s.extensionCall('1002', '*8', call.t);
    picker.wait(300);
    call.pickedUpBy(dial, '1001', picker);
    call.talkFor(8000).hangup();
  },

  two_calls_different_ext(s) {
    const a = direct(s, { from: ANA_CALLER, did: '3732220001', at: 0, ext: '1001' });
    const aDial = a.dial(['1001']);
    const b = direct(s, { from: OTHER_CALLER, did: '3732220002', at: 1500, ext: '1002' });
    const bDial = b.dial(['1002']);
    a.wait(5000);
    const answered = aDial.answer('1001');
    a.startTalk(answered.bridge, answered.leg.chan);
    b.wait(20000);
    bDial.timeout();
    b.endInDialplan();
    a.talkFor(25000).hangup();
  },

  two_calls_same_ext(s) {
    const a = direct(s, { from: ANA_CALLER, did: '3732220001', at: 0 });
    const aDial = a.dial(['1001']);
    const b = direct(s, { from: OTHER_CALLER, did: '3732220001', at: 2000 });
    const bDial = b.dial(['1001']);
    a.wait(5000);
    const answered = aDial.answer('1001');
    a.startTalk(answered.bridge, answered.leg.chan);
    b.wait(20000);
    bDial.timeout();
    b.endInDialplan();
    a.talkFor(30000).hangup();
  },

  anonymous_caller(s) {
    const first = direct(s, { from: 'anonymous', fromName: 'Anonymous' });
    const firstDial = first.dial(['1001']);
    first.wait(3000);
    const answered = firstDial.answer('1001');
    first.startTalk(answered.bridge, answered.leg.chan).talkFor(10000).hangup();
    const second = direct(s, { from: '<unknown>', at: first.t + 60000 });
    const secondDial = second.dial(['1001']);
    second.wait(6000);
    second.callerCancel(secondDial);
  },

  multi_device_one_extension(s) {
    const call = direct(s, { from: ANA_CALLER });
    const contacts = ['sip:1001@192.168.10.21:5060', 'sip:1001@192.168.10.35:5062;transport=udp'];
    const dial = call.dial(
      contacts.map((contact) => ({ ext: '1001', contact })),
      { appData: `${contacts.map((c) => `PJSIP/1001/${c}`).join('&')},20,tT` },
    );
    call.wait(3500);
    const { bridge, leg } = dial.answer('1001', { nth: 1 });
    call.startTalk(bridge, leg.chan).talkFor(8000).hangup();
  },

  internal_call(s) {
    const call = s.extensionCall('1001', '1002');
    const dial = call.dial(['1002']);
    call.wait(3000);
    const { bridge, leg } = dial.answer('1002');
    call.startTalk(bridge, leg.chan).talkFor(6000).hangup();
  },

  outbound_call(s) {
    const call = s.extensionCall('1001', `0${OTHER_CALLER}`);
    call.exec('Goto', `outrt-1,0${OTHER_CALLER},1`);
    const dial = call.dial([{ trunk: `0${OTHER_CALLER}` }], { appData: `PJSIP/0${OTHER_CALLER}@trunk,300,tT` });
    call.wait(5000);
    const { bridge, leg } = dial.answer('trunk');
    call.startTalk(bridge, leg.chan).talkFor(12000).hangup();
  },
};

export const SCRIPTED_FIXTURES = Object.keys(builds);

/** Frames of a scripted fixture, with their simulated times. Deterministic. */
export function scriptedFixture(name: string, options: { noise?: boolean } = {}): ScriptedFixture {
  const build = builds[name];
  if (!build) throw new Error(`unknown scripted fixture ${name}`);
  const index = SCRIPTED_FIXTURES.indexOf(name);
  const startEpoch = 1795460000 + index * 300;
  const s = new AmiScript({ startEpoch, noise: options.noise ?? true, firstUniqueid: 40 + index * 20 });
  build(s);
  return { startEpoch, frames: s.frames() };
}
