import { expect } from 'chai';
import { normaliseFields } from '../../src/ami/normalise.js';
import type { AmiEvent } from '../../src/ami/types.js';
import { CallTracker } from '../../src/calls/tracker.js';
import type { TrackerOutput } from '../../src/calls/types.js';
import { offlineConfig } from '../support/config.js';
import type { CallsConfig } from '../../src/config/schema.js';
import { AmiScript } from '../support/ami-script.js';
import { SCRIPTED_FIXTURES, scriptedFixture } from '../support/ami-script/fixtures.js';
import type { Frame } from '../support/ami-script/frame.js';
import { expectedHubsoft, type FixtureName } from '../support/expected-flows.js';

function callsConfig(overrides: Partial<CallsConfig> = {}): CallsConfig {
  const base = offlineConfig();
  return { ...base.calls, ...overrides };
}

/** Feeds frames at their simulated times into a tracker on a fake clock; returns every output. */
function run(frames: readonly Frame[], overrides: Partial<CallsConfig> = {}): { outputs: TrackerOutput[]; tracker: CallTracker; now: { t: number } } {
  const now = { t: 0 };
  const tracker = new CallTracker({ config: callsConfig(overrides), clock: () => now.t });
  const outputs: TrackerOutput[] = [];
  for (const frame of frames) {
    // Deadlines that fall between two frames fire first, as the bridge's timer would.
    let deadline = tracker.nextDeadline();
    while (deadline !== null && deadline <= frame.at) {
      now.t = Math.max(now.t, deadline);
      outputs.push(...tracker.advance());
      const next = tracker.nextDeadline();
      if (next === deadline) break;
      deadline = next;
    }
    now.t = frame.at;
    outputs.push(...tracker.handle(normaliseFields(frame.fields) as AmiEvent));
  }
  now.t += 10 * 60_000;
  outputs.push(...tracker.advance());
  return { outputs, tracker, now };
}

/** What the call path would send: notify per ring, cancel per stop that was not an answer. */
function asRequests(outputs: readonly TrackerOutput[]) {
  return outputs.flatMap((o) => {
    const telefone = o.type === 'entered' ? undefined : o.call.callerNumber.replace(/^\+55|^0/, '').replace(/\D/g, '') || undefined;
    if (o.type === 'ringing') return [{ route: 'notificar', ramal: o.extension, ...(telefone ? { telefone } : {}) }];
    if (o.type === 'stopped' && o.reason !== 'answered') return [{ route: 'cancelar', ramal: o.extension, ...(telefone ? { telefone } : {}), reason: o.reason }];
    return [];
  });
}

describe('call tracker on scripted flows (fake clock, default 1.5 s grace)', () => {
  for (const name of SCRIPTED_FIXTURES) {
    it(`${name}: exactly the expected rings and stops, in order, and nothing left`, () => {
      const { outputs, tracker } = run(scriptedFixture(name).frames);
      expect(asRequests(outputs)).to.deep.equal(expectedHubsoft[name as FixtureName]);
      expect(tracker.stats()).to.deep.equal({ liveCalls: 0, liveChannels: 0, openRings: 0, pendingGraces: 0 });
    });
  }

  it('every stopped follows its ringing, at most once per ring', () => {
    for (const name of SCRIPTED_FIXTURES) {
      const open = new Set<string>();
      for (const o of run(scriptedFixture(name).frames).outputs) {
        if (o.type === 'entered') continue;
        const key = `${o.call.linkedid}/${o.extension}`;
        if (o.type === 'ringing') {
          expect(open.has(key), `${name}: ${key} rang twice without a stop`).to.equal(false);
          open.add(key);
        } else {
          expect(open.delete(key), `${name}: ${key} stopped without ringing`).to.equal(true);
        }
      }
      expect([...open], name).to.deep.equal([]);
    }
  });
});

describe('call tracker: grace, bounds, resync', () => {
  it('without a grace a hunt group re-dialling the same extension closes and reopens the window', () => {
    const requests = asRequests(run(scriptedFixture('ringgroup_rering_grace').frames, { reringGraceMs: 0 }).outputs);
    expect(requests.filter((r) => r.ramal === '1001').map((r) => r.route)).to.deep.equal(['notificar', 'cancelar', 'notificar', 'cancelar']);
  });

  it('the cancel of a missed ring waits for the grace, then leaves even though the call goes on', () => {
    const s = new AmiScript({ noise: false });
    const call = s.inboundCall({ from: '37999912222', did: '3732220001' });
    const dial = call.dial(['1001']);
    call.wait(20_000);
    dial.timeout();
    call.exec('Playback', 'vm-nobodyavail').wait(60_000);
    call.endInDialplan();
    const frames = s.frames();
    const endOfRing = frames.findIndex((f) => f.fields.Event === 'DialEnd');
    const now = { t: 0 };
    const tracker = new CallTracker({ config: callsConfig({ reringGraceMs: 1500 }), clock: () => now.t });
    for (const f of frames.slice(0, endOfRing + 1)) tracker.handle(normaliseFields(f.fields) as AmiEvent);
    const endedAt = now.t;
    expect(tracker.nextDeadline()).to.equal(endedAt + 1500);
    now.t = endedAt + 1499;
    expect(tracker.advance(), 'nothing before the grace ran out').to.deep.equal([]);
    now.t = endedAt + 1500;
    const out = tracker.advance();
    expect(out.map((o) => (o.type === 'stopped' ? `${o.extension}:${o.reason}` : o.type))).to.deep.equal(['1001:missed']);
    expect(tracker.stats()).to.include({ liveCalls: 1, openRings: 0 }, 'the call itself goes on');
  });

  it('forgets a call whose Hangup was lost after idleCallTimeoutMs, closing its ring', () => {
    const s = new AmiScript({ noise: false });
    const call = s.inboundCall({ from: '37999912222', did: '3732220001' });
    call.dial(['1001']);
    const frames = s.frames();
    const now = { t: 0 };
    const tracker = new CallTracker({ config: callsConfig({ idleCallTimeoutMs: 60_000 }), clock: () => now.t });
    for (const f of frames) tracker.handle(normaliseFields(f.fields) as AmiEvent);
    expect(tracker.stats().openRings).to.equal(1);
    now.t = 10 * 60_000;
    const out = tracker.advance();
    expect(out.map((o) => o.type)).to.deep.equal(['stopped']);
    expect(tracker.stats().liveCalls).to.equal(0);
  });

  it('keeps at most maxLiveCalls calls, closing the oldest', () => {
    const s = new AmiScript({ noise: false });
    for (let i = 0; i < 5; i += 1) s.inboundCall({ from: `3799991000${i}`, did: '3732220001', at: i * 1000 }).dial(['1001']);
    const tracker = new CallTracker({ config: callsConfig({ maxLiveCalls: 3 }), clock: () => 0 });
    const outputs = s.frames().flatMap((f) => tracker.handle(normaliseFields(f.fields) as AmiEvent));
    expect(tracker.stats().liveCalls).to.equal(3);
    expect(outputs.filter((o) => o.type === 'stopped')).to.have.length(2);
  });

  it('resync closes rings whose legs Asterisk no longer has, and keeps the ones still ringing', () => {
    const s = new AmiScript({ noise: false });
    s.inboundCall({ from: '37999912222', did: '3732220001' }).dial(['1001']);
    s.inboundCall({ from: '37988887777', did: '3732220002', at: 500 }).dial(['1002']);
    const tracker = new CallTracker({ config: callsConfig({ reringGraceMs: 0 }), clock: () => 0 });
    const events = s.frames().map((f) => normaliseFields(f.fields) as AmiEvent);
    for (const e of events) tracker.handle(e);
    const stillLive = new Set(events.filter((e) => e.event === 'Newchannel' && e.calleridnum !== '37999912222' && !e.channel?.includes('1001')).map((e) => e.uniqueid!));
    const out = tracker.resync(stillLive);
    expect(out.map((o) => (o.type === 'stopped' ? `${o.extension}:${o.reason}` : o.type))).to.deep.equal(['1001:caller-hung-up']);
    expect(tracker.stats().openRings).to.equal(1);
    expect(tracker.closeAll().map((o) => (o.type === 'stopped' ? o.extension : o.type))).to.deep.equal(['1002']);
    expect(tracker.stats().liveCalls).to.equal(0);
  });

  it('tolerates events out of order: DialBegin before Newchannel, Hangup of an unknown channel', () => {
    const s = new AmiScript({ noise: false });
    const call = s.inboundCall({ from: '37999912222', did: '3732220001' });
    const dial = call.dial(['1001']);
    call.wait(1000);
    dial.timeout();
    call.endInDialplan();
    const frames = s.frames().filter((f) => f.fields.Event !== 'Newchannel' || f.fields.Channel?.startsWith('PJSIP/trunk'));
    const tracker = new CallTracker({ config: callsConfig(), clock: () => 0 });
    expect(tracker.handle({ event: 'Hangup', uniqueid: '999.1', linkedid: '999.1' })).to.deep.equal([]);
    const types = frames.flatMap((f) => tracker.handle(normaliseFields(f.fields) as AmiEvent)).map((o) => o.type);
    expect(types).to.deep.equal(['entered', 'ringing', 'stopped']);
    expect(tracker.stats().liveCalls).to.equal(0);
  });
});

describe('call tracker: what a live Asterisk 22 really sends', () => {
  it('a NewCallerid after a channel\'s Hangup (queue Local member, seen live) does not bring the channel back', () => {
    const tracker = new CallTracker({ config: callsConfig(), clock: () => 0 });
    const feed = (fields: Record<string, string>) => tracker.handle(normaliseFields({ Privilege: 'call,all', ...fields }) as AmiEvent);
    const trunk = { Channel: 'PJSIP/trunk-00000000', Uniqueid: '1796603315.0', Linkedid: '1796603315.0' };
    const local = { Channel: 'Local/1001@from-queue-00000001;1', Uniqueid: '1796603315.3', Linkedid: '1796603315.0' };
    feed({ Event: 'Newchannel', ...trunk, CallerIDNum: '37999912222', Context: 'from-trunk', Exten: '3732220700' });
    feed({ Event: 'Newchannel', ...local, CallerIDNum: '1001', Context: 'from-queue', Exten: '1001' });
    feed({ Event: 'Hangup', ...local, Cause: '16' });
    feed({ Event: 'NewCallerid', ...local, CallerIDNum: '37999912222' });
    expect(tracker.channelIds()).to.deep.equal(new Set([trunk.Uniqueid]));
    feed({ Event: 'Hangup', ...trunk, Cause: '16' });
    expect(tracker.stats().liveCalls, 'the call ends with its last real channel').to.equal(0);
  });
});

describe('call tracker: a call-back while the first ring waits out its grace', () => {
  it('the first call\'s ring of that extension stops before the second call\'s ring is reported (HubSoft matches on ramal + telefone)', () => {
    const tracker = new CallTracker({ config: callsConfig(), clock: () => 0 });
    const feed = (fields: Record<string, string>) => tracker.handle(normaliseFields({ Privilege: 'call,all', ...fields }) as AmiEvent);
    const seen: string[] = [];
    const note = (outputs: TrackerOutput[]) => outputs.forEach((o) => o.type !== 'entered' && seen.push(`${o.type} ${o.call.linkedid} ${o.extension}`));
    for (const [linkedid, leg, n] of [['100.1', '100.2', 1], ['200.1', '200.2', 3]] as const) {
      const trunk = { Channel: `PJSIP/trunk-0000000${n}`, Uniqueid: linkedid, Linkedid: linkedid, CallerIDNum: '37999912222' };
      note(feed({ Event: 'Newchannel', ...trunk, Context: 'from-trunk', Exten: '3732220001' }));
      note(feed({ Event: 'DialBegin', ...trunk, DestChannel: `PJSIP/1001-0000000${n + 1}`, DestUniqueid: leg, DestLinkedid: linkedid }));
      // The first call's ring ends unanswered; its call goes on (voicemail), so its cancel waits out the grace.
      if (n === 1) note(feed({ Event: 'DialEnd', ...trunk, DestChannel: 'PJSIP/1001-00000002', DestUniqueid: leg, DialStatus: 'NOANSWER' }));
    }
    expect(seen).to.deep.equal(['ringing 100.1 1001', 'stopped 100.1 1001', 'ringing 200.1 1001']);
  });
});

describe('call tracker: review fixes', () => {
  const feed = (tracker: CallTracker, events: readonly AmiEvent[]) => events.flatMap((e) => tracker.handle(e));

  it('a resync leaves alone channels that appeared after the snapshot, and forgets the legs of those gone', () => {
    const s = new AmiScript({ noise: false });
    s.inboundCall({ from: '37999912222', did: '3732220001' }).dial(['1001']);
    const first = s.frames().map((f) => normaliseFields(f.fields) as AmiEvent);
    const tracker = new CallTracker({ config: callsConfig({ reringGraceMs: 0 }), clock: () => 0 });
    feed(tracker, first);
    const known = tracker.channelIds();
    // A new call arrives while Asterisk builds its CoreShowChannels list: it is not in `live`.
    const later = new AmiScript({ noise: false, startEpoch: 1795470000, firstUniqueid: 900 });
    later.inboundCall({ from: '37988887777', did: '3732220002' }).dial(['1002']);
    feed(tracker, later.frames().map((f) => normaliseFields(f.fields) as AmiEvent));
    const out = tracker.resync(new Set(), known);
    expect(out.map((o) => (o.type === 'stopped' ? o.extension : o.type))).to.deep.equal(['1001']);
    expect(tracker.stats()).to.include({ liveCalls: 1, openRings: 1 });
  });

  it('a second phone of the same extension picking the call up is that extension answering: no cancel', () => {
    const s = new AmiScript({ noise: false });
    s.inboundCall({ from: '37999912222', did: '3732220001' }).dial(['1001']);
    const events = s.frames().map((f) => normaliseFields(f.fields) as AmiEvent);
    const tracker = new CallTracker({ config: callsConfig({ reringGraceMs: 0 }), clock: () => 0 });
    feed(tracker, events);
    const leg = events.find((e) => e.event === 'DialBegin')!;
    const linkedid = leg.linkedid!;
    const out = feed(tracker, [
      { event: 'Newchannel', channel: 'PJSIP/1001-000000ff', uniqueid: '1795460000.99', linkedid: '1795460000.99', context: 'from-internal', exten: '*81001', calleridnum: '1001' },
      { event: 'Pickup', channel: 'PJSIP/1001-000000ff', uniqueid: '1795460000.99', linkedid: '1795460000.99', targetuniqueid: leg.destuniqueid!, targetlinkedid: linkedid },
      { event: 'DialEnd', channel: leg.channel!, uniqueid: leg.uniqueid!, linkedid, destchannel: leg.destchannel!, destuniqueid: leg.destuniqueid!, destlinkedid: linkedid, dialstatus: 'ANSWER' },
    ]);
    expect(out.map((o) => (o.type === 'stopped' ? o.reason : o.type))).to.deep.equal(['answered']);
  });

  it('outbound calls are recognised, ignored by default, and notified with the number dialled when notifyOutbound is on', () => {
    const frames = scriptedFixture('outbound_call', { noise: false }).frames;
    const quiet = run(frames);
    expect(asRequests(quiet.outputs)).to.deep.equal([]);
    // A ring of an extension inside an outbound call (e.g. the call transferred to a colleague).
    const tracker = new CallTracker({ config: callsConfig({ notifyOutbound: true }), clock: () => 0 });
    const events = frames.map((f) => normaliseFields(f.fields) as AmiEvent);
    const origin = events.find((e) => e.event === 'Newchannel')!;
    feed(tracker, [origin]);
    const out = feed(tracker, [
      { event: 'DialBegin', channel: origin.channel!, uniqueid: origin.uniqueid!, linkedid: origin.linkedid!, destchannel: 'PJSIP/1002-000000aa', destuniqueid: '1795469999.1', destlinkedid: origin.linkedid! },
    ]);
    expect(out).to.have.length(1);
    expect(out[0]).to.deep.include({ type: 'ringing', extension: '1002' });
    expect(out[0]!.call).to.include({ direction: 'outbound', callerNumber: origin.exten!.replace(/\D/g, '') });
  });
});
