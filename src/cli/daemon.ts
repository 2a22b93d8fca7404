import { join } from 'node:path';
import { Gauge } from 'prom-client';
import { AmiConnection } from '../ami/connection.js';
import { fastSessionFactory, NOISE_EVENTS } from '../ami/fast-session.js';
import { Bridge } from '../bridge/bridge.js';
import { Dispatcher, type JobOutcome } from '../bridge/dispatcher.js';
import { DurableDispatch } from '../bridge/durable-dispatch.js';
import { Outbox } from '../bridge/outbox.js';
import { HubsoftCrm, type HubsoftCrmDeps } from '../bridge/hubsoft-crm.js';
import type { TrackerOutput } from '../calls/types.js';
import type { Config } from '../config/schema.js';
import { createHubsoftClient, type HubsoftClient } from '../hubsoft/client.js';
import { CustomerLookup } from '../hubsoft/customers.js';
import { PbxApi } from '../hubsoft/pbx.js';
import { createGsanClient } from '../gsan/gsan-client.js';
import { createIvrAlerts, type IvrAlerts } from '../ivr/ivr-alerts.js';
import { registerSelfService, type SelfService } from '../ivr/self-service/register.js';
import type { Logger } from '../log/logger.js';
import type { LookupResult } from '../hubsoft/types.js';
import { startHealthServer, type HealthReport } from '../ops/health-server.js';
import { healthTrackedApi, type HubsoftHealth } from '../ops/hubsoft-health.js';
import { createMetrics, hubsoftRoute, type BridgeMetrics } from '../ops/metrics.js';

export interface DaemonOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Every PBX request HubSoft accepted (demo output). */
  readonly onSent?: HubsoftCrmDeps['onSent'];
  readonly onOutput?: (output: TrackerOutput) => void;
  /** Alert variables pushed for an inbound call (demo output). */
  readonly onAlertsPushed?: (channel: string, status: string) => void;
}

/** The composition root: every part of the bridge built from the frozen config, nothing started. */
export class Daemon {
  readonly metrics: BridgeMetrics;
  readonly hubsoft: HubsoftClient;
  readonly customers: CustomerLookup;
  readonly ami: AmiConnection;
  readonly dispatcher: Dispatcher;
  /** Journal + backlog in front of the dispatcher (the outbox opens in start()). */
  readonly durable: DurableDispatch;
  readonly bridge: Bridge;
  readonly ivr: IvrAlerts;
  /** The self-service IVR commands on the FastAGI server (null when agi or selfService is off). */
  readonly selfService: SelfService | null;
  private refreshTimer: ReturnType<typeof setInterval> | undefined;
  private expireTimer: ReturnType<typeof setInterval> | undefined;
  private health: { port: number; stop(): Promise<void> } | undefined;
  private readonly hubsoftHealth: HubsoftHealth = { up: true, detail: 'no request yet', at: 0 };
  private tokenRequestsSeen = 0;
  private lookupSeen = { hits: 0, misses: 0 };

  constructor(private readonly options: DaemonOptions) {
    const { config, logger } = options;
    this.metrics = createMetrics();
    this.hubsoft = createHubsoftClient(config.hubsoft, {
      logger: logger.child({ component: 'hubsoft' }),
      observe: (request, status, seconds) => this.metrics.observeHubsoftRequest(hubsoftRoute(request.path), status, seconds),
    });
    const api = healthTrackedApi(this.hubsoft, this.hubsoftHealth);
    this.customers = new CustomerLookup({ client: api, config: config.lookup, logger: logger.child({ component: 'lookup' }) });
    // Noise events the bridge never reads (VarSet, Newexten, RTCP...: most of a real stream) are dropped by name before parsing.
    this.ami = new AmiConnection({ config: config.ami, logger, createSession: fastSessionFactory({ skipEvents: NOISE_EVENTS, warn: (details, message) => logger.warn(details, message) }) });
    this.dispatcher = new Dispatcher({
      config: config.notify,
      logger: logger.child({ component: 'dispatcher' }),
      clock: Date.now,
      holdDuringOutage: true,
      onResult: (job, outcome, info) => {
        this.countResult(job.kind, outcome);
        this.durable.onResult(job, outcome, info);
      },
    });
    const pbx = new PbxApi(api);
    const crm = new HubsoftCrm({ lookup: this.customers, pbx, config, logger, protocolFor: (linkedid) => this.selfService?.protocolFor(linkedid) ?? null });
    this.durable = new DurableDispatch({
      dispatcher: this.dispatcher,
      sender: {
        bodyFor: (ring) => crm.bodyFor(ring),
        send: async (route, body, signal) => {
          await (route === 'notificar' ? pbx.notify(body, { signal }) : pbx.cancel(body, { signal }));
        },
      },
      logger: logger.child({ component: 'outbox' }),
      maxInMemory: config.state.outbox.maxInMemory,
      maxBacklog: config.notify.maxQueued,
      cancelMaxAgeMs: config.state.outbox.cancelMaxAgeMs,
      notifyMaxAgeMs: config.notify.maxAgeMs,
      onSent: (route, body, ring, reason) => {
        if (ring) options.onSent?.(route, body, ring, reason);
      },
    });
    registerOutboxGauges(this.metrics, () => this.durable.stats());
    this.ivr = createIvrAlerts({
      alerts: config.alerts,
      agi: config.agi,
      lookup: (callerId) => this.customers.lookup(callerId),
      logger: logger.child({ component: 'ivr' }),
    });
    this.selfService =
      this.ivr.agiServer && config.selfService.enabled
        ? registerSelfService(this.ivr.agiServer, {
            config: config.selfService,
            api,
            lookup: (callerId) => this.customers.lookup(callerId),
            gsan: config.gsan ? createGsanClient(config.gsan) : null,
            tts: this.ivr.tts,
            defaultAreaCode: config.lookup.defaultAreaCode,
            variablePrefix: config.alerts.variablePrefix,
            maxValueBytes: config.alerts.maxValueBytes,
            logger: logger.child({ component: 'self-service' }),
          })
        : null;
    this.bridge = new Bridge({
      config,
      logger: logger.child({ component: 'calls' }),
      ami: this.ami,
      crm,
      queue: this.durable,
      onEntered: config.alerts.enabled ? (call, lookup) => void this.pushAlerts(call.callerChannel, lookup) : undefined,
      onOutput: (output) => {
        if (output.type === 'ringing') this.metrics.rings.inc();
        options.onOutput?.(output);
      },
    });
    this.ami.on('event', (event) => this.metrics.countAmiEvent(event.event));
    this.ami.on('state', (state) => this.metrics.amiConnected.set(state === 'logged-in' ? 1 : 0));
    this.ami.on('login', (info) => {
      if (info.reconnect) this.metrics.amiReconnects.inc();
    });
  }

  /** Where /healthz and /metrics listen, once started (null when health.enabled is false). */
  healthPort(): number | null {
    return this.health?.port ?? null;
  }

  async start(): Promise<void> {
    const { state, notify } = this.options.config;
    let outbox: Outbox | null = null;
    if (state.outbox.enabled) {
      outbox = await Outbox.open({
        dir: join(state.dir, 'outbox'),
        logger: this.options.logger.child({ component: 'outbox' }),
        maxAgeMs: { notify: notify.maxAgeMs, cancel: state.outbox.cancelMaxAgeMs },
        maxBytes: Math.round(state.outbox.maxMegabytes * 1024 * 1024),
        fsync: state.outbox.fsync,
      });
      this.expireTimer = setInterval(() => this.durable.expire(), Math.max(1000, state.outbox.expireEveryMs));
      this.expireTimer.unref();
    }
    // Records left by the last run go first, before any new call.
    this.durable.start(outbox);
    try {
      // Listeners first: a port already taken fails the start before any call is followed.
      await this.ivr.agiServer?.start();
      const { health } = this.options.config;
      if (health.enabled) {
        this.health = await startHealthServer({ host: health.host, port: health.port, healthSource: () => this.healthReport(), registry: this.metrics.registry });
      }
    } catch (error) {
      if (this.expireTimer) clearInterval(this.expireTimer);
      await Promise.allSettled([this.ivr.agiServer?.stop(), this.durable.close()]);
      this.hubsoft.close();
      throw error;
    }
    this.bridge.start();
    this.ami.start();
    this.refreshTimer = setInterval(() => this.refreshGauges(), 5000);
    this.refreshTimer.unref();
  }

  /** Stops taking events, flushes the queue up to the deadline, closes everything. */
  async stop(deadlineMs = this.options.config.notify.shutdownFlushMs): Promise<{ left: number }> {
    this.bridge.stop();
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    if (this.expireTimer) clearInterval(this.expireTimer);
    // Rings that stopped just before still wait (at most the lookup budget) to queue their cancel: let them.
    const waitUntil = Date.now() + this.options.config.lookup.budgetMs;
    while (this.bridge.callPath.stats().waitingForLookup > 0 && Date.now() < waitUntil) await new Promise((resolve) => setTimeout(resolve, 10));
    this.durable.stopAdmitting();
    const drained = await this.dispatcher.drain(deadlineMs);
    await Promise.allSettled([this.durable.close(), this.ami.stop(), this.ivr.agiServer?.stop(), this.health?.stop()]);
    this.hubsoft.close();
    return drained;
  }

  refreshGauges(): void {
    const lookup = this.customers.stats();
    this.metrics.callsLive.set(this.bridge.tracker.stats().liveCalls);
    this.metrics.dispatcherQueueSize.set(this.dispatcher.size());
    this.metrics.lookupCacheSize.set(lookup.size);
    this.metrics.lookupCacheHits.inc(lookup.hits - this.lookupSeen.hits);
    this.metrics.lookupCacheMisses.inc(lookup.misses - this.lookupSeen.misses);
    this.lookupSeen = { hits: lookup.hits, misses: lookup.misses };
    const tokens = this.hubsoft.auth.tokenRequests;
    this.metrics.hubsoftTokenRenewals.inc(tokens - this.tokenRequestsSeen);
    this.tokenRequestsSeen = tokens;
  }

  /** /healthz: AMI logged in, and HubSoft's last answer (or a token, when nothing was sent yet). */
  async healthReport(): Promise<HealthReport> {
    this.refreshGauges();
    const amiState = this.ami.state;
    const lastError = this.ami.stats().lastError;
    const ami = { up: amiState === 'logged-in', detail: amiState === 'logged-in' ? 'logged in' : `${amiState}${lastError ? `: ${lastError.message}` : ''}` };
    if (!this.hubsoftHealth.up) return { ami, hubsoft: { up: false, detail: this.hubsoftHealth.detail } };
    try {
      await this.hubsoft.auth.authorization();
      return { ami, hubsoft: { up: true, detail: this.hubsoftHealth.detail } };
    } catch (error) {
      return { ami, hubsoft: { up: false, detail: error instanceof Error ? error.message : String(error) } };
    }
  }

  /** Runs detached from the AMI event loop: never rejects. */
  private async pushAlerts(channel: string, lookup: Promise<LookupResult>): Promise<void> {
    if (!channel) return;
    try {
      const result = await lookup;
      await this.ivr.pushFor(this.ami, channel, result);
      this.options.onAlertsPushed?.(channel, result.status);
    } catch (error) {
      this.options.logger.warn({ err: error, channel }, 'alert variables not pushed');
    }
  }

  private countResult(kind: 'notify' | 'cancel', outcome: JobOutcome): void {
    this.metrics.countNotification(kind === 'notify' ? 'notificar' : 'cancelar', outcome);
    if (outcome.startsWith('dropped-')) this.metrics.countDrop(outcome.slice('dropped-'.length));
  }
}

/** `run`: the daemon until SIGTERM/SIGINT; then stop taking events, flush up to the deadline, exit 0. */
export async function runDaemon(options: DaemonOptions): Promise<number> {
  const daemon = new Daemon(options);
  const { logger, config } = options;
  await daemon.start();
  logger.info({ ami: `${config.ami.host}:${config.ami.port}`, hubsoft: config.hubsoft.url }, 'hubsoft-pbx-bridge running');
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, 'stopping: no new events, flushing HubSoft requests');
  const { left } = await daemon.stop();
  if (left > 0) logger.warn({ left }, 'HubSoft requests left unsent at shutdown');
  else logger.info('stopped cleanly');
  return 0;
}

/** Outbox gauges, read at scrape time. */
function registerOutboxGauges(metrics: BridgeMetrics, stats: () => ReturnType<DurableDispatch['stats']>): void {
  const registers = [metrics.registry];
  const gauge = (name: string, help: string, read: (s: ReturnType<DurableDispatch['stats']>) => number): void => {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read(stats()));
      },
    });
  };
  gauge('hubsoft_outbox_pending', 'HubSoft requests journaled and not yet accepted', (s) => s.outbox?.pending ?? 0);
  gauge('hubsoft_outbox_pending_bytes', 'Bytes of the pending journal records', (s) => s.outbox?.pendingBytes ?? 0);
  gauge('hubsoft_outbox_backlog', 'Requests waiting on disk for a dispatcher slot', (s) => s.backlog);
  gauge('hubsoft_outbox_expired_records', 'Records dropped undelivered at their maximum age since start', (s) => s.outbox?.expired ?? 0);
  gauge('hubsoft_outbox_refused_records', 'Requests the outbox could not journal (full, too large) since start', (s) =>
    (s.outbox?.refusedNotify ?? 0) + (s.outbox?.refusedCancel ?? 0),
  );
}
