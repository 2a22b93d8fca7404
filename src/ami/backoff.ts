/** Reconnect delays: capped exponential backoff with jitter, never below initialMs (no hot loop). */
export interface ReconnectPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
}

/**
 * Delay before reconnect attempt `failures` (0 = first retry after a drop): between 75% and
 * 125% of min(maxMs, initialMs * 2^failures), clamped to [initialMs, maxMs].
 */
export function reconnectDelay(failures: number, policy: ReconnectPolicy, random: () => number): number {
  const initial = Math.max(1, policy.initialMs);
  const max = Math.max(initial, policy.maxMs);
  const exponent = Math.min(Math.max(0, Math.floor(failures)), 40);
  const base = Math.min(max, initial * 2 ** exponent);
  const draw = Math.min(1, Math.max(0, Number(random()) || 0));
  const jittered = base * (0.75 + 0.5 * draw);
  return Math.round(Math.min(max, Math.max(initial, jittered)));
}
