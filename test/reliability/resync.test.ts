import { expect } from 'chai';
import { AmiScript } from '../support/ami-script.js';
import { startHarness, until, type Harness } from '../support/bridge-harness.js';
import { asTranscript, channelRows, ringingCalls } from './support/calls.js';

function routesOf(harness: Harness, telefone: string): string[] {
  return harness.pbxRequests().filter((r) => r.body.telefone === telefone).map((r) => r.route);
}

describe('reliability: AMI resync after a reconnect, Asterisk restart (fake Asterisk over TCP)', function () {
  this.timeout(30_000);
  let harness: Harness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('AMI drop while 3 agents ring, 2 calls end during the gap: their windows close after the reconnect, the third goes on, no double notify', async () => {
    harness = await startHarness({ fakeAmi: { uptimeSeconds: 3600 } });
    const { ami, daemon } = harness;
    const s = new AmiScript({ startEpoch: 1795700000, noise: false, firstUniqueid: 500 });
    const calls = ringingCalls(s, ['1001', '1002', '1003'], 700);
    await harness.play(asTranscript(s.drain()));
    await until(() => harness!.pbxRequests().filter((r) => r.route === 'notificar').length === 3, 5000, 'three notifies');

    // The link drops; meanwhile the callers of 1001 and 1002 give up (events the bridge never sees).
    const [first, second, third] = calls as [(typeof calls)[0], (typeof calls)[0], (typeof calls)[0]];
    first.call.wait(2000).callerCancel(first.dial);
    second.call.wait(2000).callerCancel(second.dial);
    s.drain();
    ami.setChannels(channelRows([third]));
    const resyncs = ami.actions.filter((a) => a.action.toLowerCase() === 'coreshowchannels').length;
    ami.dropAll();
    await ami.waitForLogin(5000, 2);
    await ami.waitForAction('CoreShowChannels', 5000, resyncs + 1);
    await until(() => harness!.pbxRequests().filter((r) => r.route === 'cancelar').length === 2, 5000, 'the two ended rings to be cancelled');
    expect(routesOf(harness, first.caller)).to.deep.equal(['notificar', 'cancelar']);
    expect(routesOf(harness, second.caller)).to.deep.equal(['notificar', 'cancelar']);
    expect(routesOf(harness, third.caller)).to.deep.equal(['notificar'], 'still ringing: window stays open');
    expect(daemon.bridge.tracker.stats().openRings).to.equal(1);

    // The third call goes on being tracked after the reconnect: it ends unanswered.
    third.call.wait(3000);
    third.dial.timeout();
    third.call.endInDialplan();
    await harness.play(asTranscript(s.drain()));
    await harness.settle();
    expect(routesOf(harness, third.caller)).to.deep.equal(['notificar', 'cancelar']);
    expect(harness.hubsoft.windows.size).to.equal(0);
  });

  it('FullyBooted after an Asterisk restart closes every open window, even if CoreShowChannels still listed them', async () => {
    harness = await startHarness({ fakeAmi: { uptimeSeconds: 3600 } });
    const { ami } = harness;
    const s = new AmiScript({ startEpoch: 1795710000, noise: false, firstUniqueid: 800 });
    const calls = ringingCalls(s, ['1001', '1002', '1003'], 900);
    await harness.play(asTranscript(s.drain()));
    await until(() => harness!.pbxRequests().filter((r) => r.route === 'notificar').length === 3, 5000, 'three notifies');
    ami.restart();
    // Isolate the FullyBooted path: the resync would keep these alive.
    ami.setChannels(channelRows(calls));
    await ami.waitForLogin(5000, 2);
    await harness.settle();
    for (const { caller } of calls) expect(routesOf(harness, caller)).to.deep.equal(['notificar', 'cancelar']);
    expect(harness.hubsoft.windows.size).to.equal(0);
  });

  it('a plain reconnect (same Asterisk run) closes nothing that still rings', async () => {
    harness = await startHarness({ fakeAmi: { uptimeSeconds: 3600 } });
    const { ami, daemon } = harness;
    const s = new AmiScript({ startEpoch: 1795720000, noise: false, firstUniqueid: 1200 });
    const calls = ringingCalls(s, ['1001', '1002'], 1300);
    await harness.play(asTranscript(s.drain()));
    await until(() => harness!.pbxRequests().filter((r) => r.route === 'notificar').length === 2, 5000, 'two notifies');
    ami.setChannels(channelRows(calls));
    const resyncs = ami.actions.filter((a) => a.action.toLowerCase() === 'coreshowchannels').length;
    ami.dropAll();
    await ami.waitForLogin(5000, 2);
    await ami.waitForAction('CoreShowChannels', 5000, resyncs + 1);
    await harness.play(asTranscript([])); // a round trip: everything the bridge was sent is read
    expect(harness.pbxRequests().filter((r) => r.route === 'cancelar')).to.have.length(0);
    expect(daemon.bridge.tracker.stats().openRings).to.equal(2);
  });
});
