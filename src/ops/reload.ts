import type { Config } from '../config/schema.js';

/** Settings a running daemon takes on SIGHUP; every other change waits for a restart. */
export const LIVE_SETTINGS = ['log.level', 'extensions', 'alerts.sounds', 'notify.intervalMs', 'notify.intervalCap'] as const;
export type LiveSetting = (typeof LIVE_SETTINGS)[number];

export interface ReloadPlan {
  /** Live settings whose value changed: applied now. */
  readonly apply: readonly LiveSetting[];
  /** Key paths that changed but only take effect after a restart (values never listed: they may be secrets). */
  readonly restart: readonly string[];
}

/** Compares the running config with the one just read, key path by key path. */
export function planReload(running: Config, next: Config): ReloadPlan {
  const apply = new Set<LiveSetting>();
  const restart = new Set<string>();
  for (const path of changedPaths(running, next, '')) {
    const live = LIVE_SETTINGS.find((setting) => path === setting || path.startsWith(`${setting}.`));
    if (live) apply.add(live);
    else restart.add(path);
  }
  return { apply: [...apply], restart: [...restart] };
}

/** The running config once the live settings of `next` are applied (what the next SIGHUP compares with). */
export function withLiveSettings(running: Config, next: Config): Config {
  return {
    ...running,
    log: { ...running.log, level: next.log.level },
    extensions: next.extensions,
    alerts: { ...running.alerts, sounds: next.alerts.sounds },
    notify: { ...running.notify, intervalMs: next.notify.intervalMs, intervalCap: next.notify.intervalCap },
  };
}

function changedPaths(a: unknown, b: unknown, prefix: string): string[] {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((key) => changedPaths(a[key], b[key], prefix ? `${prefix}.${key}` : key));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * `config` with `extensions` read from `current()` at each use: what the ring path gets, so a reloaded
 * extension map applies from the next ring on. Everything else stays the start-up value.
 */
export function liveView(config: Config, current: () => Config): Config {
  const view = { ...config };
  Object.defineProperty(view, 'extensions', { get: () => current().extensions, enumerable: true });
  return Object.freeze(view);
}
