/**
 * Memory, one process (run with --expose-gc): the tracker and call path (Bridge on a no-op CRM, no
 * socket, simulated clock and timers) fed the non-noise events of a pool of generated calls, replayed
 * with fresh ids each round, so that 1,000,000 distinct calls pass through. RSS and heap after gc()
 * at 1k / 100k / 1M calls, and with 5,000 calls ringing at once. Prints one JSON line.
 */
import { FrameReader, NOISE_EVENTS } from '../../src/ami/frame-reader.js';
import type { AmiEvent } from '../../src/ami/types.js';
import { generateCalls, toWire } from '../support/ami-script.js';
import { eventPathBridge, handLink, type NoopCounts } from './event-path.js';

const TOTAL = Number(process.env.BENCH_MEMORY_CALLS ?? 1_000_000);
const POOL = Number(process.env.BENCH_MEMORY_POOL ?? 2000);
const LIVE = Number(process.env.BENCH_LIVE_CALLS ?? 5000);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

interface Timed {
  readonly at: number;
  readonly event: AmiEvent;
  /** Keys holding Asterisk ids (epoch.seq) to rewrite per round. */
  readonly idKeys: readonly string[];
}

/** The pool's events as our reader delivers them (noise skipped), with their simulated times. */
function pool(calls: number, seed: number, meanGapMs?: number): Timed[] {
  const out: Timed[] = [];
  let at = 0;
  const reader = new FrameReader({
    skipEvents: NOISE_EVENTS,
    onMessage: (m) => {
      if (m.kind !== 'event') return;
      const idKeys = Object.keys(m.message).filter((k) => /^\d{9,}\.\d+$/.test(m.message[k] ?? ''));
      out.push({ at, event: m.message, idKeys });
    },
  });
  for (const frame of generateCalls(calls, seed, { noise: true, meanGapMs })) {
    at = frame.at;
    reader.push(Buffer.from(toWire([frame])));
  }
  return out;
}

/** setTimeout/clearTimeout on the simulated clock; `run(now)` fires what is due. */
function simTimers() {
  let seq = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  let now = 0;
  const timers = {
    setTimeout: ((fn: () => void, ms?: number) => {
      const id = ++seq;
      due.set(id, { at: now + (ms ?? 0), fn });
      return { id, unref() {} };
    }) as unknown as typeof setTimeout,
    clearTimeout: ((handle: { id: number } | undefined) => {
      if (handle) due.delete(handle.id);
    }) as unknown as typeof clearTimeout,
  };
  return {
    timers,
    clock: () => now,
    advance(to: number) {
      now = to;
      for (const [id, entry] of due) {
        if (entry.at > now) continue;
        due.delete(id);
        entry.fn();
      }
    },
    size: () => due.size,
  };
}

function memory(): { rss_mb: number; heap_mb: number } {
  gc();
  gc();
  const m = process.memoryUsage();
  return { rss_mb: Math.round((m.rss / 1048576) * 10) / 10, heap_mb: Math.round((m.heapUsed / 1048576) * 10) / 10 };
}

function rewrite(t: Timed, round: number): AmiEvent {
  if (round === 0 || t.idKeys.length === 0) return t.event;
  // The pool's event as prototype, the ids as own fields: the tracker only reads fields by name.
  const copy = Object.create(t.event) as Record<string, string | undefined>;
  for (const key of t.idKeys) copy[key] = `${round}-${t.event[key]}`;
  return copy as AmiEvent;
}

async function replay(): Promise<Record<string, unknown>> {
  const events = pool(POOL, 11);
  const span = (events.at(-1)?.at ?? 0) + 120_000;
  const sim = simTimers();
  const link = handLink();
  const counts: NoopCounts = { lookups: 0, notifies: 0, cancels: 0 };
  const bridge = eventPathBridge(link, counts, { clock: sim.clock, timers: sim.timers });
  const checkpoints = [1000, 100_000, 1_000_000].filter((c) => c <= TOTAL);
  if (!checkpoints.includes(TOTAL)) checkpoints.push(TOTAL);
  const results: Record<string, unknown> = { baseline: memory() };
  const started = performance.now();
  let calls = 0;
  let fed = 0;
  const callsPerEvent = POOL / events.length;
  for (let round = 0; calls < TOTAL; round++) {
    for (const t of events) {
      sim.advance(round * span + t.at);
      link.feed(rewrite(t, round));
      fed += 1;
      if (fed % 4096 === 0) await new Promise((resolve) => setImmediate(resolve));
      const reached = Math.round(fed * callsPerEvent);
      if (reached > calls) calls = reached;
      if (checkpoints[0] !== undefined && calls >= checkpoints[0]) {
        const at = checkpoints.shift()!;
        await new Promise((resolve) => setImmediate(resolve));
        results[`calls_${at}`] = { ...memory(), ...bridge.tracker.stats(), seconds: Math.round((performance.now() - started) / 100) / 10 };
      }
      if (calls >= TOTAL) break;
    }
  }
  bridge.stop();
  return { ...results, events: fed, ...counts };
}

/** 5,000 calls ringing at once: every call of a pool fed up to its first ring, none ended. */
async function live(): Promise<Record<string, unknown>> {
  const before = memory();
  const events = pool(LIVE, 12, 1);
  const firstRing = new Map<string, number>();
  const keep: AmiEvent[] = [];
  for (const t of events) {
    const id = t.event.linkedid ?? '';
    if (firstRing.has(id)) continue;
    keep.push(t.event);
    if (t.event.event === 'DialBegin' && /^PJSIP\//.test(t.event.destchannel ?? '')) firstRing.set(id, 1);
  }
  events.length = 0;
  const sim = simTimers();
  const link = handLink();
  const counts: NoopCounts = { lookups: 0, notifies: 0, cancels: 0 };
  const bridge = eventPathBridge(link, counts, { clock: sim.clock, timers: sim.timers });
  for (const event of keep) link.feed(event);
  keep.length = 0;
  firstRing.clear();
  await new Promise((resolve) => setImmediate(resolve));
  const after = memory();
  const stats = bridge.tracker.stats();
  bridge.stop();
  return { ...stats, ...after, heap_mb_delta: Math.round((after.heap_mb - before.heap_mb) * 10) / 10, notifies: counts.notifies };
}

async function main(): Promise<void> {
  const liveResult = await live();
  const replayResult = await replay();
  process.stdout.write(`${JSON.stringify({ calls: TOTAL, pool: POOL, live: liveResult, replay: replayResult })}\n`);
}

void main();
