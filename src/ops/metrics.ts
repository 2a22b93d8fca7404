import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { TRACKED_EVENTS } from './install/ami-user.js';
import { packageVersion } from '../package-info.js';

/**
 * Prometheus metrics of one bridge process, in their own Registry (never prom-client's global one,
 * so tests and several bridges in one process do not collide). Labels only take values from small
 * fixed sets; anything else is counted as "other" so an odd peer cannot blow up cardinality.
 * Names follow the Prometheus naming guide: one prefix, counters end in _total, units in the name.
 * prom-client's own process_* and nodejs_* keep their standard names (dashboards everywhere expect them).
 */
export const METRIC_PREFIX = 'hubsoft_bridge_';
export const KNOWN_EVENTS: ReadonlySet<string> = new Set<string>([...TRACKED_EVENTS, 'Ping', 'Shutdown', 'Reload']);
export const HUBSOFT_ROUTES = ['token', 'cliente', 'notificar', 'cancelar', 'editar_atendimento', 'other'] as const;
export type HubsoftRoute = (typeof HUBSOFT_ROUTES)[number];
export const NOTIFY_RESULTS = ['sent', 'failed', 'dropped-stale', 'dropped-overflow', 'dropped-shutdown', 'other'] as const;
export const DROP_REASONS = ['stale', 'overflow', 'shutdown', 'other'] as const;
export const AGI_REFUSALS = ['session-cap', 'not-allowed', 'evicted', 'environment-timeout', 'other'] as const;
/** How a caller lookup that asked HubSoft ended (CustomerLookup's SearchOutcome). */
export const LOOKUP_OUTCOMES = ['found', 'ambiguous', 'notfound', 'error', 'other'] as const;
const TRANSPORT_STATUSES = new Set(['timeout', 'unreachable', 'error']);

export interface BridgeMetrics {
  readonly registry: Registry;
  readonly amiConnected: Gauge;
  readonly amiReconnects: Counter;
  readonly amiEvents: Counter<'event'>;
  readonly callsLive: Gauge;
  readonly rings: Counter;
  readonly hubsoftNotifications: Counter<'route' | 'result'>;
  readonly hubsoftRequestDuration: Histogram<'route' | 'status'>;
  readonly hubsoftTokenRenewals: Counter;
  readonly lookupCacheHits: Counter;
  readonly lookupCacheMisses: Counter;
  readonly lookupCacheSize: Gauge;
  readonly dispatcherQueueSize: Gauge;
  readonly dispatcherDropped: Counter<'reason'>;
  readonly agiRefused: Counter<'reason'>;
  readonly lookupHubsoftRequests: Histogram;
  readonly lookupDuration: Histogram<'outcome'>;
  /** Counts one AMI event; names outside KNOWN_EVENTS count as "other". */
  countAmiEvent(name: string): void;
  /** Records one HubSoft HTTP exchange: route from hubsoftRoute(), status an HTTP code or timeout/unreachable/error. */
  observeHubsoftRequest(route: string, status: number | string, seconds: number): void;
  /** One notify (route "notificar") or cancel ("cancelar") finished with a dispatcher outcome. */
  countNotification(route: string, result: string): void;
  countDrop(reason: string): void;
  /** One FastAGI connection closed without running a script (see AgiRefusal). */
  countAgiRefusal(reason: string): void;
  /** One caller lookup that asked HubSoft (cache hits and shared searches excluded): outcome, client searches, time. */
  observeLookup(outcome: string, requests: number, seconds: number): void;
}

export interface MetricsOptions {
  /** Adds prom-client's process_* and nodejs_* metrics (default true). */
  defaultMetrics?: boolean;
  /** The build_info version label (default: package.json's). */
  version?: string;
}

export function createMetrics(options: MetricsOptions = {}): BridgeMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  new Gauge({ name: 'hubsoft_bridge_build_info', help: 'Always 1; the labels say which version runs on which Node', labelNames: ['version', 'node'] as const, registers }).set(
    { version: options.version ?? packageVersion(), node: process.versions.node },
    1,
  );

  const amiEvents = new Counter({ name: 'hubsoft_bridge_ami_events_total', help: 'AMI events received, by event name (others as "other")', labelNames: ['event'] as const, registers });
  const hubsoftNotifications = new Counter({
    name: 'hubsoft_bridge_notifications_total',
    help: 'HubSoft PBX notifies (route notificar) and cancels (route cancelar), by outcome',
    labelNames: ['route', 'result'] as const,
    registers,
  });
  const hubsoftRequestDuration = new Histogram({
    name: 'hubsoft_bridge_http_request_duration_seconds',
    help: 'HubSoft HTTP request latency, by route and HTTP status (or timeout/unreachable/error)',
    labelNames: ['route', 'status'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16],
    registers,
  });
  const agiRefused = new Counter({
    name: 'hubsoft_bridge_agi_refused_total',
    help: 'FastAGI connections closed without running a script: session-cap, not-allowed, evicted (waiting room full), environment-timeout',
    labelNames: ['reason'] as const,
    registers,
  });
  const lookupHubsoftRequests = new Histogram({
    name: 'hubsoft_bridge_lookup_hubsoft_requests',
    help: 'HubSoft client searches per caller lookup that asked HubSoft (1: found on the first term; lookup.maxRequests: an unknown caller)',
    buckets: [1, 2, 3, 4, 6, 8, 10],
    registers,
  });
  const lookupDuration = new Histogram({
    name: 'hubsoft_bridge_lookup_duration_seconds',
    help: 'Caller lookups that asked HubSoft, from the first search to the answer, by outcome (found, ambiguous, notfound, error)',
    labelNames: ['outcome'] as const,
    buckets: [0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.5, 3, 8],
    registers,
  });
  const dispatcherDropped = new Counter({ name: 'hubsoft_bridge_dispatcher_dropped_total', help: 'HubSoft requests dropped unsent, by reason (stale, overflow, shutdown)', labelNames: ['reason'] as const, registers });

  return {
    registry,
    amiConnected: new Gauge({ name: 'hubsoft_bridge_ami_connected', help: '1 while logged in to the Asterisk AMI, else 0', registers }),
    amiReconnects: new Counter({ name: 'hubsoft_bridge_ami_reconnects_total', help: 'Successful AMI logins after the first one (the link was lost and came back)', registers }),
    amiEvents,
    callsLive: new Gauge({ name: 'hubsoft_bridge_calls_live', help: 'Calls the tracker follows right now', registers }),
    rings: new Counter({ name: 'hubsoft_bridge_rings_total', help: 'External calls that rang an extension', registers }),
    hubsoftNotifications,
    hubsoftRequestDuration,
    hubsoftTokenRenewals: new Counter({ name: 'hubsoft_bridge_token_renewals_total', help: 'HubSoft OAuth token requests', registers }),
    lookupCacheHits: new Counter({ name: 'hubsoft_bridge_lookup_cache_hits_total', help: 'Caller lookups answered from the cache', registers }),
    lookupCacheMisses: new Counter({ name: 'hubsoft_bridge_lookup_cache_misses_total', help: 'Caller lookups that went to HubSoft', registers }),
    lookupCacheSize: new Gauge({ name: 'hubsoft_bridge_lookup_cache_entries', help: 'Phone numbers held in the lookup cache', registers }),
    dispatcherQueueSize: new Gauge({ name: 'hubsoft_bridge_dispatcher_queued_requests', help: 'HubSoft requests waiting or in flight', registers }),
    dispatcherDropped,
    agiRefused,
    lookupHubsoftRequests,
    lookupDuration,
    countAmiEvent(name) {
      amiEvents.inc({ event: KNOWN_EVENTS.has(name) ? name : 'other' });
    },
    observeHubsoftRequest(route, status, seconds) {
      hubsoftRequestDuration.observe({ route: oneOf(route, HUBSOFT_ROUTES), status: statusLabel(status) }, seconds);
    },
    countNotification(route, result) {
      hubsoftNotifications.inc({ route: oneOf(route, HUBSOFT_ROUTES), result: oneOf(result, NOTIFY_RESULTS) });
    },
    countDrop(reason) {
      dispatcherDropped.inc({ reason: oneOf(reason.replace(/^dropped-/, ''), DROP_REASONS) });
    },
    countAgiRefusal(reason) {
      agiRefused.inc({ reason: oneOf(reason, AGI_REFUSALS) });
    },
    observeLookup(outcome, requests, seconds) {
      lookupHubsoftRequests.observe(requests);
      lookupDuration.observe({ outcome: oneOf(outcome, LOOKUP_OUTCOMES) }, seconds);
    },
  };
}

/** Maps a HubSoft request path to a bounded route label. */
export function hubsoftRoute(path: string): HubsoftRoute {
  const bare = path.replace(/^\/+/, '').split('?')[0] ?? '';
  if (bare.startsWith('oauth/token')) return 'token';
  if (bare.endsWith('pbx/ligacao/notificar')) return 'notificar';
  if (bare.endsWith('pbx/ligacao/cancelar')) return 'cancelar';
  if (bare.startsWith('api/v1/integracao/cliente')) return 'cliente';
  if (/^api\/v1\/integracao\/atendimento\/\d+$/.test(bare)) return 'editar_atendimento';
  return 'other';
}

function statusLabel(status: number | string): string {
  if (typeof status === 'number') return Number.isInteger(status) && status >= 100 && status < 600 ? String(status) : 'error';
  return TRANSPORT_STATUSES.has(status) ? status : /^[1-5]\d\d$/.test(status) ? status : 'error';
}

function oneOf<T extends string>(value: string, allowed: readonly T[]): T {
  return (allowed as readonly string[]).includes(value) ? (value as T) : ('other' as T);
}
