import { realTimers, type Timers } from './timers.js';

export type Timed<T> = { readonly kind: 'done'; readonly value: T } | { readonly kind: 'failed'; readonly error: unknown } | { readonly kind: 'late' };

/**
 * Waits for `work` at most `ms`. Never rejects, and clears its timer. Late work goes on in the
 * background (HubSoft cannot be told to stop); the caller decides what a late or failed outcome means.
 */
export async function withinDeadline<T>(work: Promise<T>, ms: number, timers: Timers = realTimers): Promise<Timed<T>> {
  let handle: unknown;
  const late = new Promise<Timed<T>>((resolve) => {
    handle = timers.setTimeout(() => resolve({ kind: 'late' }), Math.max(0, ms));
  });
  const settled = work.then(
    (value): Timed<T> => ({ kind: 'done', value }),
    (error: unknown): Timed<T> => ({ kind: 'failed', error }),
  );
  try {
    return await Promise.race([settled, late]);
  } finally {
    timers.clearTimeout(handle);
  }
}
