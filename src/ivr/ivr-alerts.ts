import type { AmiActions } from '../ami/types.js';
import type { AgiConfig, AlertsConfig } from '../config/schema.js';
import type { LookupResult } from '../hubsoft/types.js';
import type { Logger } from '../log/logger.js';
import { createAlertPreparer, type AlertPreparer } from './alert-preparer.js';
import { FastAgiServer, type AgiRefusal } from './fastagi-server.js';
import { createHubsoftLookupScript, HUBSOFT_LOOKUP_SCRIPT, type CallerContextFor, type CallerLookup } from './hubsoft-lookup-script.js';
import type { CallerContext } from '../hubsoft/caller-context.js';
import { pushAlertVariables, type PushResult } from './setvar.js';
import { createTts, type Tts } from './tts.js';

export interface IvrAlertsOptions {
  readonly alerts: AlertsConfig;
  readonly agi: AgiConfig;
  /** The bridge's cached caller lookup (the same one the ring path uses). */
  readonly lookup: CallerLookup;
  readonly logger: Logger;
  /** Counts a FastAGI connection closed without running a script (the metric). */
  readonly onAgiRefused?: (reason: AgiRefusal) => void;
  /** The caller context for hubsoft-lookup (resolves within the deadline it is given); absent: none. */
  readonly context?: CallerContextFor;
  /** Overrides the espeak-ng/sox TTS built from alerts.tts (tests). */
  readonly tts?: Tts | null;
}

/** What the daemon wires: the AMI push for each inbound call, and the FastAGI server. */
export interface IvrAlerts {
  readonly preparer: AlertPreparer;
  /** The spoken-alert engine (null when alerts.tts is off), shared with the self-service prompts. */
  readonly tts: Tts | null;
  /** Null when agi.enabled is false. Not started: call start()/stop() with the daemon. */
  readonly agiServer: FastAgiServer | null;
  /** Builds the variables for `result` and pushes them to `channel`; never rejects. */
  pushFor(ami: AmiActions, channel: string, result: LookupResult, options?: { totalTimeoutMs?: number; context?: CallerContext | null }): Promise<PushResult>;
}

export function createIvrAlerts(options: IvrAlertsOptions): IvrAlerts {
  const { alerts, agi, logger } = options;
  const tts = options.tts !== undefined ? options.tts : alerts.tts.enabled ? createTts({ settings: alerts.tts, logger }) : null;
  const preparer = createAlertPreparer({ alerts, tts, logger });

  const agiServer = agi.enabled
    ? new FastAgiServer({
        host: agi.host,
        port: agi.port,
        environmentTimeoutMs: agi.environmentTimeoutMs,
        maxConnections: agi.maxSessions,
        allowFrom: agi.allowFrom,
        ...(options.onAgiRefused ? { onRefused: options.onAgiRefused } : {}),
        logger,
        scripts: {
          [HUBSOFT_LOOKUP_SCRIPT]: createHubsoftLookupScript({
            lookup: options.lookup,
            ...(options.context ? { context: options.context } : {}),
            preparer,
            deadlineMs: agi.deadlineMs,
            maxValueBytes: alerts.maxValueBytes,
            logger,
          }),
        },
      })
    : null;

  return {
    preparer,
    tts,
    agiServer,
    async pushFor(ami, channel, result, pushOptions = {}) {
      const totalTimeoutMs = pushOptions.totalTimeoutMs ?? 3000;
      try {
        // Sounds get half the budget at most: a TTS run goes on and is cached for the next caller.
        const vars = await preparer.variablesFor(result, { soundDeadlineMs: Math.floor(totalTimeoutMs / 2), context: pushOptions.context ?? null });
        return await pushAlertVariables(ami, channel, vars, {
          logger,
          totalTimeoutMs: Math.ceil(totalTimeoutMs / 2),
          maxValueBytes: alerts.maxValueBytes,
        });
      } catch (err) {
        logger.warn({ err, channel }, 'alert variables not pushed');
        return { set: 0, failed: 0, stopped: 'link-error' };
      }
    },
  };
}
