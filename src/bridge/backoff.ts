export interface BackoffPolicy {
  /** Delay before the first retry. */
  readonly initialMs: number;
  /** No delay is ever longer than this. */
  readonly maxMs: number;
}

/**
 * Capped exponential backoff with jitter: retry n (0-based) waits between half and all of
 * min(maxMs, initialMs * 2^n). Keeping the lower half avoids hot loops (full jitter can draw ~0 ms)
 * while still spreading a burst of failing requests apart.
 */
export function backoffDelay(retry: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const initial = Math.max(0, policy.initialMs);
  const max = Math.max(initial, policy.maxMs);
  const exponent = Math.min(Math.max(0, Math.floor(retry)), 52);
  const capped = Math.min(max, initial * 2 ** exponent);
  const draw = Math.min(1, Math.max(0, random()));
  return Math.round(capped / 2 + (capped / 2) * draw);
}
