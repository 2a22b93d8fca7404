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
  gauge('hubsoft_bridge_outbox_pending', 'HubSoft requests journaled and not yet accepted', (s) => s.outbox?.pending ?? 0);
  gauge('hubsoft_bridge_outbox_pending_bytes', 'Bytes of the pending journal records', (s) => s.outbox?.pendingBytes ?? 0);
  gauge('hubsoft_bridge_outbox_backlog', 'Requests waiting for a dispatcher slot (live and backlog lanes)', (s) => s.backlog);
  gauge('hubsoft_bridge_outbox_backlog_lane', 'Replayed or requeued requests waiting behind live calls', (s) => s.backlogLane);
  gauge('hubsoft_bridge_outbox_expired_records', 'Records dropped undelivered at their maximum age since start', (s) => s.outbox?.expired ?? 0);
  gauge('hubsoft_bridge_outbox_refused_records', 'Requests the outbox could not journal (full, too large) since start', (s) =>
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
