/**
 * Ring-to-notify latency, one process: the mini AMI (TCP) and the fake HubSoft (HTTP) in this
 * process, the real Daemon between them. Time runs from the write of the ringing DialBegin on the
 * mini AMI's socket (TCP_NODELAY: the project's fake Asterisk leaves Nagle on, which adds a delayed-ACK
 * wait of ~20-40 ms to a small write that follows another) to the arrival of its notificar at the fake HubSoft (both performance.now()).
 * Warm: the caller was looked up before. Cold: a new caller, HubSoft answers lookups after a fixed
 * delay, and the Newchannel goes out with the DialBegin (no lookup-ahead time).
 * Prints one JSON line.
 */
import { generateCalls, toWire, type Frame } from '../support/ami-script.js';
import { startBenchDaemon, type BenchDaemon, type SessionKind } from './bench-daemon.js';
import { startMiniAmi } from './mini-ami.js';

const session = (process.env.BENCH_SESSION ?? 'fast-skip') as SessionKind;
const SINGLE_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 60);
const STORM_CALLS = Number(process.env.BENCH_STORM_CALLS ?? 500);
const STORM_SECONDS = Number(process.env.BENCH_STORM_SECONDS ?? 5);
const LOOKUP_DELAY_MS = Number(process.env.BENCH_LOOKUP_DELAY_MS ?? 50);
/** BENCH_LATENCY_COLD=0 runs the warm scenarios only (quicker while working on the fast path). */
const COLD = (process.env.BENCH_LATENCY_COLD ?? '1') !== '0';


/** The ringing DialBegin of an extension's device (PJSIP/NNNN-...), keyed ramal/telefone. */
function ringOf(frame: Frame): string | undefined {
  const f = frame.fields;
  if (f.Event !== 'DialBegin') return undefined;
  const ext = /^PJSIP\/(\d+)-/.exec(f.DestChannel ?? '')?.[1];
  const caller = f.CallerIDNum ?? '';
  if (!ext || !/^\d{10,11}$/.test(caller)) return undefined;
  return `${ext}/${caller}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function stats(values: number[]): { n: number; p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  const round = (v: number) => Math.round(v * 100) / 100;
  return { n: sorted.length, p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted.at(-1) ?? NaN) };
}

/** Watches the fake HubSoft for notificar by ramal/telefone; resolves each key's first arrival time. */
function notifyWatcher(bench: BenchDaemon) {
  const seen = new Map<string, number>();
  let scanned = 0;
  const scan = () => {
    const requests = bench.hubsoft?.requests ?? [];
    for (; scanned < requests.length; scanned++) {
      const r = requests[scanned];
      if (!r?.path.endsWith('/notificar')) continue;
      const body = r.body as { ramal?: string; telefone?: string };
      const key = `${body.ramal}/${body.telefone}`;
      if (!seen.has(key)) seen.set(key, bench.arrivals[scanned] ?? NaN);
    }
  };
  return {
    async wait(keys: readonly string[], timeoutMs: number): Promise<void> {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        scan();
        if (keys.every((k) => seen.has(k)) || performance.now() > deadline) return;
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    at: (key: string) => (scan(), seen.get(key)),
  };
}

/**
 * The generator numbers channels from the same epoch every time: each scenario moves its ids
 * (Uniqueid, Linkedid...) to its own epoch so that no call looks like one the tracker already ended.
 */
function wire(frames: readonly Frame[], scenario: number): string {
  return toWire(frames).replace(/\b(179\d{7})\.(\d+)/g, (_m, epoch: string, seq: string) => `${Number(epoch) + scenario * 100_000}.${seq}`);
}

/** Calls one by one (no overlap): the frames before the first ring, the ring, the rest. */
function singleCalls(count: number, seed: number, scenario: number): { pre: string; ring: string; post: string; key: string; caller: string }[] {
  const byCall = new Map<string, Frame[]>();
  for (const frame of generateCalls(count, seed, { noise: true })) {
    const id = frame.fields.Linkedid ?? '';
    if (!byCall.has(id)) byCall.set(id, []);
    byCall.get(id)!.push(frame);
  }
  const calls = [];
  for (const frames of byCall.values()) {
    const at = frames.findIndex((f) => ringOf(f) !== undefined);
    if (at < 0) continue;
    const ring = frames[at]!;
    calls.push({ pre: wire(frames.slice(0, at), scenario), ring: wire([ring], scenario), post: wire(frames.slice(at + 1), scenario), key: ringOf(ring)!, caller: ring.fields.CallerIDNum ?? '' });
  }
  return calls;
}

async function single(bench: BenchDaemon, send: (text: string) => void, cold: boolean, scenario: number): Promise<number[]> {
  const watcher = notifyWatcher(bench);
  const out: number[] = [];
  for (const call of singleCalls(SINGLE_RUNS * 2, scenario, scenario).slice(0, SINGLE_RUNS)) {
    if (!cold) {
      await bench.daemon.customers.lookup(call.caller);
      send(call.pre);
      await sleep(20);
    }
    const t0 = performance.now();
    send(cold ? call.pre + call.ring : call.ring);
    await watcher.wait([call.key], 5000);
    const arrived = watcher.at(call.key);
    if (arrived !== undefined) out.push(arrived - t0);
    send(call.post);
    await sleep(20);
  }
  return out;
}

async function storm(bench: BenchDaemon, send: (text: string) => void, cold: boolean, scenario: number): Promise<{ latencies: number[]; rings: number; calls: number }> {
  const meanGapMs = (STORM_SECONDS * 1000) / STORM_CALLS;
  const frames = [...generateCalls(STORM_CALLS, scenario, { noise: true, meanGapMs })];
  const ringFrames = frames.filter((f) => ringOf(f) !== undefined);
  const lastRingAt = Math.max(...ringFrames.map((f) => f.at));
  // Each simulated millisecond's frames as one write, up to the last ring.
  const groups: { at: number; text: string; keys: string[] }[] = [];
  for (const frame of frames) {
    if (frame.at > lastRingAt) break;
    const key = ringOf(frame);
    let group = groups.at(-1);
    if (!group || group.at !== frame.at) groups.push((group = { at: frame.at, text: '', keys: [] }));
    group.text += wire([frame], scenario);
    if (key) group.keys.push(key);
  }
  const keys = [...new Set(ringFrames.map(ringOf) as string[])];
  if (!cold) {
    const callers = [...new Set(ringFrames.map((f) => f.fields.CallerIDNum ?? ''))];
    for (let i = 0; i < callers.length; i += 16) await Promise.all(callers.slice(i, i + 16).map((c) => bench.daemon.customers.lookup(c)));
  }
  const watcher = notifyWatcher(bench);
  const sentAt = new Map<string, number>();
  const start = performance.now();
  for (const group of groups) {
    const wait = start + group.at - performance.now();
    if (wait > 1) await sleep(wait);
    const t = performance.now();
    send(group.text);
    for (const key of group.keys) if (!sentAt.has(key)) sentAt.set(key, t);
  }
  await watcher.wait(keys, 10_000);
  const latencies: number[] = [];
  for (const key of keys) {
    const arrived = watcher.at(key);
    const sent = sentAt.get(key);
    if (arrived !== undefined && sent !== undefined) latencies.push(arrived - sent);
  }
  return { latencies, rings: keys.length, calls: STORM_CALLS };
}

async function main(): Promise<void> {
  const fake = await startMiniAmi();
  const bench = await startBenchDaemon(fake, session);
  const send = (text: string) => fake.send(text);
  const result: Record<string, unknown> = { session, lookupDelayMs: LOOKUP_DELAY_MS, stormCalls: STORM_CALLS, stormSeconds: STORM_SECONDS };
  try {
    result.single_warm = stats(await single(bench, send, false, 1));
    const stormWarm = await storm(bench, send, false, 2);
    result.storm_warm = { ...stats(stormWarm.latencies), rings: stormWarm.rings };
    if (COLD) {
      bench.hubsoft?.setLookupDelay(LOOKUP_DELAY_MS);
      result.single_cold = stats(await single(bench, send, true, 3));
      const stormCold = await storm(bench, send, true, 4);
      result.storm_cold = { ...stats(stormCold.latencies), rings: stormCold.rings };
    }
  } finally {
    await bench.close();
    await fake.close();
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

void main();
