import { expect } from 'chai';
import { startHarness, until, type Harness } from '../support/bridge-harness.js';
import { loadFixture } from '../support/transcript.js';

async function get(port: number, path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, text: await response.text() };
}

describe('daemon /healthz and /metrics over HTTP, with the fake Asterisk and fake HubSoft', function () {
  this.timeout(15000);
  let harness: Harness;
  let port: number;

  before(async () => {
    harness = await startHarness({ config: { health: { enabled: true, port: 0 }, notify: { retryDeadlineMs: 100 } } });
    port = harness.daemon.healthPort()!;
  });
  after(async () => {
    await harness.close();
  });

  it('binds /healthz and /metrics to 127.0.0.1 when health.host is not set', () => {
    expect(harness.daemon.listenAddresses().health).to.deep.equal({ host: '127.0.0.1', port });
  });

  it('answers 200 ok while AMI is logged in and HubSoft accepts the login', async () => {
    const { status, text } = await get(port, '/healthz');
    expect(status).to.equal(200);
    expect(JSON.parse(text)).to.include({ status: 'ok' });
  });

  it('exposes call, ring, notification and latency metrics after a call', async () => {
    await harness.play(loadFixture('s3_ringgroup_one_answers'));
    await harness.settle();
    const { status, text } = await get(port, '/metrics');
    expect(status).to.equal(200);
    expect(text).to.match(/^hubsoft_bridge_rings_total 2$/m);
    expect(text).to.match(/^hubsoft_bridge_notifications_total\{route="notificar",result="sent"\} 2$/m);
    expect(text).to.match(/^hubsoft_bridge_notifications_total\{route="cancelar",result="sent"\} 1$/m);
    expect(text).to.match(/^hubsoft_bridge_ami_connected 1$/m);
    expect(text).to.match(/^hubsoft_bridge_calls_live 0$/m);
    expect(text).to.match(/hubsoft_bridge_http_request_duration_seconds_count\{route="notificar",status="200"\} 2/);
    expect(text).to.match(/hubsoft_bridge_http_request_duration_seconds_count\{route="token",status="200"\} 1/);
    expect(text).to.match(/^hubsoft_bridge_ami_events_total\{event="DialBegin"\} 2$/m);
  });

  it('names every metric the daemon registers by the Prometheus guide (prefix, _total counters)', async () => {
    for (const metric of await harness.daemon.metrics.registry.getMetricsAsJSON()) {
      if (/^(process|nodejs)_/.test(metric.name)) continue;
      expect(metric.name).to.match(/^hubsoft_bridge_[a-z0-9_]+$/);
      expect(metric.name.endsWith('_total'), `${metric.name} is a ${metric.type}`).to.equal(String(metric.type) === 'counter');
    }
  });

  it('says degraded (503) while HubSoft fails, and ok again when it is back', async () => {
    harness.hubsoft.failNext(50, 'status503');
    await harness.play(loadFixture('direct_missed_noanswer'));
    await until(() => harness.daemon.dispatcher.stats().failed > 0, 5000, 'a failed delivery');
    const down = await get(port, '/healthz');
    expect(down.status).to.equal(503);
    expect(JSON.parse(down.text)).to.include({ status: 'degraded' });
    harness.hubsoft.clearFailures();
    await harness.settle();
    await harness.play(loadFixture('direct_busy'));
    await harness.settle();
    const up = await get(port, '/healthz');
    expect(up.status).to.equal(200);
  });

  it('says down (503) when the AMI link is lost', async () => {
    await harness.ami.close();
    await until(() => harness.daemon.ami.state !== 'logged-in', 5000, 'the AMI link to drop');
    const { status, text } = await get(port, '/healthz');
    expect(status).to.equal(503);
    expect(JSON.parse(text)).to.include({ status: 'down' });
  });
});
