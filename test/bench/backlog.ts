/**
 * Live notify latency while a backlog drains (issue 14.1): the real Daemon between the mini AMI (TCP) and
 * the fake HubSoft (HTTP), all in this process. First the idle figure (warm ring->notify, one call at a
 * time, as latency.ts single_warm), then BENCH_BACKLOG records (default 10,000 cancelars) are put in the
 * backlog lane (as replayed or requeued records) and the same calls are measured again while it drains.
 * HubSoft answers cancelar after BENCH_BACKLOG_DELAY_MS (default 2) so the drain outlasts the measurement;
 * notificar at once, in both phases. Prints one JSON line.
 */
import type { PreparedRequest } from '../../src/outbox/request.js';
import { startBenchDaemon, type BenchDaemon } from './bench-daemon.js';
import { notifyWatcher, singleCalls, sleep, stats } from './latency-tools.js';
import { startMiniAmi } from './mini-ami.js';

const RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 60);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 10_000);
const CANCEL_DELAY_MS = Number(process.env.BENCH_BACKLOG_DELAY_MS ?? 2);

async function warmSingles(bench: BenchDaemon, send: (text: string) => void, scenario: number): Promise<number[]> {
  const watcher = notifyWatcher(bench);
  const out: number[] = [];
  for (const call of singleCalls(RUNS * 2, scenario, scenario).slice(0, RUNS)) {
    await bench.daemon.customers.lookup(call.caller);
    send(call.pre);
    await sleep(20);
    const t0 = performance.now();
    send(call.ring);
    await watcher.wait([call.key], 5000);
    const arrived = watcher.at(call.key);
    if (arrived !== undefined) out.push(arrived - t0);
    send(call.post);
    await sleep(20);
  }
  return out;
}

function backlogRecord(n: number): PreparedRequest {
  const ramal = String(3000 + (n % 500));
  const telefone = `3799${String(n).padStart(7, '0')}`;
  return { route: 'cancelar', kind: 'cancel', key: `ramal:${ramal}|${telefone}`, body: { ramal, telefone }, describe: `cancelar ${ramal} ${telefone} (backlog)` };
}

async function main(): Promise<void> {
  const fake = await startMiniAmi();
  const bench = await startBenchDaemon(fake, 'fast-skip');
  const send = (text: string) => fake.send(text);
  bench.hubsoft?.setDelay((path) => (path.endsWith('/cancelar') ? CANCEL_DELAY_MS : 0));
  const result: Record<string, unknown> = { backlog: BACKLOG, cancelDelayMs: CANCEL_DELAY_MS, runs: RUNS };
  try {
    const idle = stats(await warmSingles(bench, send, 11));
    const createdAt = Date.now();
    for (let n = 0; n < BACKLOG; n++) bench.daemon.durable.submit(backlogRecord(n), { createdAt, lane: 'backlog' });
    await sleep(200); // journaled, draining
    const leftBefore = bench.daemon.durable.stats().backlogLane + bench.daemon.durable.stats().inDispatcher;
    const started = performance.now();
    const draining = stats(await warmSingles(bench, send, 12));
    const leftAfter = bench.daemon.durable.stats().backlogLane;
    const drainStarted = performance.now();
    while (bench.daemon.durable.stats().backlogLane + bench.daemon.durable.stats().inDispatcher > 0 && performance.now() - drainStarted < 120_000) await sleep(50);
    const cancels = (bench.hubsoft?.requests ?? []).filter((r) => r.path.endsWith('/cancelar')).length;
    result.idle = idle;
    result.draining = { ...draining, backlog_left_at_start: leftBefore, backlog_left_at_end: leftAfter, measured_s: Math.round((performance.now() - started) / 100) / 10 };
    result.drain_s_after_measurement = Math.round((performance.now() - drainStarted) / 100) / 10;
    result.cancelar_delivered = cancels;
    result.p50_ratio = Math.round((draining.p50 / idle.p50) * 100) / 100;
    result.p99_ratio = Math.round((draining.p99 / idle.p99) * 100) / 100;
    result.p50_delta_ms = Math.round((draining.p50 - idle.p50) * 100) / 100;
  } finally {
    await bench.close();
    await fake.close();
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

void main();
