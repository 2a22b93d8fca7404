/**
 * Ring-to-notify latency, one process: the mini AMI (TCP) and the fake HubSoft (HTTP) in this
 * process, the real Daemon between them. Time runs from the write of the ringing DialBegin on the
 * mini AMI's socket (TCP_NODELAY: the project's fake Asterisk leaves Nagle on, which adds a delayed-ACK
 * wait of ~20-40 ms to a small write that follows another) to the arrival of its notificar at the fake HubSoft (both performance.now()).
 * Warm: the caller was looked up before. Cold: a new caller, HubSoft answers lookups after a fixed
 * delay, and the Newchannel goes out with the DialBegin (no lookup-ahead time). Cold runs twice: callers
 * HubSoft knows (found on the first candidate term) and callers it does not know (every term asked),
 * counting HubSoft client searches per caller; then both again with every term asked at once (the
 * alternative search strategy, for the README's choice). Each cold caller is new to the bridge (no cache).
 * Prints one JSON line.
 */
import type { SearchStrategy } from '../../src/hubsoft/customers.js';
import { generateCalls } from '../support/ami-script.js';
import { sampleClients, type FakeClient } from '../support/sample-clients.js';
import { startBenchDaemon, type BenchDaemon, type SessionKind } from './bench-daemon.js';
import { startMiniAmi } from './mini-ami.js';
import { notifyWatcher, ringOf, singleCalls, sleep, stats, wire } from './latency-tools.js';

const session = (process.env.BENCH_SESSION ?? 'fast-skip') as SessionKind;
const SINGLE_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 60);
const STORM_CALLS = Number(process.env.BENCH_STORM_CALLS ?? 500);
const STORM_SECONDS = Number(process.env.BENCH_STORM_SECONDS ?? 5);
const LOOKUP_DELAY_MS = Number(process.env.BENCH_LOOKUP_DELAY_MS ?? 50);
/** BENCH_LATENCY_COLD=0 runs the warm scenarios only (quicker while working on the fast path). */
const COLD = (process.env.BENCH_LATENCY_COLD ?? '1') !== '0';


/** SINGLE_RUNS calls, each from a caller no earlier call of the scenario had (a cold lookup each time). */
function distinctCalls(scenario: number): ReturnType<typeof singleCalls> {
  const seen = new Set<string>();
  return singleCalls(SINGLE_RUNS * 4, scenario, scenario)
    .filter((call) => !seen.has(call.caller) && Boolean(seen.add(call.caller)))
    .slice(0, SINGLE_RUNS);
}

/** HubSoft knows these callers: one client each, the caller's number as its telefone_primario. */
function clientsFor(callers: readonly string[]): FakeClient[] {
  const template = sampleClients()[0]!;
  return callers.map((caller, i) => ({
    ...structuredClone(template),
    id_cliente: 900_000 + i,
    codigo_cliente: 90_000 + i,
    nome_razaosocial: `CLIENTE BENCH ${i}`,
    telefone_primario: caller,
    telefone_secundario: '',
    telefone_terciario: '',
  }));
}

const searches = (bench: BenchDaemon) => (bench.hubsoft?.requests ?? []).filter((r) => r.path.endsWith('/cliente')).length;

function setStrategy(bench: BenchDaemon, strategy: SearchStrategy): void {
  const customers = bench.daemon.customers as unknown as { deps: Record<string, unknown> };
  customers.deps = { ...customers.deps, strategy };
}

/** Cold calls from new callers, known to HubSoft or not: ring->notify latencies and client searches per caller. */
async function coldSingle(bench: BenchDaemon, send: (text: string) => void, known: boolean, scenario: number): Promise<Record<string, number>> {
  const calls = distinctCalls(scenario);
  bench.hubsoft?.setClients([...sampleClients(), ...(known ? clientsFor(calls.map((c) => c.caller)) : [])]);
  const before = searches(bench);
  const latencies = await single(bench, send, true, scenario, calls);
  const perCaller = (searches(bench) - before) / calls.length;
  return { ...stats(latencies), callers: calls.length, hubsoft_searches_per_caller: Math.round(perCaller * 100) / 100 };
}

async function single(bench: BenchDaemon, send: (text: string) => void, cold: boolean, scenario: number, given?: ReturnType<typeof singleCalls>): Promise<number[]> {
  const watcher = notifyWatcher(bench);
  const out: number[] = [];
  for (const call of given ?? singleCalls(SINGLE_RUNS * 2, scenario, scenario).slice(0, SINGLE_RUNS)) {
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
      // first-then-rest, the bridge's default: found on the first term in 1 round trip, unknown in 2.
      result.single_cold_found = await coldSingle(bench, send, true, 3);
      result.single_cold_unknown = await coldSingle(bench, send, false, 5);
      // The alternative: every term at once (1 round trip always, every term always asked).
      setStrategy(bench, 'all-at-once');
      result.all_at_once_cold_found = await coldSingle(bench, send, true, 6);
      result.all_at_once_cold_unknown = await coldSingle(bench, send, false, 7);
      setStrategy(bench, 'first-then-rest');
      // The storm's callers: a few sample clients, mostly unknown.
      bench.hubsoft?.setClients(sampleClients());
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
