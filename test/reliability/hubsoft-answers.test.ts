import { expect } from 'chai';
import { AmiScript } from '../support/ami-script.js';
import { startHarness, until, type Harness } from '../support/bridge-harness.js';
import { MARIA, sampleClients } from '../support/sample-clients.js';
import { asTranscript, ringingCalls, type RingingCall } from './support/calls.js';

async function get(port: number, path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, text: await response.text() };
}

/** The pbx requests (notificar/cancelar) HubSoft received from index `from` of its request log on. */
function pbxFrom(harness: Harness, from: number) {
  return harness.hubsoft.requests
    .slice(from)
    .filter((r) => r.path.includes('/pbx/ligacao/'))
    .map((r) => ({ route: r.path.endsWith('cancelar') ? 'cancelar' : 'notificar', body: r.body as Record<string, unknown> }));
}

/** Rings `extensions` (one call each), waits for their notifies; returns the calls, still ringing. */
async function ring(harness: Harness, s: AmiScript, extensions: readonly string[], firstCaller: number): Promise<RingingCall[]> {
  const calls = ringingCalls(s, extensions, firstCaller);
  const before = harness.pbxRequests().filter((r) => r.route === 'notificar').length;
  await harness.play(asTranscript(s.drain()));
  await until(() => harness.pbxRequests().filter((r) => r.route === 'notificar').length === before + calls.length, 5000, 'the notifies');
  return calls;
}

async function hangUp(harness: Harness, s: AmiScript, calls: readonly RingingCall[]): Promise<void> {
  for (const { call, dial } of calls) call.wait(500).callerCancel(dial);
  await harness.play(asTranscript(s.drain()));
}

describe('HubSoft as it answers: bad answers retried, only refusals naming fields are permanent (fake HubSoft over HTTP)', function () {
  this.timeout(20_000);
  let harness: Harness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('cancelar answered 200 {"status":"error"} without field errors, then a non-JSON 200: retried, each delivered once when HubSoft answers properly', async () => {
    harness = await startHarness({ config: { health: { enabled: true, port: 0 }, notify: { concurrency: 4, retryInitialMs: 10, retryMaxMs: 40 } } });
    const { hubsoft, daemon } = harness;
    const s = new AmiScript({ startEpoch: 1795800000, noise: false, firstUniqueid: 100 });
    const extensions = ['1001', '1002', '1003', '1004', '1005', '1006', '1007', '1008', '1009', '1010'];
    const calls = await ring(harness, s, extensions, 300);
    expect(hubsoft.windows.size).to.equal(10);

    const from = hubsoft.requests.length;
    hubsoft.failNext(10, 'status-error');
    hubsoft.failNext(10, 'non-json-200');
    await hangUp(harness, s, calls);
    await harness.settle(15_000);

    // The first 20 cancelar attempts got the bad answers (10 + 10 lost, before the fix); every window is closed now.
    const cancels = pbxFrom(harness, from);
    expect(cancels.every((r) => r.route === 'cancelar')).to.equal(true);
    expect(cancels).to.have.length(30);
    const delivered = cancels.slice(20).map((r) => String(r.body.telefone));
    expect([...delivered].sort()).to.deep.equal(calls.map((c) => c.caller).sort(), 'each cancelar accepted exactly once');
    expect(hubsoft.windows.size).to.equal(0);

    // Nothing was refused for good: no metric, /healthz ok.
    const metrics = await get(daemon.healthPort()!, '/metrics');
    expect(metrics.text).to.not.match(/^hubsoft_bridge_pbx_refused_total\{/m);
    expect(daemon.delivery.health().up).to.equal(true);
    expect(daemon.durable.stats().refused).to.equal(0);
  });

  it('a cancelar refusal that names fields is permanent: sent once, counted in hubsoft_bridge_pbx_refused_total, /healthz degraded', async () => {
    harness = await startHarness({ config: { health: { enabled: true, port: 0 } } });
    const { hubsoft, daemon } = harness;
    const s = new AmiScript({ startEpoch: 1795800100, noise: false, firstUniqueid: 200 });
    const calls = await ring(harness, s, ['1001'], 400);
    const from = hubsoft.requests.length;
    hubsoft.failNext(1, 'validation422');
    await hangUp(harness, s, calls);
    await harness.settle();

    expect(pbxFrom(harness, from).map((r) => r.route)).to.deep.equal(['cancelar'], 'not retried');
    expect(daemon.durable.stats().refused).to.equal(1);
    const port = daemon.healthPort()!;
    const metrics = await get(port, '/metrics');
    expect(metrics.text).to.match(/^hubsoft_bridge_pbx_refused_total\{route="cancelar"\} 1$/m);
    const health = await get(port, '/healthz');
    expect(health.status).to.equal(503);
    expect(JSON.parse(health.text)).to.include({ status: 'degraded' });
    expect(health.text).to.include('HUBSOFT_REFUSED_FOR_GOOD');
  });

  it('a 422 for a stale id_cliente still opens the window (sent again without the ids) and drops the caller cache entry', async () => {
    harness = await startHarness();
    const { hubsoft, daemon } = harness;
    const s = new AmiScript({ startEpoch: 1795800200, noise: false, firstUniqueid: 300 });
    const telefone = MARIA.telefone_primario;
    const call = (extension: string) => {
      const flow = s.inboundCall({ from: telefone, did: '3732220001' });
      flow.goto('ext-local', extension, `Chamada para ${extension}`);
      return { call: flow, dial: flow.dial([extension]), extension, caller: telefone };
    };

    // First call: the lookup finds MARIA and caches her; the window opens with her ids.
    const first = call('1001');
    await harness.play(asTranscript(s.drain()));
    await until(() => hubsoft.windows.size === 1, 5000, 'the first window');
    expect([...hubsoft.windows.values()][0]!.body).to.include({ id_cliente: MARIA.id_cliente });
    await hangUp(harness, s, [first]);
    await harness.settle();
    expect(daemon.customers.stats().size).to.equal(1);

    // MARIA is deleted in HubSoft (merged into another client); the bridge still has her cached.
    hubsoft.setClients(sampleClients().filter((c) => c.id_cliente !== MARIA.id_cliente));
    const from = hubsoft.requests.length;
    const second = call('1002');
    await harness.play(asTranscript(s.drain()));
    await until(() => hubsoft.windows.size === 1, 5000, 'the second window');

    const sent = pbxFrom(harness, from);
    expect(sent.map((r) => r.route)).to.deep.equal(['notificar', 'notificar']);
    expect(sent[0]!.body).to.include({ id_cliente: MARIA.id_cliente, telefone });
    expect(sent[1]!.body).to.not.have.any.keys('id_cliente', 'codigo_cliente');
    expect([...hubsoft.windows.keys()]).to.deep.equal([`ramal:1002|${telefone}`]);
    expect(hubsoft.requests.slice(from).filter((r) => r.path.endsWith('/cliente'))).to.have.length(0, 'the ring used the cached lookup');
    expect(daemon.customers.stats().size).to.equal(0, 'the stale cache entry is dropped');
    expect(daemon.durable.stats().refused).to.equal(0);

    await hangUp(harness, s, [second]);
    await harness.settle();
    expect(hubsoft.windows.size).to.equal(0, 'the cancel (also without ids) closes it');
  });
});
