import { AmiConnection } from '../ami/connection.js';
import { fastSessionFactory, NOISE_EVENTS } from '../ami/fast-session.js';
import { Bridge } from '../bridge/bridge.js';
import type { CrmPort, RingNotice } from '../bridge/crm-port.js';
import { HubsoftCrm } from '../bridge/hubsoft-crm.js';
import { NoCrm } from '../bridge/no-crm.js';
import { OpenRingsFile } from '../bridge/open-rings.js';
import type { PathJob } from '../bridge/call-path.js';
import type { StopReason } from '../calls/types.js';
import { Delivery } from '../outbox/delivery.js';
import type { Dispatcher, JobOutcome } from '../outbox/dispatcher.js';
import type { DurableDispatch } from '../outbox/durable-dispatch.js';
import type { TrackerOutput } from '../calls/types.js';
import type { Config } from '../config/schema.js';
import { BridgeError, isBridgeError } from '../errors.js';
import { createHubsoftClient, type HubsoftClient } from '../hubsoft/client.js';
import { CustomerLookup } from '../hubsoft/customers.js';
import { CallerContextSource } from '../hubsoft/caller-context.js';
import type { CallerContext } from '../hubsoft/caller-context.js';
import { PbxApi } from '../hubsoft/pbx.js';
import { createGsanClient } from '../gsan/gsan-client.js';
import { createIvrAlerts, type IvrAlerts } from '../ivr/ivr-alerts.js';
import { registerSelfService, type SelfService } from '../ivr/self-service/register.js';
import type { Logger } from '../log/logger.js';
import type { LookupResult, PbxCallBody } from '../hubsoft/types.js';
import { startHealthServer, type ComponentHealth, type HealthReport } from '../ops/health-server.js';
import { healthTrackedApi, type HubsoftHealth } from '../ops/hubsoft-health.js';
import { createMetrics, hubsoftRoute, type BridgeMetrics } from '../ops/metrics.js';
import { liveView, planReload, withLiveSettings, type ReloadPlan } from '../ops/reload.js';
import { setLogLevel } from '../log/logger.js';
import { isLoopbackHost } from '../util/addresses.js';

export interface DaemonOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Every PBX request HubSoft accepted for a ring of this run (demo output). */
  readonly onSent?: (route: 'notificar' | 'cancelar', body: PbxCallBody, ring: RingNotice, reason?: StopReason) => void;
  readonly onOutput?: (output: TrackerOutput) => void;
  /** Alert variables pushed for an inbound call (demo output). */
  readonly onAlertsPushed?: (channel: string, status: string) => void;
  /** Reads the config again (the same file), for SIGHUP; without it SIGHUP only says it cannot reload. */
  readonly reloadConfig?: () => Config;
}

/** The composition root: every part of the bridge built from the frozen config, nothing started. */
export class Daemon {
  readonly metrics: BridgeMetrics;
  readonly hubsoft: HubsoftClient;
  readonly customers: CustomerLookup;
  /** Open tickets, work orders, overdue invoices of an identified caller (null when context.enabled is false). */
  readonly callerContext: CallerContextSource | null;
  readonly ami: AmiConnection;
  /** Dispatcher, journal and lanes: everything the CRM adapter prepared leaves through here. */
  readonly delivery: Delivery;
  readonly dispatcher: Dispatcher;
  readonly durable: DurableDispatch;
  readonly bridge: Bridge;
  readonly ivr: IvrAlerts;
  /** The self-service IVR commands on the FastAGI server (null when agi or selfService is off). */
  readonly selfService: SelfService | null;
  private refreshTimer: ReturnType<typeof setInterval> | undefined;
  private openRings: OpenRingsFile | undefined;
  private health: { host: string; port: number; stop(): Promise<void> } | undefined;
  private readonly hubsoftHealth: HubsoftHealth = { up: true, detail: 'no request yet', at: 0 };
  private tokenRequestsSeen = 0;
  private lookupSeen = { hits: 0, misses: 0 };
  /** The start-up config with the live settings of the last SIGHUP applied. */
  private running: Config;

  constructor(private readonly options: DaemonOptions) {
    const { logger } = options;
    this.running = options.config;
    // The ring path reads the extension map through this view: a reload applies from the next ring on.
    const config = liveView(options.config, () => this.running);
    this.metrics = createMetrics();
    this.hubsoft = createHubsoftClient(config.hubsoft, {
      logger: logger.child({ component: 'hubsoft' }),
      observe: (request, status, seconds) => this.metrics.observeHubsoftRequest(hubsoftRoute(request.path), status, seconds),
    });
    const api = healthTrackedApi(this.hubsoft, this.hubsoftHealth);
    this.customers = new CustomerLookup({
      client: api,
      config: config.lookup,
      logger: logger.child({ component: 'lookup' }),
      onSearch: (outcome, requests, seconds) => this.metrics.observeLookup(outcome, requests, seconds),
    });
    this.callerContext =
      config.context.enabled && config.crm !== 'none' ? new CallerContextSource({ api, config: config.context, logger: logger.child({ component: 'context' }) }) : null;
    const contextFor = this.callerContext ? this.callerContext.forCaller.bind(this.callerContext) : undefined;
    // Noise events the bridge never reads (VarSet, Newexten, RTCP...: most of a real stream) are dropped by name before parsing.
    this.ami = new AmiConnection({ config: config.ami, logger, createSession: fastSessionFactory({ skipEvents: NOISE_EVENTS, warn: (details, message) => logger.warn(details, message) }) });
    const pbx = new PbxApi(api);
    const crm: CrmPort =
      config.crm === 'none'
        ? new NoCrm()
        : new HubsoftCrm({ lookup: this.customers, pbx, config, logger, protocolFor: (linkedid) => this.selfService?.protocolFor(linkedid) ?? null, historyFor: (linkedid) => this.selfService?.historyFor(linkedid) ?? [], atendimento: this.hubsoft });
    this.delivery = new Delivery({
      config,
      logger,
      sender: crm,
      registry: this.metrics.registry,
      onResult: (route, outcome) => this.countResult(route, outcome),
      onSent: (request, origin) => {
        const job = origin as PathJob | null;
        if (job?.ring) options.onSent?.(request.route as 'notificar' | 'cancelar', request.body as PbxCallBody, job.ring, job.reason);
      },
    });
    this.dispatcher = this.delivery.dispatcher;
    this.durable = this.delivery.durable;
    this.ivr = createIvrAlerts({
      alerts: config.alerts,
      agi: config.agi,
      lookup: (callerId) => this.customers.lookup(callerId),
      context: contextFor,
      logger: logger.child({ component: 'ivr' }),
      onAgiRefused: (reason) => this.metrics.countAgiRefusal(reason),
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
            stateDir: options.config.state.dir,
            fsync: options.config.state.outbox.fsync,
            // The ticket edit after the call: a must-deliver request of its own key, through the same journal.
            onCallEnd: (ticket) => {
              const request = crm.prepareTicketEdit?.(ticket) ?? null;
              if (request) this.durable.submit(request, { createdAt: Date.now() });
              return request !== null;
            },
          })
        : null;
    this.bridge = new Bridge({
      config,
      logger: logger.child({ component: 'calls' }),
      ami: this.ami,
      crm,
      queue: this.durable,
      onEntered: config.alerts.enabled ? (call, lookup, context) => void this.pushAlerts(call.callerChannel, lookup, context) : undefined,
      contextFor,
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

  /** SIGHUP: applies the live settings of `next` (see ops/reload.ts) and says which changes wait for a restart. */
  reload(next: Config): ReloadPlan {
    const plan = planReload(this.running, next);
    for (const setting of plan.apply) {
      if (setting === 'log.level') setLogLevel(this.options.logger, next.log.level);
      if (setting === 'alerts.sounds') this.ivr.preparer.useSoundRules(next.alerts.sounds);
      if (setting === 'notify.intervalMs' || setting === 'notify.intervalCap') this.dispatcher.setRateLimit(next.notify.intervalMs, next.notify.intervalCap);
    }
    this.running = withLiveSettings(this.running, next);
    return plan;
  }

  /** Where /healthz and /metrics listen, once started (null when health.enabled is false). */
  healthPort(): number | null {
    return this.health?.port ?? null;
  }

  /** The bound addresses of the two listeners, once started (null when off). */
  listenAddresses(): { agi: { host: string; port: number } | null; health: { host: string; port: number } | null } {
    return { agi: this.ivr.agiServer?.address() ?? null, health: this.health ? { host: this.health.host, port: this.health.port } : null };
  }

  async start(): Promise<void> {
    // Records left by the last run are queued in the backlog lane, behind every new call.
    await this.delivery.start();
    const { state, calls } = this.options.config;
    const openRings = await OpenRingsFile.open(state.dir, { fsync: state.outbox.fsync, logger: this.options.logger.child({ component: 'calls' }), maxAgeMs: calls.idleCallTimeoutMs });
    this.openRings = openRings.file;
    this.bridge.useOpenRings(openRings.file, openRings.previous);
    try {
      // Listeners first: a port already taken fails the start before any call is followed.
      const { health, agi } = this.options.config;
      await listening('agi', agi, this.ivr.agiServer?.start());
      if (health.enabled) {
        this.health = await listening('health', health, startHealthServer({ host: health.host, port: health.port, healthSource: () => this.healthReport(), registry: this.metrics.registry, ...(health.token ? { token: health.token } : {}) }));
        if (!health.token && !isLoopbackHost(health.host)) {
          this.options.logger.warn({ host: health.host }, 'health.host is reachable from other hosts and health.token is not set: anyone who reaches it reads /healthz and /metrics');
        }
      }
    } catch (error) {
      await Promise.allSettled([this.ivr.agiServer?.stop(), this.delivery.abort()]);
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
    // Rings that stopped just before still wait (at most the lookup budget) to queue their cancel: let them.
    const waitUntil = Date.now() + this.options.config.lookup.budgetMs;
    while (this.bridge.callPath.stats().waitingForLookup > 0 && Date.now() < waitUntil) await new Promise((resolve) => setTimeout(resolve, 10));
    const drained = await this.delivery.stop(deadlineMs);
    await this.openRings?.flush();
    await Promise.allSettled([this.ami.stop(), this.ivr.agiServer?.stop(), this.health?.stop()]);
    await this.selfService?.flush();
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
    const ami = {
      up: amiState === 'logged-in',
      code: amiState === 'logged-in' ? 'logged-in' : (lastError && isBridgeError(lastError) ? lastError.code : amiState),
      detail: amiState === 'logged-in' ? 'logged in' : `${amiState}${lastError ? `: ${lastError.message}` : ''}`,
    };
    const delivery = deliveryHealth(this.delivery.health());
    if (this.options.config.crm === 'none') return { ami, hubsoft: { up: true, code: 'crm-none', detail: 'crm: none (dry run)' }, delivery };
    if (!this.hubsoftHealth.up) return { ami, hubsoft: { up: false, code: this.hubsoftHealth.code || 'HUBSOFT_FAILING', detail: this.hubsoftHealth.detail }, delivery };
    try {
      await this.hubsoft.auth.authorization();
      return { ami, hubsoft: { up: true, detail: this.hubsoftHealth.detail }, delivery };
    } catch (error) {
      return { ami, hubsoft: { up: false, code: isBridgeError(error) ? error.code : 'HUBSOFT_FAILING', detail: error instanceof Error ? error.message : String(error) }, delivery };
    }
  }

  /** Runs detached from the AMI event loop: never rejects. */
  private async pushAlerts(channel: string, lookup: Promise<LookupResult>, context: Promise<CallerContext | null>): Promise<void> {
    if (!channel) return;
    try {
      const result = await lookup;
      // Resolves within lookup.budgetMs of the call's entry (call-path.ts): never holds the push longer.
      const callerContext = await context.catch(() => null);
      await this.ivr.pushFor(this.ami, channel, result, { context: callerContext });
      this.options.onAlertsPushed?.(channel, result.status);
    } catch (error) {
      this.options.logger.warn({ err: error, channel }, 'alert variables not pushed');
    }
  }

  private countResult(route: string, outcome: JobOutcome): void {
    this.metrics.countNotification(route, outcome);
    if (outcome.startsWith('dropped-')) this.metrics.countDrop(outcome.slice('dropped-'.length));
  }
}

/** A taken port names its config key and the two ways out, instead of Node's bare EADDRINUSE. */
async function listening<T>(section: 'agi' | 'health', where: { host: string; port: number }, start: Promise<T> | undefined): Promise<T | undefined> {
  try {
    return await start;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    const what = section === 'agi' ? 'FastAGI (alert variables and the self-service IVR)' : '/healthz and /metrics';
    throw new BridgeError(
      'PORT_IN_USE',
      `${section}.port ${where.port} on ${where.host} is already in use (another hubsoft-pbx-bridge running?): set ${section}.port to a free port, or ${section}.enabled: false to turn ${what} off`,
      { key: `${section}.port`, port: where.port },
      { cause: error },
    );
  }
}

/** /healthz shows codes only (the detail can quote HubSoft): name the two ways delivery degrades. */
function deliveryHealth(health: { up: boolean; detail: string }): ComponentHealth {
  if (health.up) return health;
  return { ...health, code: /durability/.test(health.detail) ? 'DELIVERY_NOT_DURABLE' : 'HUBSOFT_REFUSED_FOR_GOOD' };
}
