import { expect } from 'chai';
import { request } from 'node:http';
import { createMetrics } from '../../src/ops/metrics.js';
import { startHealthServer, type HealthReport } from '../../src/ops/health-server.js';

interface Reply {
  status: number;
  type: string;
  body: string;
}

function get(port: number, path: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('ops/health-server over HTTP on 127.0.0.1', () => {
  let report: HealthReport;
  const metrics = createMetrics();
  let server: Awaited<ReturnType<typeof startHealthServer>>;

  before(async () => {
    server = await startHealthServer({ host: '127.0.0.1', port: 0, healthSource: () => report, registry: metrics.registry, sourceTimeoutMs: 50 });
  });
  after(() => server.stop());

  it('answers 200 ok when AMI is logged in and HubSoft auth works', async () => {
    report = { ami: { up: true }, hubsoft: { up: true } };
    const reply = await get(server.port, '/healthz');
    expect(reply.status).to.equal(200);
    expect(reply.type).to.match(/^application\/json/);
    expect(JSON.parse(reply.body)).to.deep.equal({ status: 'ok', ami: { up: true }, hubsoft: { up: true } });
  });

  it('answers 503 degraded when HubSoft fails while AMI is up', async () => {
    report = { ami: { up: true }, hubsoft: { up: false, detail: 'HUBSOFT_AUTH_REJECTED: HubSoft refused the API credentials' } };
    const reply = await get(server.port, '/healthz');
    expect(reply.status).to.equal(503);
    const body = JSON.parse(reply.body);
    expect(body.status).to.equal('degraded');
    expect(body.reason).to.equal('HubSoft: HUBSOFT_AUTH_REJECTED');
    expect(body.hubsoft).to.deep.equal({ up: false, code: 'HUBSOFT_AUTH_REJECTED' });
  });

  it('never repeats upstream text: a detail echoing the request (password, client_secret) stays inside', async () => {
    const echoed = 'HubSoft answered HTTP 500: grant_type=password&client_secret=s3cr3t-Value&password=hunter2+x';
    report = { ami: { up: true }, hubsoft: { up: false, detail: echoed } };
    const reply = await get(server.port, '/healthz');
    expect(reply.status).to.equal(503);
    expect(reply.body).to.not.match(/s3cr3t|hunter2|grant_type|answered/);
    expect(JSON.parse(reply.body)).to.deep.equal({ status: 'degraded', reason: 'HubSoft: HUBSOFT_FAILING', ami: { up: true }, hubsoft: { up: false, code: 'HUBSOFT_FAILING' } });
    report = { ami: { up: true }, hubsoft: { up: false, code: 'not a code: password=hunter2', detail: echoed } };
    expect((await get(server.port, '/healthz')).body).to.not.match(/hunter2/);
  });

  it('answers 503 down with the reason when AMI is not logged in', async () => {
    report = { ami: { up: false, detail: 'AMI_LOGIN_REFUSED' }, hubsoft: { up: true } };
    const reply = await get(server.port, '/healthz');
    expect(reply.status).to.equal(503);
    expect(JSON.parse(reply.body)).to.deep.include({ status: 'down', reason: 'AMI: AMI_LOGIN_REFUSED' });
  });

  it('answers 503 when the health source throws or never answers', async () => {
    const failing = await startHealthServer({ host: '127.0.0.1', port: 0, healthSource: () => Promise.reject(new Error('boom')) });
    const hanging = await startHealthServer({ host: '127.0.0.1', port: 0, healthSource: () => new Promise<HealthReport>(() => undefined), sourceTimeoutMs: 20 });
    try {
      expect(JSON.parse((await get(failing.port, '/healthz')).body)).to.deep.include({ status: 'down', reason: 'HEALTH_SOURCE_FAILED' });
      const slow = await get(hanging.port, '/healthz');
      expect(slow.status).to.equal(503);
      expect(JSON.parse(slow.body).reason).to.equal('HEALTH_SOURCE_TIMEOUT');
    } finally {
      await failing.stop();
      await hanging.stop();
    }
  });

  it('serves the registry on /metrics in the Prometheus text format', async () => {
    metrics.amiConnected.set(1);
    metrics.countAmiEvent('Newchannel');
    metrics.countAmiEvent('SomethingNew');
    metrics.observeHubsoftRequest('notificar', 200, 0.12);
    metrics.countNotification('notificar', 'sent');
    metrics.countDrop('dropped-overflow');
    const reply = await get(server.port, '/metrics');
    expect(reply.status).to.equal(200);
    expect(reply.type).to.equal('text/plain; version=0.0.4; charset=utf-8');
    for (const name of [
      'hubsoft_bridge_ami_connected 1',
      'hubsoft_bridge_ami_reconnects_total',
      'hubsoft_bridge_ami_events_total{event="Newchannel"} 1',
      'hubsoft_bridge_ami_events_total{event="other"} 1',
      'hubsoft_bridge_calls_live',
      'hubsoft_bridge_rings_total',
      'hubsoft_bridge_notifications_total{route="notificar",result="sent"} 1',
      'hubsoft_bridge_http_request_duration_seconds_bucket{le="0.25",route="notificar",status="200"} 1',
      'hubsoft_bridge_token_renewals_total',
      'hubsoft_bridge_lookup_cache_hits_total',
      'hubsoft_bridge_lookup_cache_misses_total',
      'hubsoft_bridge_lookup_cache_entries',
      'hubsoft_bridge_dispatcher_queued_requests',
      'hubsoft_bridge_dispatcher_dropped_total{reason="overflow"} 1',
      'process_cpu_user_seconds_total',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(reply.body).to.include(name);
    }
  });

  it('answers 404 elsewhere and 405 for other methods', async () => {
    expect((await get(server.port, '/')).status).to.equal(404);
    expect((await get(server.port, '/healthz', 'POST')).status).to.equal(405);
  });

  it('stops and lets the port go', async () => {
    const temp = await startHealthServer({ host: '127.0.0.1', port: 0, healthSource: () => report });
    await temp.stop();
    await temp.stop();
    let refused = false;
    await get(temp.port, '/healthz').catch(() => (refused = true));
    expect(refused).to.equal(true);
  });
});
