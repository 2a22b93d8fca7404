import { expect } from 'chai';
import { register } from 'prom-client';
import { createMetrics, hubsoftRoute, METRIC_PREFIX } from '../../src/ops/metrics.js';
import { amiCheckAdvice } from '../../src/ops/ami-advice.js';
import { BridgeError } from '../../src/errors.js';
import { startHarness } from '../support/bridge-harness.js';

describe('ops/metrics', () => {
  it('keeps each bridge in its own registry, away from the global one', async () => {
    const a = createMetrics({ defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false });
    a.rings.inc();
    expect(await a.registry.metrics()).to.include('hubsoft_bridge_rings_total 1');
    expect(await b.registry.metrics()).to.include('hubsoft_bridge_rings_total 0');
    expect(await register.metrics()).not.to.include('hubsoft_bridge_rings_total');
  });

  it('bounds label values: unknown events, routes, results and statuses become "other"/"error"', async () => {
    const m = createMetrics({ defaultMetrics: false });
    for (let i = 0; i < 50; i += 1) m.countAmiEvent(`UserEvent${i}`);
    m.countNotification('api/v1/x', 'weird');
    m.observeHubsoftRequest('cancelar', 'ECONNRESET', 0.3);
    m.observeHubsoftRequest('cancelar', 'timeout', 8);
    const text = await m.registry.metrics();
    expect(text).to.include('hubsoft_bridge_ami_events_total{event="other"} 50');
    expect(text).to.include('hubsoft_bridge_notifications_total{route="other",result="other"} 1');
    expect(text).to.include('status="error"');
    expect(text).to.include('status="timeout"');
  });

  it('names every metric by the Prometheus guide: one prefix, counters in _total, no bare count units', async () => {
    const m = createMetrics({ defaultMetrics: false });
    const all = await m.registry.getMetricsAsJSON();
    expect(all.length).to.be.greaterThan(12);
    for (const metric of all) {
      expect(metric.name, metric.name).to.match(new RegExp(`^${METRIC_PREFIX}[a-z0-9_]+$`));
      if (String(metric.type) === 'counter') expect(metric.name).to.match(/_total$/);
      else expect(metric.name).not.to.match(/_total$/);
      expect(metric.name, 'a unit in the name, plural base units only').not.to.match(/_(size|ms|milliseconds|bytes_total|seconds_total|count)$/);
    }
  });

  it('exports build_info with the version and the Node version', async () => {
    const m = createMetrics({ defaultMetrics: false, version: '9.8.7' });
    expect(await m.registry.metrics()).to.include(`hubsoft_bridge_build_info{version="9.8.7",node="${process.versions.node}"} 1`);
  });

  it('observes lookups: HubSoft requests per lookup (histogram) and latency by outcome, unknown outcomes as "other"', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.observeLookup('found', 1, 0.06);
    m.observeLookup('notfound', 4, 0.12);
    m.observeLookup('weird', 2, 0.01);
    const text = await m.registry.metrics();
    expect(text).to.match(/^hubsoft_bridge_lookup_hubsoft_requests_bucket\{le="1"\} 1$/m);
    expect(text).to.match(/^hubsoft_bridge_lookup_hubsoft_requests_bucket\{le="4"\} 3$/m);
    expect(text).to.match(/^hubsoft_bridge_lookup_hubsoft_requests_sum 7$/m);
    expect(text).to.match(/^hubsoft_bridge_lookup_duration_seconds_count\{outcome="found"\} 1$/m);
    expect(text).to.match(/^hubsoft_bridge_lookup_duration_seconds_count\{outcome="notfound"\} 1$/m);
    expect(text).to.match(/^hubsoft_bridge_lookup_duration_seconds_count\{outcome="other"\} 1$/m);
  });

  it('the daemon feeds the lookup metrics (found on the first term: 1 request; unknown: every term; cache hits not counted)', async function () {
    this.timeout(15_000);
    const harness = await startHarness();
    try {
      const { customers, metrics } = harness.daemon;
      expect((await customers.lookup('37999912222')).status).to.equal('found');
      expect((await customers.lookup('37999912222')).status).to.equal('found');
      const unknown = await customers.lookup('37912345678');
      expect(unknown.status).to.equal('notfound');
      const text = await metrics.registry.metrics();
      expect(text).to.match(/^hubsoft_bridge_lookup_duration_seconds_count\{outcome="found"\} 1$/m);
      expect(text).to.match(/^hubsoft_bridge_lookup_duration_seconds_count\{outcome="notfound"\} 1$/m);
      expect(text).to.match(/^hubsoft_bridge_lookup_hubsoft_requests_count 2$/m);
      expect(text).to.match(new RegExp(`^hubsoft_bridge_lookup_hubsoft_requests_sum ${1 + unknown.candidates.length}$`, 'm'));
    } finally {
      await harness.close();
    }
  });

  it('maps HubSoft paths to route labels', () => {
    expect(hubsoftRoute('oauth/token')).to.equal('token');
    expect(hubsoftRoute('/api/v1/integracao/pbx/ligacao/notificar')).to.equal('notificar');
    expect(hubsoftRoute('api/v1/integracao/pbx/ligacao/cancelar')).to.equal('cancelar');
    expect(hubsoftRoute('api/v1/integracao/cliente?busca=telefone&termo_busca=3732')).to.equal('cliente');
    expect(hubsoftRoute('api/v1/integracao/atendimento/1234')).to.equal('editar_atendimento');
    expect(hubsoftRoute('api/v1/other')).to.equal('other');
  });
});

describe('ops/ami-advice', () => {
  it('tells what to fix for each AMI login failure', () => {
    expect(amiCheckAdvice(new BridgeError('AMI_LOGIN_REFUSED'), { flavor: 'freepbx' })).to.match(/^AMI login refused: check the secret of \[hubsoft-pbx-bridge\] in \/etc\/hubsoft-pbx-bridge\/asterisk-manager.conf/);
    expect(amiCheckAdvice(new BridgeError('AMI_LOGIN_REFUSED'), { flavor: 'asterisk' })).to.include('manager.d/hubsoft-pbx-bridge.conf');
    expect(amiCheckAdvice(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), { port: 5039 })).to.include('127.0.0.1:5039');
    expect(amiCheckAdvice(new BridgeError('AMI_ACTION_TIMEOUT'))).to.include('did not answer in time');
    expect(amiCheckAdvice(new Error('odd'))).to.include('odd');
  });
});
