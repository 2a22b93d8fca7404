import { AmiConnection } from '../ami/connection.js';
import { Bridge } from '../bridge/bridge.js';
import { Dispatcher, type JobOutcome } from '../bridge/dispatcher.js';
import { HubsoftCrm, type HubsoftCrmDeps } from '../bridge/hubsoft-crm.js';
import type { TrackerOutput } from '../calls/types.js';
import type { Config } from '../config/schema.js';
import { createHubsoftClient, type HubsoftClient } from '../hubsoft/client.js';
import { CustomerLookup } from '../hubsoft/customers.js';
import { PbxApi } from '../hubsoft/pbx.js';
import { createIvrAlerts, type IvrAlerts } from '../ivr/ivr-alerts.js';
import type { Logger } from '../log/logger.js';
import { createMetrics, type BridgeMetrics } from '../ops/metrics.js';

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
  readonly bridge: Bridge;
  readonly ivr: IvrAlerts;
  private refreshTimer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: DaemonOptions) {
    const { config, logger } = options;
    this.metrics = createMetrics();
    this.hubsoft = createHubsoftClient(config.hubsoft, { logger: logger.child({ component: 'hubsoft' }) });
    this.customers = new CustomerLookup({ client: this.hubsoft, config: config.lookup, logger: logger.child({ component: 'lookup' }) });
    this.ami = new AmiConnection({ config: config.ami, logger });
    this.dispatcher = new Dispatcher({
      config: config.notify,
      logger: logger.child({ component: 'dispatcher' }),
      clock: Date.now,
      onResult: (job, outcome) => this.countResult(job.kind, outcome),
    });
    const crm = new HubsoftCrm({
      lookup: this.customers,
      pbx: new PbxApi(this.hubsoft),
      config,
      logger,
      onSent: options.onSent,
    });
    this.ivr = createIvrAlerts({
      alerts: config.alerts,
      agi: config.agi,
      lookup: (callerId) => this.customers.lookup(callerId),
      logger: logger.child({ component: 'ivr' }),
    });
    this.bridge = new Bridge({
      config,
      logger: logger.child({ component: 'calls' }),
      ami: this.ami,
      crm,
      queue: this.dispatcher,
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

  async start(): Promise<void> {
    this.bridge.start();
    this.ami.start();
    await this.ivr.agiServer?.start();
    this.refreshTimer = setInterval(() => this.refreshGauges(), 5000);
    this.refreshTimer.unref();
  }

  /** Stops taking events, flushes the queue up to the deadline, closes everything. */
  async stop(deadlineMs = this.options.config.notify.shutdownFlushMs): Promise<{ left: number }> {
    this.bridge.stop();
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    const drained = await this.dispatcher.drain(deadlineMs);
    await Promise.allSettled([this.ami.stop(), this.ivr.agiServer?.stop()]);
    return drained;
  }

  refreshGauges(): void {
    const lookup = this.customers.stats();
    this.metrics.callsLive.set(this.bridge.tracker.stats().liveCalls);
    this.metrics.dispatcherQueueSize.set(this.dispatcher.size());
    this.metrics.lookupCacheSize.set(lookup.size);
  }

  private async pushAlerts(channel: string, lookup: Promise<import('../hubsoft/types.js').LookupResult>): Promise<void> {
    if (!channel) return;
    const result = await lookup;
    await this.ivr.pushFor(this.ami, channel, result);
    this.options.onAlertsPushed?.(channel, result.status);
  }

  private countResult(kind: 'notify' | 'cancel', outcome: JobOutcome): void {
    this.metrics.hubsoftNotifications.inc({ route: kind === 'notify' ? 'notificar' : 'cancelar', result: outcome });
    if (outcome.startsWith('dropped-')) this.metrics.dispatcherDropped.inc({ reason: outcome.slice('dropped-'.length) });
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
