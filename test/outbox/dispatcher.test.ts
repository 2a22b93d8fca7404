import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as FakeTimers from '@sinonjs/fake-timers';
import { Dispatcher, type DispatchJob, type JobKind, type JobOutcome, type JobResultInfo } from '../../src/outbox/dispatcher.js';
import { isRetryable } from '../../src/outbox/retry.js';
import { notifySchema, type NotifyConfig } from '../../src/config/schema.js';
import { BridgeError } from '../../src/errors.js';
import { pino } from 'pino';
import { silentLogger } from '../../src/log/logger.js';
import { seededRandom as seeded } from '../support/random.js';


const http = (status: number) => new BridgeError('HUBSOFT_HTTP', `HubSoft answered HTTP ${status}`, { status });

interface Result {
  readonly key: string;
  readonly kind: JobKind;
  readonly outcome: JobOutcome;
  readonly info: JobResultInfo;
}

describe('outbox/dispatcher (fake time)', function () {
  this.timeout(10_000);
  let clock: FakeTimers.Clock;
  let results: Result[];
  let logLines: string[];

  beforeEach(() => {
    clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'], now: 1_000_000, loopLimit: 100_000 });
    results = [];
    logLines = [];
  });
  afterEach(() => clock.uninstall());

  function make(config: Partial<NotifyConfig>, extra: { attemptTimeoutMs?: number; random?: () => number } = {}): Dispatcher {
    return new Dispatcher({
      config: notifySchema.parse({ intervalMs: 0, ...config }),
      logger: pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) }),
      clock: () => clock.now,
      random: extra.random ?? (() => 1),
      onResult: (job, outcome, info) => results.push({ key: job.key, kind: job.kind, outcome, info }),
      ...(extra.attemptTimeoutMs ? { attemptTimeoutMs: extra.attemptTimeoutMs } : {}),
    });
  }

  const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  async function settle(dispatcher: Dispatcher): Promise<void> {
    const idle = dispatcher.onIdle();
    await clock.runAllAsync();
    await idle;
  }

  it('keeps each key in order under concurrency 8 with random durations and retries, while keys run in parallel', async () => {
    const random = seeded(7);
    const dispatcher = make({ concurrency: 8, retryInitialMs: 20, retryMaxMs: 80 }, { random });
    const log: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const failOnce = new Set<string>();
    const job = (key: string, kind: JobKind): DispatchJob => ({
      key,
      kind,
      createdAt: clock.now,
      describe: `${kind} ${key}`,
      run: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        log.push(`start ${key} ${kind}`);
        try {
          await wait(1 + Math.floor(random() * 50));
          if (kind === 'notify' && random() < 0.2 && !failOnce.has(key)) {
            failOnce.add(key);
            throw http(503);
          }
        } finally {
          running--;
        }
        log.push(`end ${key} ${kind}`);
      },
    });
    const keys = Array.from({ length: 60 }, (_, i) => `call-${i % 20}/${1000 + i}`);
    for (const key of keys) {
      dispatcher.enqueue(job(key, 'notify'));
      // Some cancels follow at once, others a little later: both must wait for the notify.
      if (random() < 0.5) dispatcher.enqueue(job(key, 'cancel'));
      else setTimeout(() => dispatcher.enqueue(job(key, 'cancel')), Math.floor(random() * 30));
    }
    await settle(dispatcher);

    expect(results).to.have.length(120);
    expect(results.every((r) => r.outcome === 'sent')).to.equal(true);
    expect(failOnce.size).to.be.greaterThan(0);
    expect(dispatcher.stats().retries).to.equal(failOnce.size);
    for (const key of keys) {
      const notifyEnd = log.indexOf(`end ${key} notify`);
      const cancelStart = log.indexOf(`start ${key} cancel`);
      expect(notifyEnd, key).to.be.greaterThan(-1);
      expect(cancelStart, key).to.be.greaterThan(notifyEnd);
    }
    expect(maxRunning).to.be.at.most(8);
    expect(maxRunning).to.be.greaterThan(1);
  });

  it('runs different keys at the same time, up to the concurrency', async () => {
    const dispatcher = make({ concurrency: 8 });
    const gates: Array<() => void> = [];
    for (let i = 0; i < 12; i++) {
      dispatcher.enqueue({ key: `k${i}`, kind: 'notify', createdAt: clock.now, run: () => new Promise<void>((resolve) => gates.push(resolve)) });
    }
    await clock.tickAsync(0);
    expect(dispatcher.stats().running).to.equal(8);
    expect(dispatcher.size()).to.equal(12);
    while (gates.length) {
      gates.shift()?.();
      await clock.tickAsync(0);
    }
    await settle(dispatcher);
    expect(results.filter((r) => r.outcome === 'sent')).to.have.length(12);
  });

  it('respects the rate limit: at most intervalCap starts per interval', async () => {
    const dispatcher = make({ concurrency: 8, intervalMs: 1000, intervalCap: 3 });
    const started: number[] = [];
    const t0 = clock.now;
    for (let i = 0; i < 10; i++) {
      dispatcher.enqueue({ key: `k${i}`, kind: 'notify', createdAt: clock.now, run: async () => void started.push(clock.now - t0) });
    }
    await settle(dispatcher);
    expect(started).to.have.length(10);
    const perWindow = new Map<number, number>();
    for (const at of started) perWindow.set(Math.floor(at / 1000), (perWindow.get(Math.floor(at / 1000)) ?? 0) + 1);
    expect([...perWindow.values()].every((count) => count <= 3)).to.equal(true);
    expect(perWindow.size).to.be.at.least(4);
  });

  it('retries a 503 without holding the slot, keeping the key blocked, then sends', async () => {
    const dispatcher = make({ concurrency: 1, retryInitialMs: 1000, retryMaxMs: 4000 });
    const log: string[] = [];
    let calls = 0;
    const job = (key: string, kind: JobKind, run: () => Promise<void>): DispatchJob => ({ key, kind, createdAt: clock.now, run });
    dispatcher.enqueue(
      job('A', 'notify', async () => {
        log.push(`A notify ${++calls}`);
        if (calls === 1) throw http(503);
      }),
    );
    dispatcher.enqueue(job('A', 'cancel', async () => void log.push('A cancel')));
    dispatcher.enqueue(job('B', 'notify', async () => void log.push('B notify')));
    await clock.tickAsync(0);
    expect(dispatcher.stats().retryWaiting).to.equal(1);
    await settle(dispatcher);
    expect(log).to.deep.equal(['A notify 1', 'B notify', 'A notify 2', 'A cancel']);
    expect(results.map((r) => r.outcome)).to.deep.equal(['sent', 'sent', 'sent']);
    expect(dispatcher.stats()).to.include({ sent: 3, retries: 1, failed: 0 });
  });

  it('gives up after notify.retryDeadlineMs from the first attempt, then sends the cancel', async () => {
    const dispatcher = make({ retryDeadlineMs: 5000, retryInitialMs: 500, retryMaxMs: 2000 });
    const attempts: number[] = [];
    const t0 = clock.now;
    dispatcher.enqueue({
      key: 'A',
      kind: 'notify',
      createdAt: clock.now,
      describe: 'notificar 1001',
      run: async () => {
        attempts.push(clock.now - t0);
        throw new BridgeError('HUBSOFT_UNREACHABLE');
      },
    });
    dispatcher.enqueue({ key: 'A', kind: 'cancel', createdAt: clock.now, run: async () => undefined });
    await settle(dispatcher);
    expect(results.map((r) => `${r.kind} ${r.outcome}`)).to.deep.equal(['notify failed', 'cancel sent']);
    expect(attempts.length).to.be.greaterThan(2);
    expect(results[0]?.info.attempts).to.equal(attempts.length);
    expect(isRetryable(results[0]?.info.error)).to.equal(true);
    expect(attempts.every((at) => at <= 5000)).to.equal(true);
    expect(logLines.some((line) => line.includes('retryDeadlineMs') && line.includes('notificar 1001'))).to.equal(true);
  });

  it('does not retry a refusal naming fields (4xx or status "error"), and logs the job', async () => {
    const dispatcher = make({});
    let calls = 0;
    const failing = (key: string, kind: JobKind, error: Error, describe: string): DispatchJob => ({
      key,
      kind,
      createdAt: clock.now,
      describe,
      run: async () => {
        calls++;
        throw error;
      },
    });
    const named = (error: BridgeError) => new BridgeError(error.code, error.message, { ...error.details, fields: ['ramal'] });
    dispatcher.enqueue(failing('A', 'notify', named(http(400)), 'notificar 1001 3799'));
    dispatcher.enqueue(failing('A', 'cancel', named(http(422)), 'cancelar 1001 3799'));
    dispatcher.enqueue(failing('B', 'notify', named(new BridgeError('HUBSOFT_STATUS_ERROR')), 'notificar 1002 3798'));
    await settle(dispatcher);
    expect(calls).to.equal(3);
    expect(results.map((r) => r.outcome)).to.deep.equal(['failed', 'failed', 'failed']);
    expect(dispatcher.stats()).to.include({ failed: 3, retries: 0 });
    expect(results.map((r) => r.info.attempts)).to.deep.equal([1, 1, 1]);
    expect(results.some((r) => isRetryable(r.info.error))).to.equal(false);
    expect(logLines.filter((line) => line.includes('not retried'))).to.have.length(3);
    expect(logLines.some((line) => line.includes('not retried') && line.includes('cancelar 1001 3799'))).to.equal(true);
  });

  it('drops a notify older than maxAgeMs when its turn comes, but still sends its cancel', async () => {
    const dispatcher = make({ concurrency: 1, maxAgeMs: 3000 });
    const sent: string[] = [];
    const job = (key: string, kind: JobKind, createdAt: number, ms = 0): DispatchJob => ({
      key,
      kind,
      createdAt,
      run: async () => {
        await wait(ms);
        sent.push(`${key} ${kind}`);
      },
    });
    dispatcher.enqueue(job('old', 'notify', clock.now - 3001));
    dispatcher.enqueue(job('old', 'cancel', clock.now));
    // A ring that already stopped but is young: its notify still goes first.
    dispatcher.enqueue(job('young', 'notify', clock.now - 2000));
    dispatcher.enqueue(job('young', 'cancel', clock.now));
    // Waits 5 s behind a slow request: stale by the time its turn comes.
    dispatcher.enqueue(job('slow', 'notify', clock.now, 5000));
    dispatcher.enqueue(job('late', 'notify', clock.now));
    dispatcher.enqueue(job('late', 'cancel', clock.now));
    await settle(dispatcher);
    expect(sent).to.have.members(['old cancel', 'young notify', 'young cancel', 'slow notify', 'late cancel']);
    expect(sent.indexOf('young notify')).to.be.lessThan(sent.indexOf('young cancel'));
    expect(results.filter((r) => r.outcome === 'dropped-stale').map((r) => r.key)).to.deep.equal(['old', 'late']);
    expect(dispatcher.stats().droppedStale).to.equal(2);
  });

  it('over maxQueued drops new notifies with a warning and keeps cancels', async () => {
    const dispatcher = make({ concurrency: 1, maxQueued: 3 });
    const sent: string[] = [];
    const gates: Array<() => void> = [];
    const job = (key: string, kind: JobKind): DispatchJob => ({
      key,
      kind,
      createdAt: clock.now,
      run: () =>
        new Promise<void>((resolve) =>
          gates.push(() => {
            sent.push(`${key} ${kind}`);
            resolve();
          }),
        ),
    });
    for (const key of ['k1', 'k2', 'k3', 'k4']) dispatcher.enqueue(job(key, 'notify'));
    dispatcher.enqueue(job('k4', 'cancel'));
    dispatcher.enqueue(job('k1', 'cancel'));
    expect(dispatcher.size()).to.equal(5);
    expect(results).to.deep.equal([{ key: 'k4', kind: 'notify', outcome: 'dropped-overflow', info: { attempts: 0 } }]);
    expect(logLines.some((line) => line.includes('maxQueued'))).to.equal(true);
    for (let i = 0; i < 20 && dispatcher.size() > 0; i++) {
      await clock.tickAsync(0);
      gates.shift()?.();
    }
    await settle(dispatcher);
    expect(sent).to.have.members(['k1 notify', 'k2 notify', 'k3 notify', 'k4 cancel', 'k1 cancel']);
    expect(dispatcher.stats()).to.include({ droppedOverflow: 1, sent: 5 });
  });

  it('times out an attempt that never settles, aborts its signal and retries it', async () => {
    const dispatcher = make({ retryInitialMs: 100 }, { attemptTimeoutMs: 1000 });
    const signals: AbortSignal[] = [];
    dispatcher.enqueue({
      key: 'A',
      kind: 'cancel',
      createdAt: clock.now,
      run: (signal) => {
        signals.push(signal);
        return signals.length === 1 ? new Promise<void>(() => undefined) : Promise.resolve();
      },
    });
    await settle(dispatcher);
    expect(results.map((r) => r.outcome)).to.deep.equal(['sent']);
    expect(signals.map((s) => s.aborted)).to.deep.equal([true, false]);
  });

  it('keeps going when onResult throws', async () => {
    const dispatcher = new Dispatcher({
      config: notifySchema.parse({ intervalMs: 0 }),
      logger: silentLogger(),
      clock: () => clock.now,
      onResult: () => {
        throw new Error('listener bug');
      },
    });
    let ran = 0;
    dispatcher.enqueue({ key: 'A', kind: 'notify', createdAt: clock.now, run: async () => void ran++ });
    dispatcher.enqueue({ key: 'A', kind: 'cancel', createdAt: clock.now, run: async () => void ran++ });
    await settle(dispatcher);
    expect(ran).to.equal(2);
    expect(dispatcher.stats()).to.include({ sent: 2, keys: 0 });
  });

  it('drains within the deadline when the queue empties in time', async () => {
    const dispatcher = make({ concurrency: 2 });
    for (let i = 0; i < 6; i++) dispatcher.enqueue({ key: `k${i % 3}`, kind: i < 3 ? 'notify' : 'cancel', createdAt: clock.now, run: () => wait(100) });
    const drained = dispatcher.drain(10_000);
    await clock.runAllAsync();
    expect(await drained).to.deep.equal({ left: 0 });
    expect(results.filter((r) => r.outcome === 'sent')).to.have.length(6);
  });

  it('drain stops accepting, abandons what is left at the deadline and leaves no timer running', async () => {
    const dispatcher = make({ concurrency: 2, intervalMs: 1000, intervalCap: 5, retryInitialMs: 1000, retryDeadlineMs: 60_000 }, { attemptTimeoutMs: 60_000 });
    let hungSignal: AbortSignal | undefined;
    dispatcher.enqueue({
      key: 'hung',
      kind: 'notify',
      createdAt: clock.now,
      run: (signal) => {
        hungSignal = signal;
        return new Promise<void>(() => undefined); // ignores the signal on purpose
      },
    });
    dispatcher.enqueue({ key: 'hung', kind: 'cancel', createdAt: clock.now, run: async () => undefined });
    dispatcher.enqueue({ key: 'down', kind: 'cancel', createdAt: clock.now, run: () => Promise.reject(http(503)) });
    for (let i = 0; i < 8; i++) dispatcher.enqueue({ key: `q${i}`, kind: 'cancel', createdAt: clock.now, run: () => new Promise<void>(() => undefined) });
    await clock.tickAsync(10);
    const drained = dispatcher.drain(2000);
    dispatcher.enqueue({ key: 'after', kind: 'notify', createdAt: clock.now, run: async () => undefined });
    await clock.tickAsync(2000);
    const { left } = await drained;
    expect(left).to.equal(11);
    expect(hungSignal?.aborted).to.equal(true);
    expect(results.filter((r) => r.outcome === 'dropped-shutdown')).to.have.length(12);
    expect(results.find((r) => r.key === 'after')?.outcome).to.equal('dropped-shutdown');
    expect(dispatcher.stats()).to.include({ size: 0, keys: 0, running: 0, retryWaiting: 0 });
    expect(clock.countTimers()).to.equal(0);
  });

  it('holds no per-key state once idle', async () => {
    const dispatcher = make({ concurrency: 4, intervalMs: 100, intervalCap: 50 });
    for (let i = 0; i < 500; i++) {
      const key = `call-${i}/100${i % 7}`;
      dispatcher.enqueue({ key, kind: 'notify', createdAt: clock.now, run: () => wait(i % 13) });
      dispatcher.enqueue({ key, kind: 'cancel', createdAt: clock.now, run: () => wait(i % 5) });
    }
    expect(dispatcher.stats().keys).to.equal(500);
    await settle(dispatcher);
    expect(dispatcher.stats()).to.include({ size: 0, keys: 0, running: 0, retryWaiting: 0, sent: 1000 });
    expect(clock.countTimers()).to.equal(0);
  });
});

describe('outbox/dispatcher against a slow HubSoft over HTTP (127.0.0.1)', function () {
  this.timeout(20_000);
  const random = seeded(11);
  let server: Server;
  let base: string;
  let seq = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let refused = 0;
  let firstNotifies = 0;
  /** Every request as it arrived, and the moment each successful answer was written, on one counter. */
  const arrivals: Array<{ id: string; seq: number }> = [];
  const answered = new Map<string, number>();
  const attempts = new Map<string, number>();

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const { key, kind } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { key: string; kind: string };
        const id = `${key} ${kind}`;
        arrivals.push({ id, seq: ++seq });
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const attempt = (attempts.get(id) ?? 0) + 1;
        attempts.set(id, attempt);
        // Every fourth notify gets a proxy's 502 page on its first attempt (the dispatcher must retry it).
        const refuse = kind === 'notify' && attempt === 1 && firstNotifies++ % 4 === 0;
        setTimeout(() => {
          inFlight--;
          if (refuse) {
            refused++;
            res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>502 Bad Gateway</body></html>');
            return;
          }
          answered.set(id, ++seq);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', msg: 'ok' }));
        }, 1 + Math.floor(random() * 8));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/integracao/pbx/ligacao`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('never lets a cancel reach HubSoft before its notify was answered, under concurrency 8', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `${1_700_000_000 + (i % 15)}.${i}/${1000 + (i % 9)}`);
    const outcomes: JobOutcome[] = [];
    let done!: () => void;
    const allDone = new Promise<void>((resolve) => (done = resolve));
    const dispatcher = new Dispatcher({
      config: notifySchema.parse({ concurrency: 8, intervalMs: 1000, intervalCap: 1000, retryInitialMs: 5, retryMaxMs: 20, retryDeadlineMs: 5000 }),
      logger: silentLogger(),
      clock: Date.now,
      onResult: (_job, outcome) => {
        outcomes.push(outcome);
        if (outcomes.length === keys.length * 2) done();
      },
    });
    const job = (key: string, kind: JobKind): DispatchJob => ({
      key,
      kind,
      createdAt: Date.now(),
      describe: `${kind} ${key}`,
      run: async (signal) => {
        const response = await fetch(`${base}/${kind === 'notify' ? 'notificar' : 'cancelar'}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ key, kind }),
          signal,
        });
        await response.text();
        if (!response.ok) {
          const html = response.headers.get('content-type')?.includes('html') ?? false;
          throw new BridgeError(html ? 'HUBSOFT_BAD_RESPONSE' : 'HUBSOFT_HTTP', undefined, { status: response.status });
        }
      },
    });
    for (const key of keys) {
      dispatcher.enqueue(job(key, 'notify'));
      if (random() < 0.5) dispatcher.enqueue(job(key, 'cancel'));
      else setTimeout(() => dispatcher.enqueue(job(key, 'cancel')), Math.floor(random() * 20));
    }
    await allDone;
    expect(await dispatcher.drain(1000)).to.deep.equal({ left: 0 });

    expect(outcomes.every((outcome) => outcome === 'sent')).to.equal(true);
    expect(refused).to.equal(10);
    expect(dispatcher.stats().retries).to.equal(10);
    expect(maxInFlight).to.be.at.most(8);
    for (const key of keys) {
      const notifyAnswered = answered.get(`${key} notify`);
      const cancelArrived = arrivals.find((a) => a.id === `${key} cancel`)?.seq;
      expect(notifyAnswered, key).to.be.a('number');
      expect(cancelArrived, key).to.be.greaterThan(notifyAnswered ?? Infinity);
    }
    expect(dispatcher.stats()).to.include({ size: 0, keys: 0, sent: 80 });
  });
});
