import { Counter, Gauge, type Registry } from 'prom-client';
import type { DurableDispatchStats } from './durable-dispatch.js';

/** The delivery's own metrics, on the daemon's registry. Gauges are read at scrape time. */
export interface DeliveryMetrics {
  countRefused(route: string): void;
  countJournalUnavailable(): void;
}

export function registerDeliveryMetrics(registry: Registry, stats: () => DurableDispatchStats, durable: () => boolean): DeliveryMetrics {
  const registers = [registry];
  const gauge = (name: string, help: string, read: (s: DurableDispatchStats) => number): void => {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read(stats()));
      },
    });
  };
  // Counts the outbox keeps since start, exposed as counters (they only grow; Prometheus handles restarts).
  const counter = (name: string, help: string, read: (s: DurableDispatchStats) => number): void => {
    let seen = 0;
    new Counter({
      name,
      help,
      registers,
      collect() {
        const now = read(stats());
        if (now > seen) this.inc(now - seen);
        seen = Math.max(seen, now);
      },
    });
  };
  gauge('hubsoft_bridge_outbox_pending_records', 'HubSoft requests journaled and not yet accepted', (s) => s.outbox?.pending ?? 0);
  gauge('hubsoft_bridge_outbox_pending_bytes', 'Bytes of the pending journal records', (s) => s.outbox?.pendingBytes ?? 0);
  gauge('hubsoft_bridge_outbox_backlog_records', 'Requests waiting for a dispatcher slot (live and backlog lanes)', (s) => s.backlog);
  gauge('hubsoft_bridge_outbox_backlog_lane_records', 'Replayed or requeued requests waiting behind live calls', (s) => s.backlogLane);
  counter('hubsoft_bridge_outbox_expired_records_total', 'Records dropped undelivered at their maximum age', (s) => s.outbox?.expired ?? 0);
  counter('hubsoft_bridge_outbox_refused_records_total', 'Requests the outbox could not journal (full, too large)', (s) =>
    (s.outbox?.refusedNotify ?? 0) + (s.outbox?.refusedCancel ?? 0),
  );
  new Gauge({
    name: 'hubsoft_bridge_outbox_durable',
    help: '1 while requests are journaled, 0 while the bridge runs without durability (state dir not writable)',
    registers,
    collect() {
      this.set(durable() ? 1 : 0);
    },
  });
  const refused = new Counter({ name: 'hubsoft_bridge_pbx_refused_total', help: 'Requests HubSoft refused for good (a refusal naming fields), by route', labelNames: ['route'] as const, registers });
  const unavailable = new Counter({ name: 'hubsoft_bridge_outbox_unavailable_total', help: 'Failed attempts to open the outbox journal (the bridge ran without durability)', registers });
  return {
    countRefused: (route) => refused.inc({ route }),
    countJournalUnavailable: () => unavailable.inc(),
  };
}
