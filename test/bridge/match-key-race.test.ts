import { expect } from 'chai';
import { AmiScript } from '../support/ami-script.js';
import { startHarness, until, type Harness } from '../support/bridge-harness.js';
import { asTranscript, callerOf } from '../reliability/support/calls.js';

/**
 * HubSoft pairs a cancelar with its notificar by ramal + telefone (no call id). A quick call-back from the
 * same caller to the same extension: call 1's cancelar and call 2's notificar are queued together. If the
 * notify landed first, call 1's cancel would close call 2's window. The lanes are keyed by that match key.
 */
describe('lanes keyed by what HubSoft matches on: a call-back races the previous call’s cancel (fake HubSoft over HTTP)', function () {
  this.timeout(15_000);
  let harness: Harness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('under concurrency 4 and a slow cancelar, call 1’s cancel lands first and call 2’s window stays open', async () => {
    harness = await startHarness({ config: { notify: { concurrency: 4 } } });
    const { hubsoft } = harness;
    const caller = callerOf(4242);
    const s = new AmiScript({ startEpoch: 1795900000, noise: false, firstUniqueid: 900 });
    const ring = () => {
      const call = s.inboundCall({ from: caller, did: '3732220001' });
      call.goto('ext-local', '1001', 'Chamada para 1001');
      return { call, dial: call.dial(['1001']) };
    };

    const first = ring();
    await harness.play(asTranscript(s.drain()));
    await until(() => hubsoft.windows.size === 1, 5000, 'call 1’s window');

    // HubSoft slows down on cancelar (mid-update): 300 ms, notificar answers at once.
    const CANCEL_MS = 300;
    hubsoft.setDelay((path) => (path.endsWith('/cancelar') ? CANCEL_MS : 0));
    first.call.wait(500).callerCancel(first.dial);
    await harness.play(asTranscript(s.drain()));
    await until(() => hubsoft.count('/api/v1/integracao/pbx/ligacao/cancelar') === 1, 5000, 'call 1’s cancel to reach HubSoft');

    // The caller calls back while that cancel is in flight; other keys keep 3 slots free for the notify.
    const second = ring();
    await harness.play(asTranscript(s.drain()));
    await until(() => hubsoft.count('/api/v1/integracao/pbx/ligacao/notificar') === 2, 5000, 'call 2’s notify');

    const pbx = hubsoft.requests.filter((r) => r.path.includes('/pbx/ligacao/'));
    expect(pbx.map((r) => r.path.split('/').pop())).to.deep.equal(['notificar', 'cancelar', 'notificar']);
    const cancelAt = pbx[1]!.at;
    const notifyAt = pbx[2]!.at;
    expect(notifyAt - cancelAt, 'the notify left only after the cancel was answered').to.be.at.least(CANCEL_MS - 20);
    await until(() => hubsoft.windows.size === 1, 2000, 'call 2’s window');
    const window = hubsoft.windows.get(`ramal:1001|${caller}`);
    expect(window, 'call 2’s window is open').to.not.equal(undefined);
    expect((window!.body.ligacao_params as Record<string, string>).linkedid).to.equal(second.call.origin.linkedid);
    expect((pbx[1]!.body as { ligacao_params: Record<string, string> }).ligacao_params.linkedid).to.equal(first.call.origin.linkedid);

    hubsoft.setDelay(0);
    second.call.wait(500).callerCancel(second.dial);
    await harness.play(asTranscript(s.drain()));
    await harness.settle();
    expect(hubsoft.windows.size).to.equal(0);
  });
});
