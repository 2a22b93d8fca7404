/**
 * `npm run bench`: ingest (socket / asterisk-manager / our reader + bridge), ring-to-notify latency (also
 * while a 10,000-record backlog drains, backlog.ts) and memory, each scenario in its own process, all on 127.0.0.1. Prints a table (ratios first),
 * writes .bench-results/latest.json, and ends with one JSON line of the headline figures.
 * Scale with BENCH_CALLS (ingest stream, default 1500 calls), BENCH_MEMORY_CALLS (default 1,000,000),
 * BENCH_STORM_CALLS, BENCH_LATENCY_RUNS, BENCH_FSYNC=0, BENCH_OUTBOX=0; BENCH_FULL=1 adds the
 * library-reader variants of the event path and the daemon.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { ensureStream, RESULTS_DIR } from './stream.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CALLS = Number(process.env.BENCH_CALLS ?? 1500);
const started = performance.now();

function run(script: string, args: string[], nodeArgs: string[] = []): Json {
  const out = execFileSync(process.execPath, [...nodeArgs, '--import', 'tsx', join('test/bench', script), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
    timeout: 400_000,
  });
  const last = out.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(last) as Json;
}

const log = (line: string) => process.stdout.write(`${line}\n`);
const r1 = (v: number) => Math.round(v * 10) / 10;
const r2 = (v: number) => Math.round(v * 100) / 100;

log(`hubsoft-pbx-bridge bench: ${cpus().length} CPU (${cpus()[0]?.model ?? '?'}), load ${loadavg().map(r1).join(' ')}, node ${process.version}`);
const stream = ensureStream(CALLS, 8);
log(`stream: ${stream.calls} calls, ${stream.frames} AMI events, ${r1(stream.bytes / 1048576)} MB (generateCalls with noise, seed 8)`);

const variants = ['socket', 'library', 'events-fast-skip', 'events-fast-all', 'bridge-fast-skip', 'bridge-fast-all'];
if (process.env.BENCH_FULL === '1') variants.push('events-library', 'bridge-library');
const ingest: Record<string, Json> = {};
for (const variant of variants) {
  ingest[variant] = run('ingest.ts', [variant, stream.path, String(stream.frames)]);
  log(`  ingest ${variant}: ${ingest[variant]?.events_per_s} events/s`);
}
const eps = (v: string) => Number(ingest[v]?.events_per_s ?? NaN);
const latency = run('latency.ts', []);
log('  latency done');
const backlog = run('backlog.ts', []);
log('  backlog done');
// HubSoft HTTP stack: undici (the bridge's) vs got with a keep-alive agent vs got as it was; server in a child process.
const httpStack = run('http-stack.ts', []) as unknown as Json[];
const stack = (variant: string) => httpStack.find((r) => r.variant === variant) ?? {};
log('  http-stack done');
const memory = run('memory.ts', [], ['--expose-gc']);
log('  memory done');

const socket = eps('socket');
const library = eps('library');
const pipeline = eps('bridge-fast-skip');
const eventPath = eps('events-fast-skip');
const replay = memory.replay as Json;
const at = (n: number) => replay[`calls_${n}`] as Json | undefined;

const rows: [string, string, string][] = [
  ['(c)/(a) daemon (our reader, noise skipped) vs socket', `${r2(pipeline / socket)}`, 'target >= 0.40'],
  ['(c)/(b) daemon vs asterisk-manager alone', `${r2(pipeline / library)}`, 'target >= 5'],
  ['event path (reader+tracker+call path, no HTTP) / socket', `${r2(eventPath / socket)}`, ''],
  ['event path / asterisk-manager alone', `${r2(eventPath / library)}`, ''],
  ['daemon parsing every frame / asterisk-manager alone', `${r2(eps('bridge-fast-all') / library)}`, ''],
  ['(a) socket drain, events/s', `${socket}`, ''],
  ['(b) asterisk-manager 0.2.0, empty handler, events/s', `${library}`, ''],
  ['(c) daemon, our reader skipping noise, events/s', `${pipeline}`, `HubSoft requests: ${ingest['bridge-fast-skip']?.notificar} notificar, settled ${r1(ingest['bridge-fast-skip']?.settleSeconds ?? 0)} s after`],
  ['(c) daemon, our reader parsing all, events/s', `${eps('bridge-fast-all')}`, ''],
  ['event path, noise skipped / parsing all, events/s', `${eventPath} / ${eps('events-fast-all')}`, ''],
  ['HubSoft HTTP CPU ms/request, 16 at once: undici / got keep-alive', `${stack('undici').concurrent?.cpu_ms_per_request} / ${stack('got-keepalive').concurrent?.cpu_ms_per_request}`, 'target <= 0.15 (http-stack.ts)'],
  ['HubSoft HTTP one at a time: p99 ms undici / got keep-alive', `${stack('undici').sequential?.p99} / ${stack('got-keepalive').sequential?.p99}`, `CPU ms/request one at a time: ${stack('undici').sequential?.cpu_ms_per_request} / ${stack('got-keepalive').sequential?.cpu_ms_per_request}`],
  ['ring->notify warm, 1 call: p50 / p99 / max ms', `${latency.single_warm.p50} / ${latency.single_warm.p99} / ${latency.single_warm.max}`, `n=${latency.single_warm.n}; target p99 <= 2`],
  ['ring->notify warm, storm: p50 / p99 / max ms', `${latency.storm_warm.p50} / ${latency.storm_warm.p99} / ${latency.storm_warm.max}`, `${latency.stormCalls} calls in ${latency.stormSeconds} s, ${latency.storm_warm.rings} rings; target p99 <= 20`],
  ['ring->notify cold, caller found on the 1st term: p50 / p99 / max ms', `${latency.single_cold_found.p50} / ${latency.single_cold_found.p99} / ${latency.single_cold_found.max}`, `HubSoft lookup delay ${latency.lookupDelayMs} ms per request; ${latency.single_cold_found.hubsoft_searches_per_caller} searches per caller; target p99 <= ${latency.lookupDelayMs + 5}`],
  ['ring->notify cold, unknown caller: p50 / p99 / max ms', `${latency.single_cold_unknown.p50} / ${latency.single_cold_unknown.p99} / ${latency.single_cold_unknown.max}`, `${latency.single_cold_unknown.hubsoft_searches_per_caller} HubSoft searches per unknown caller; target p99 <= ${2 * latency.lookupDelayMs + 5}`],
  ['  every term at once instead: found / unknown p99 ms', `${latency.all_at_once_cold_found.p99} / ${latency.all_at_once_cold_unknown.p99}`, `searches per caller: ${latency.all_at_once_cold_found.hubsoft_searches_per_caller} found / ${latency.all_at_once_cold_unknown.hubsoft_searches_per_caller} unknown`],
  ['ring->notify cold, storm: p50 / p99 / max ms', `${latency.storm_cold.p50} / ${latency.storm_cold.p99} / ${latency.storm_cold.max}`, ''],
  ['ring->notify warm while 10k backlog drains / idle: p50 ratio / p99 ratio', `${backlog.p50_ratio} / ${backlog.p99_ratio}`, `draining p50 ${backlog.draining.p50} / p99 ${backlog.draining.p99} ms, idle ${backlog.idle.p50} / ${backlog.idle.p99} ms; p50 delta ${backlog.p50_delta_ms} ms (target <= 2); ${backlog.draining.backlog_left_at_end} of ${backlog.backlog} records still waiting at the end`],
  ['heap / RSS MB after 1k calls', `${at(1000)?.heap_mb} / ${at(1000)?.rss_mb}`, 'tracker + call path, no-op CRM, in-process replay'],
  ['heap / RSS MB after 100k calls', `${at(100_000)?.heap_mb} / ${at(100_000)?.rss_mb}`, ''],
  ['heap / RSS MB after 1M calls', `${at(1_000_000)?.heap_mb ?? 'n/a'} / ${at(1_000_000)?.rss_mb ?? 'n/a'}`, `target: flat from 100k; ${at(1_000_000)?.seconds ?? '?'} s`],
  ['5,000 calls ringing at once: heap MB (+delta) / RSS MB', `${memory.live.heap_mb} (+${memory.live.heap_mb_delta}) / ${memory.live.rss_mb}`, `${memory.live.liveCalls} live calls, ${memory.live.openRings} open rings`],
];
const width = Math.max(...rows.map((r) => r[0].length));
log('');
for (const [name, value, note] of rows) log(`${name.padEnd(width)}  ${value.padStart(22)}  ${note}`);

const headline = {
  ingest_events_per_s: pipeline,
  ingest_vs_library: r2(pipeline / library),
  ingest_vs_socket: r2(pipeline / socket),
  event_path_events_per_s: eventPath,
  socket_events_per_s: socket,
  library_events_per_s: library,
  notify_p50_ms_warm: latency.single_warm.p50,
  notify_p99_ms_warm: latency.single_warm.p99,
  notify_p99_ms_storm: latency.storm_warm.p99,
  hubsoft_cpu_ms_per_request: stack('undici').concurrent?.cpu_ms_per_request ?? null,
  notify_p99_ms_cold_found: latency.single_cold_found.p99,
  notify_p99_ms_cold_unknown: latency.single_cold_unknown.p99,
  hubsoft_searches_per_unknown_caller: latency.single_cold_unknown.hubsoft_searches_per_caller,
  notify_p99_ms_storm_cold: latency.storm_cold.p99,
  notify_p50_ms_backlog_draining: backlog.draining.p50,
  notify_p50_ms_backlog_idle: backlog.idle.p50,
  notify_p50_delta_ms_backlog: backlog.p50_delta_ms,
  heap_mb_1k: at(1000)?.heap_mb ?? null,
  heap_mb_100k: at(100_000)?.heap_mb ?? null,
  heap_mb_1m: at(1_000_000)?.heap_mb ?? null,
  rss_mb_1m: at(1_000_000)?.rss_mb ?? null,
  heap_mb_live_5000: memory.live.heap_mb,
  seconds: Math.round((performance.now() - started) / 1000),
};
writeFileSync(join(RESULTS_DIR, 'latest.json'), JSON.stringify({ at: new Date().toISOString(), stream, ingest, latency, backlog, httpStack, memory, headline }, null, 2));
log(`\nwritten ${join(RESULTS_DIR, 'latest.json')} in ${headline.seconds} s`);
log(JSON.stringify(headline));
