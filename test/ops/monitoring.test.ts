import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { createMetrics } from '../../src/ops/metrics.js';
import { registerDeliveryMetrics } from '../../src/outbox/delivery-metrics.js';
import type { DurableDispatchStats } from '../../src/outbox/durable-dispatch.js';

const DASHBOARD = new URL('../../config/monitoring/grafana-dashboard.json', import.meta.url);
const ALERTS = new URL('../../config/monitoring/prometheus-alerts.yml', import.meta.url);
/** Labels Prometheus adds to every scraped series, and its own per-target series. */
const TARGET_LABELS = new Set(['instance', 'job', 'le']);
const PROMETHEUS_OWN = new Set(['up']);
const METRIC = /\b((?:hubsoft_bridge|process|nodejs)_[a-z0-9_]+|up)\b(\{[^}]*\})?/g;

/** The daemon's registry: createMetrics() and what the delivery registers on it (outbox gauges and counters). */
function daemonMetrics(): Map<string, { type: string; labels: readonly string[] }> {
  const metrics = createMetrics();
  registerDeliveryMetrics(metrics.registry, () => ({}) as DurableDispatchStats, () => true);
  const byName = new Map<string, { type: string; labels: readonly string[] }>();
  // prom-client's metric objects carry name, type and labelNames (not in its typings for every class).
  for (const metric of metrics.registry.getMetricsAsArray() as unknown as { name: string; type: string; labelNames?: readonly string[] }[]) {
    byName.set(metric.name, { type: String(metric.type), labels: metric.labelNames ?? [] });
  }
  return byName;
}

/** Every PromQL expression of the dashboard (panel targets, templating queries) or of the alert rules. */
function dashboardExpressions(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { targets?: { expr: string }[] }[]; templating: { list: { query?: unknown }[] } };
  const exprs = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((t) => t.expr));
  for (const variable of dashboard.templating.list) if (typeof variable.query === 'string' && variable.query.includes('(')) exprs.push(variable.query);
  return exprs;
}

function alertRules(): { alert: string; expr: string; labels: { severity: string }; annotations: { summary: string } }[] {
  const file = parseYaml(readFileSync(ALERTS, 'utf8')) as { groups: { rules: ReturnType<typeof alertRules> }[] };
  return file.groups.flatMap((group) => group.rules);
}

/** Metric names (and the label names in their selectors) an expression uses that the bridge does not export. */
function unknownIn(expr: string, known: ReturnType<typeof daemonMetrics>): string[] {
  const problems: string[] = [];
  for (const [, name, selector] of expr.matchAll(METRIC)) {
    if (PROMETHEUS_OWN.has(name!)) continue;
    const histogramPart = /^(.*)_(bucket|sum|count)$/.exec(name!);
    const base = known.has(name!) ? name! : histogramPart && known.get(histogramPart[1]!)?.type === 'histogram' ? histogramPart[1]! : null;
    if (!base) {
      problems.push(name!);
      continue;
    }
    for (const [, label] of (selector ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)) {
      if (!TARGET_LABELS.has(label!) && !known.get(base)!.labels.includes(label!)) problems.push(`${name}{${label}}`);
    }
  }
  return problems;
}

describe('config/monitoring: the Grafana dashboard and the Prometheus alert rules', () => {
  const known = daemonMetrics();

  it('the registry holds the bridge metrics, the outbox ones and the process/nodejs defaults', () => {
    for (const name of ['hubsoft_bridge_ami_connected', 'hubsoft_bridge_outbox_pending_records', 'hubsoft_bridge_lookup_duration_seconds', 'process_resident_memory_bytes']) {
      expect(known.has(name), name).to.equal(true);
    }
  });

  it('every metric and label the dashboard queries exists in the registry', () => {
    const exprs = dashboardExpressions();
    expect(exprs.length).to.be.greaterThan(20);
    const problems = exprs.flatMap((expr) => unknownIn(expr, known));
    expect(problems, 'metrics or labels the bridge does not export').to.deep.equal([]);
  });

  it('every metric and label the alert rules use exists in the registry; each rule has a severity and a summary', () => {
    const rules = alertRules();
    for (const rule of rules) {
      expect(unknownIn(rule.expr, known), rule.alert).to.deep.equal([]);
      expect(rule.labels.severity, rule.alert).to.match(/^(critical|warning|info)$/);
      expect(rule.annotations.summary, rule.alert).to.be.a('string').and.not.equal('');
    }
  });

  it('the alert rules cover AMI down, HubSoft failing, the outbox growing and notifications failing', () => {
    const byMetric = (metric: string) => alertRules().filter((rule) => rule.expr.includes(metric)).map((rule) => rule.alert);
    expect(byMetric('hubsoft_bridge_ami_connected'), 'AMI down').to.not.be.empty;
    expect(byMetric('hubsoft_bridge_http_request_duration_seconds_count'), 'HubSoft failing').to.not.be.empty;
    expect(byMetric('hubsoft_bridge_outbox_pending_records'), 'outbox growing').to.not.be.empty;
    expect(byMetric('hubsoft_bridge_notifications_total'), 'notifications failing').to.not.be.empty;
  });

  it('the check catches a metric that does not exist', () => {
    expect(unknownIn('rate(hubsoft_bridge_nope_total[5m]) + hubsoft_bridge_ami_connected{bogus="1"}', known)).to.deep.equal(['hubsoft_bridge_nope_total', 'hubsoft_bridge_ami_connected{bogus}']);
  });
});
