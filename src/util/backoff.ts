/** Capped exponential backoff with jitter: the one policy behind AMI reconnects and HubSoft retries. */
export interface BackoffPolicy {
  /** The first step (attempt 0). */
  readonly initialMs: number;
  /** No step grows past this. */
  readonly maxMs: number;
  /**
   * The delay is drawn between these fractions of the step (default half to all of it: a burst of
   * failures spreads apart, and the lower half keeps it from ever being a hot loop).
   */
  readonly jitter?: readonly [low: number, high: number];
  /** Never wait less than this (e.g. initialMs for reconnects), nor more than maxMs. */
  readonly floorMs?: number;
}

/** Delay before retry `attempt` (0-based): min(maxMs, initialMs * 2^attempt), jittered, clamped. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const initial = Math.max(0, policy.initialMs);
  const max = Math.max(initial, policy.maxMs);
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 52);
  const step = Math.min(max, initial * 2 ** exponent);
  const [low, high] = policy.jitter ?? [0.5, 1];
  const draw = Math.min(1, Math.max(0, Number(random()) || 0));
  const floor = Math.min(max, Math.max(0, policy.floorMs ?? 0));
  return Math.round(Math.min(max, Math.max(floor, step * (low + (high - low) * draw))));
}
