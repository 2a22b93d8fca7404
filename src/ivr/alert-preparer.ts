import type { AlertsConfig } from '../config/schema.js';
import type { LookupResult } from '../hubsoft/types.js';
import type { Logger } from '../log/logger.js';
import { alertTexts, buildAlertVariables, DEFAULT_MAX_ALERTS, type AlertVariable } from './alert-variables.js';
import { compileSoundRules } from './sound-rules.js';
import { contextVariables } from './context-variables.js';
import type { CallerContext } from '../hubsoft/caller-context.js';
import type { Tts } from './tts.js';
import { withinDeadline } from '../util/deadline.js';

export interface AlertPreparerOptions {
  readonly alerts: AlertsConfig;
  /** Spoken alerts for texts no rule matches; null or omitted = none. */
  readonly tts?: Tts | null;
  readonly logger?: Logger;
  readonly maxAlerts?: number;
}

export interface PrepareOptions {
  /** Sounds not ready after this long are left out (a TTS run goes on and is cached for the next caller). */
  readonly soundDeadlineMs?: number;
  /** The caller's context (caller-context.ts), when the bridge has one in time: its variables go before HUBSOFT_LOOKUP. */
  readonly context?: CallerContext | null;
}

/** Lookup result -> the ordered channel variables, sounds included. */
export interface AlertPreparer {
  variablesFor(result: LookupResult, options?: PrepareOptions): Promise<AlertVariable[]>;
  /** SIGHUP: the alerts.sounds rules of the reloaded config, from the next call on. */
  useSoundRules(sounds: AlertsConfig['sounds']): void;
}

/** Rule sounds are instant; TTS only runs for texts no rule matches, all texts at once. */
export function createAlertPreparer(options: AlertPreparerOptions): AlertPreparer {
  const { alerts, logger } = options;
  let rules = compileSoundRules(alerts.sounds);
  const tts = alerts.tts.enabled ? (options.tts ?? null) : null;
  const maxAlerts = options.maxAlerts ?? DEFAULT_MAX_ALERTS;

  return {
    async variablesFor(result, prepare = {}) {
      const texts = alertTexts(result, alerts, maxAlerts);
      const sounds = await Promise.all(
        texts.map((text) => {
          const ruled = rules.soundFor(text);
          if (ruled !== null || tts === null) return Promise.resolve(ruled);
          return withDeadline(tts.soundFor(text), prepare.soundDeadlineMs);
        }),
      );
      const missing = sounds.filter((s) => s === null).length;
      if (missing > 0 && texts.length > 0) logger?.debug({ missing, total: texts.length }, 'alerts without a sound');
      const context = contextVariables(prepare.context, alerts.variablePrefix, alerts.maxValueBytes);
      return buildAlertVariables(result, alerts, { sounds, maxAlerts, context });
    },
    useSoundRules(next) {
      rules = compileSoundRules(next);
    },
  };
}

async function withDeadline(sound: Promise<string | null>, ms: number | undefined): Promise<string | null> {
  if (ms === undefined) return sound;
  const timed = await withinDeadline(sound, ms);
  return timed.kind === 'done' ? timed.value : null;
}
