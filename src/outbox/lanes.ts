/**
 * The priority lanes, in one place. Live: requests for calls in progress, leaving as soon as a
 * concurrency slot is free. Backlog: records replayed from the journal after a restart, and requests
 * given up at the retry deadline and queued again; they drain in the free capacity, never holding more
 * than `backlogInFlight` dispatcher slots, so a live request always finds one.
 *
 * Order per key holds across lanes: a live request whose key has backlog records waiting promotes them
 * to the live lane ahead of itself (DurableDispatch), and inside the dispatcher a key's requests run one
 * after another whatever their lane (a live cancel never overtakes its notify).
 */
export type Lane = 'live' | 'backlog';

/** p-queue priorities: higher runs first. */
export const LANE_PRIORITY: Readonly<Record<Lane, number>> = { live: 1, backlog: 0 };

/** The backlog never holds more dispatcher slots than this; at least one slot stays free for live requests. */
export function backlogInFlight(concurrency: number, configured?: number): number {
  const fair = Math.max(1, concurrency - 1);
  return Math.max(1, Math.min(configured ?? fair, fair));
}
