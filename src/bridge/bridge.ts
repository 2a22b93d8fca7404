import type { AmiConnection, AmiLoginInfo } from '../ami/connection.js';
import type { AmiEvent } from '../ami/types.js';
import { CallTracker } from '../calls/tracker.js';
import type { TrackerOutput } from '../calls/types.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { CallPath, type CallPathOptions, type JobQueue } from './call-path.js';
import type { CrmPort } from './crm-port.js';
import { resolveTarget } from './extension-map.js';
import type { OpenRingRecord, OpenRingsFile } from './open-rings.js';
import { planRecovery } from './ring-recovery.js';

/** Boot times (now - Uptime) closer than this are the same Asterisk run. */
const RESTART_TOLERANCE_MS = 5000;

/** What the bridge needs from the AMI link. */
export type AmiLink = Pick<AmiConnection, 'on' | 'off' | 'sendList'>;

export interface BridgeOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly ami: AmiLink;
  readonly crm: CrmPort;
  readonly queue: JobQueue;
  readonly onEntered?: CallPathOptions['onEntered'];
  /** The caller's context (open tickets, work orders...) for the notify and the IVR; absent: none. */
  readonly contextFor?: CallPathOptions['contextFor'];
  /** Every tracker output, after the call path took it (metrics, demo). */
  readonly onOutput?: (output: TrackerOutput) => void;
  readonly clock?: () => number;
  readonly timers?: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout };
}

/**
 * The ring -> notify path in one place: AMI events feed the call tracker; its outputs feed the
 * call path (lookup, notificar, cancelar through the ordered queue). Also drives the tracker's
 * grace deadlines and resyncs with Asterisk after a reconnect.
 */
export class Bridge {
  readonly tracker: CallTracker;
  readonly callPath: CallPath;
  private readonly timers: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout };
  private readonly clock: () => number;
  private deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  private deadlineAt: number | null = null;
  private running = false;
  /** When Asterisk started, estimated from FullyBooted's Uptime (clock ms); null before the first. */
  private asteriskBootedAt: number | null = null;
  private ringFile: OpenRingsFile | null = null;
  /** Windows the last run left open, decided after the first login. */
  private toRecover: OpenRingRecord[] = [];

  constructor(private readonly options: BridgeOptions) {
    this.clock = options.clock ?? Date.now;
    this.timers = options.timers ?? { setTimeout, clearTimeout };
    this.tracker = new CallTracker({ config: options.config.calls, clock: this.clock });
    this.callPath = new CallPath({
      crm: options.crm,
      queue: options.queue,
      logger: options.logger,
      lookupBudgetMs: options.config.lookup.budgetMs,
      isExcluded: (extension) => resolveTarget(options.config.extensions, extension) === null,
      onEntered: options.onEntered,
      ...(options.contextFor ? { contextFor: options.contextFor } : {}),
      clock: this.clock,
      timers: this.timers,
      ringLog: {
        opened: (key, ring) => this.ringFile?.opened(key, ring),
        closed: (key) => this.ringFile?.closed(key),
      },
    });
  }

  /** Journals open windows in `file`; `previous` (what the last run left open) is settled after the first login. */
  useOpenRings(file: OpenRingsFile, previous: readonly OpenRingRecord[]): void {
    this.ringFile = file;
    this.toRecover = [...previous];
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.options.ami.on('event', this.onEvent);
    this.options.ami.on('login', this.onLogin);
  }

  /**
   * Stops taking events. For the bridge every call is over now: open rings and rings in their grace are
   * closed, so their cancels are queued (and journaled) before the dispatcher's drain.
   */
  stop(): void {
    if (this.running) {
      const outputs = this.tracker.closeAll();
      if (outputs.length > 0) this.options.logger.info({ closed: outputs.length }, 'stopping: open rings closed');
      this.emit(outputs);
    }
    this.running = false;
    this.options.ami.off('event', this.onEvent);
    this.options.ami.off('login', this.onLogin);
    if (this.deadlineTimer) this.timers.clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    this.deadlineAt = null;
  }

  /** Feeds one event straight in (tests and replays without a socket). */
  readonly onEvent = (event: AmiEvent): void => {
    if (event.event.toLowerCase() === 'fullybooted') this.onFullyBooted(event);
    let outputs: TrackerOutput[];
    try {
      outputs = this.tracker.handle(event);
    } catch (error) {
      this.options.logger.error({ err: error, event: event.event }, 'call tracker failed on an event; event skipped');
      return;
    }
    this.emit(outputs);
  };

  /**
   * Asterisk sends FullyBooted on every login, with its Uptime in seconds. The boot time it implies
   * (now - Uptime) moves forward only when Asterisk restarted; then no channel we track exists any
   * more, so every open ring is closed at once, without waiting for CoreShowChannels (which a
   * booting Asterisk may not answer yet). Comparing boot times, not Uptimes, also catches a restart
   * that happened long before the bridge reconnected. The tolerance absorbs Uptime's whole seconds.
   */
  private onFullyBooted(event: AmiEvent): void {
    const uptimeSeconds = Number(event.uptime);
    if (event.uptime === undefined || !Number.isFinite(uptimeSeconds) || uptimeSeconds < 0) return;
    const bootedAt = this.clock() - uptimeSeconds * 1000;
    const previous = this.asteriskBootedAt;
    this.asteriskBootedAt = previous === null ? bootedAt : Math.max(previous, bootedAt);
    if (previous === null || bootedAt - previous <= RESTART_TOLERANCE_MS) return;
    const outputs = this.tracker.closeAll();
    this.options.logger.warn(
      { uptimeSeconds, closedRings: outputs.filter((o) => o.type === 'stopped').length },
      'Asterisk restarted (FullyBooted with a later boot time): every open ring closed',
    );
    this.asteriskBootedAt = bootedAt;
    this.emit(outputs);
  }

  private readonly onLogin = (info: AmiLoginInfo): void => {
    if (this.toRecover.length > 0) void this.recover();
    if (info.reconnect) void this.resync();
  };

  /**
   * After a restart or a crash: the windows the last run left open. A call Asterisk no longer has gets its
   * cancel now; a call still up is followed again (its ring, if it still rings, stops as any other).
   */
  async recover(): Promise<void> {
    const records = this.toRecover;
    this.toRecover = [];
    try {
      const list = await this.options.ami.sendList({ Action: 'CoreShowChannels' });
      if (list.truncated) throw new Error('CoreShowChannels list truncated');
      const plan = planRecovery(records, list.events);
      const now = this.clock();
      let following = 0;
      for (const { record, channels } of plan.live) {
        if (this.tracker.restore(record.notice, channels)) {
          this.callPath.restore(record.key, record.notice);
          following += 1;
        } else {
          this.callPath.closeRecovered(record.key, record.notice, now);
        }
      }
      for (const record of plan.ended) this.callPath.closeRecovered(record.key, record.notice, now);
      this.options.logger.info({ windows: records.length, closed: records.length - following, following }, 'windows left open by the last run settled');
      this.scheduleAdvance();
    } catch (error) {
      this.toRecover.push(...records);
      this.options.logger.warn({ err: error, windows: records.length }, 'could not ask Asterisk about the windows left open by the last run; trying again at the next login');
    }
  }

  /** Asks Asterisk what is still live and closes the rings that ended while the link was down. */
  async resync(): Promise<void> {
    try {
      // Channels that appear while Asterisk builds its list are not in it: only judge the ones known now.
      const known = this.tracker.channelIds();
      const list = await this.options.ami.sendList({ Action: 'CoreShowChannels' });
      const live = new Set(list.events.filter((e) => e.event.toLowerCase() === 'coreshowchannel').map((e) => e.uniqueid ?? ''));
      if (list.truncated) return;
      const outputs = this.tracker.resync(live, known);
      this.options.logger.info({ liveChannels: live.size, closed: outputs.length }, 'resynced with Asterisk after reconnect');
      this.emit(outputs);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'resync after reconnect failed; open rings close when their calls end or go idle');
    }
  }

  /** Hands outputs to the call path. Never throws: it runs inside socket and timer callbacks. */
  private emit(outputs: readonly TrackerOutput[]): void {
    try {
      if (outputs.length > 0) {
        this.callPath.handle(outputs);
        for (const output of outputs) this.options.onOutput?.(output);
      }
    } catch (error) {
      this.options.logger.error({ err: error }, 'handing tracker outputs to the call path failed');
    }
    this.scheduleAdvance();
  }

  private scheduleAdvance(): void {
    const next = this.tracker.nextDeadline();
    if (next === this.deadlineAt || !this.running) return;
    if (this.deadlineTimer) this.timers.clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    this.deadlineAt = next;
    if (next === null) return;
    this.deadlineTimer = this.timers.setTimeout(() => {
      this.deadlineTimer = undefined;
      this.deadlineAt = null;
      let outputs: TrackerOutput[] = [];
      try {
        outputs = this.tracker.advance();
      } catch (error) {
        this.options.logger.error({ err: error }, 'call tracker failed on a deadline');
      }
      this.emit(outputs);
    }, Math.max(0, next - this.clock()));
    this.deadlineTimer.unref?.();
  }
}
