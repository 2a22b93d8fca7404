/**
 * One ingest variant per process: `tsx test/bench/ingest.ts <variant> <stream file> <frames>`.
 * socket: a bare socket counting frame ends (the machine's limit); library: asterisk-manager 0.2.0
 * with an empty handler; bridge-*: the whole daemon (see bench-daemon.ts) with one AMI reader;
 * events-*: AmiConnection + tracker + call path on a no-op CRM (the event path without HTTP).
 * Prints one JSON line: { variant, frames, seconds, events_per_s, ... }.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import Manager from 'asterisk-manager';
import { AmiConnection } from '../../src/ami/connection.js';
import { amiSchema } from '../../src/config/schema.js';
import { sessionFactory, startBenchDaemon, type SessionKind } from './bench-daemon.js';
import { eventPathBridge, silent, type NoopCounts } from './event-path.js';

const [variant = 'socket', streamPath = '', framesArg = '0'] = process.argv.slice(2);
const frames = Number(framesArg);
const TERMINATOR = Buffer.from('\r\n\r\n');

async function startBlaster(): Promise<{ child: ChildProcess; port: number; hubsoftUrl: string | undefined; blast: () => Promise<void> }> {
  const args = variant.startsWith('bridge') ? [streamPath, 'hubsoft'] : [streamPath];
  const child = fork(fileURLToPath(new URL('./blaster.ts', import.meta.url)), args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port, hubsoftUrl } = await new Promise<{ port: number; hubsoftUrl?: string }>((resolve, reject) => {
    child.once('message', (m: { port?: number; hubsoftUrl?: string }) => (m.port ? resolve({ port: m.port, hubsoftUrl: m.hubsoftUrl }) : reject(new Error('blaster: no port'))));
    child.once('exit', (code) => reject(new Error(`blaster exited ${code}`)));
  });
  const blast = () =>
    new Promise<void>((resolve) => {
      child.once('message', () => resolve());
      child.send({ cmd: 'blast' });
    });
  return { child, port, hubsoftUrl, blast };
}

/** Counts `\r\n\r\n` across chunks; done after the stream's frames plus BenchEnd and the login answers. */
async function socketDrain(port: number, blast: () => Promise<void>): Promise<Record<string, number>> {
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  await new Promise((resolve) => socket.once('connect', resolve));
  let count = 0;
  let carry = Buffer.alloc(0);
  let started = 0;
  const expected = frames + 1;
  const done = new Promise<number>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      if (started === 0) started = performance.now();
      const data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      for (let at = data.indexOf(TERMINATOR); at >= 0; at = data.indexOf(TERMINATOR, at + 4)) count += 1;
      carry = Buffer.from(data.subarray(Math.max(0, data.length - 3)));
      if (count >= expected) resolve(performance.now());
    });
  });
  void blast();
  const ended = await done;
  socket.destroy();
  return { seconds: (ended - started) / 1000, counted: count };
}

async function library(port: number, blast: () => Promise<void>): Promise<Record<string, number>> {
  const manager = Manager(undefined, '127.0.0.1', 'bridge', 'amisecret', false);
  await new Promise<void>((resolve) => manager.connect(port, '127.0.0.1', () => resolve()));
  await new Promise<void>((resolve, reject) => manager.login((error) => (error ? reject(new Error(String(error.message))) : resolve())));
  let count = 0;
  let started = 0;
  manager.on('managerevent', () => {
    if (started === 0) started = performance.now();
    count += 1;
  });
  const done = new Promise<number>((resolve) => manager.on('benchend', () => resolve(performance.now())));
  void blast();
  const ended = await done;
  manager.disconnect();
  return { seconds: (ended - started) / 1000, counted: count };
}

async function bridge(port: number, blast: () => Promise<void>, session: SessionKind, hubsoftUrl: string | undefined): Promise<Record<string, number>> {
  const bench = await startBenchDaemon({ host: '127.0.0.1', port }, session, hubsoftUrl);
  let started = 0;
  let count = 0;
  const first = (): void => {
    if (started === 0) started = performance.now();
    count += 1;
  };
  bench.daemon.ami.on('event', first);
  const done = new Promise<number>((resolve) =>
    bench.daemon.ami.on('event', (event) => event.event === 'BenchEnd' && resolve(performance.now())),
  );
  const cpu0 = process.cpuUsage();
  void blast();
  const ended = await done;
  const cpu = process.cpuUsage(cpu0);
  // What HubSoft got while the stream was read, and how long the queue took to empty afterwards.
  const settleStart = performance.now();
  while (bench.daemon.dispatcher.size() > 0 && performance.now() - settleStart < 20_000) await new Promise((r) => setTimeout(r, 20));
  const settled = (performance.now() - settleStart) / 1000;
  const metrics = await bench.daemon.metrics.registry.getSingleMetricAsString('hubsoft_bridge_notifications_total').catch(() => '');
  const notify = [...metrics.matchAll(/route="notificar",result="sent"\} (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
  const stats = bench.daemon.ami.stats();
  await bench.close();
  return {
    seconds: (ended - started) / 1000,
    delivered: count,
    amiEvents: stats.events,
    notificar: notify,
    settleSeconds: settled,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

async function eventPath(port: number, blast: () => Promise<void>, session: SessionKind): Promise<Record<string, number>> {
  const config = amiSchema.parse({ host: '127.0.0.1', port, username: 'bridge', secret: 'amisecret', eventMask: 'on' });
  const connection = new AmiConnection({ config, logger: silent(), createSession: sessionFactory(session) });
  const counts: NoopCounts = { lookups: 0, notifies: 0, cancels: 0 };
  const bridge = eventPathBridge(connection, counts);
  const loggedIn = new Promise((resolve) => connection.on('login', resolve));
  connection.start();
  await loggedIn;
  await new Promise((resolve) => setTimeout(resolve, 50));
  let started = 0;
  connection.on('event', () => {
    if (started === 0) started = performance.now();
  });
  const done = new Promise<number>((resolve) => connection.on('event', (event) => event.event === 'BenchEnd' && resolve(performance.now())));
  void blast();
  const ended = await done;
  bridge.stop();
  await connection.stop();
  return { seconds: (ended - started) / 1000, delivered: connection.stats().events, ...counts };
}

async function main(): Promise<void> {
  const blaster = await startBlaster();
  let result: Record<string, number>;
  try {
    if (variant === 'socket') result = await socketDrain(blaster.port, blaster.blast);
    else if (variant === 'library') result = await library(blaster.port, blaster.blast);
    else if (variant.startsWith('events-')) result = await eventPath(blaster.port, blaster.blast, variant.slice('events-'.length) as SessionKind);
    else result = await bridge(blaster.port, blaster.blast, variant.replace(/^bridge-/, '') as SessionKind, blaster.hubsoftUrl);
  } finally {
    blaster.child.send({ cmd: 'exit' });
  }
  const seconds = result.seconds ?? 0;
  process.stdout.write(`${JSON.stringify({ variant, frames, ...result, events_per_s: Math.round(frames / seconds) })}\n`);
  process.exit(0);
}

void main();
