import { expect } from 'chai';
import * as FakeTimers from '@sinonjs/fake-timers';
import { Dispatcher, type DispatchJob } from '../../src/outbox/dispatcher.js';
import { DurableDispatch } from '../../src/outbox/durable-dispatch.js';
import type { Lane } from '../../src/outbox/lanes.js';
import type { PreparedRequest } from '../../src/outbox/request.js';
import { isRetryable } from '../../src/outbox/retry.js';
import { notifySchema } from '../../src/config/schema.js';
import { BridgeError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';

/**
 * Live first (issue 14.1): with a full backlog lane, a request for a call in progress leaves before the
 * backlog, whatever the concurrency. Driven with fake timers; "HubSoft" answers each request after 10 ms.
 */
describe('outbox lanes: live requests leave before a full backlog (fake time)', function () {
  this.timeout(10_000);
  let clock: FakeTimers.Clock;

  beforeEach(() => {
    clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'], now: 1_000_000, loopLimit: 100_000 });
  });
  afterEach(() => clock.uninstall());

  function dispatcher(concurrency: number): Dispatcher {
    return new Dispatcher({
      config: notifySchema.parse({ concurrency, intervalMs: 0, retryInitialMs: 50, retryMaxMs: 50, retryDeadlineMs: 60_000 }),
      logger: silentLogger(),
      clock: () => clock.now,
      random: () => 1,
      holdDuringOutage: true,
    });
  }

  /** A job that takes `ms` of (fake) HubSoft time and records when it started. */
  function job(started: string[], name: string, lane: Lane, order: number, ms = 10, fail?: () => boolean): DispatchJob {
    return {
      key: name,
      kind: 'cancel',
      lane,
      order,
      createdAt: clock.now,
      describe: name,
      run: () =>
        new Promise<void>((resolve, reject) => {
          started.push(name);
          setTimeout(() => (fail?.() ? reject(new BridgeError('HUBSOFT_UNREACHABLE')) : resolve()), ms);
        }),
    };
  }

  for (const concurrency of [1, 4]) {
    it(`dispatcher, concurrency ${concurrency}: a live job enqueued behind 50 backlog jobs is among the next to start`, async () => {
      const d = dispatcher(concurrency);
      const started: string[] = [];
      for (let i = 0; i < 50; i++) d.enqueue(job(started, `backlog-${i}`, 'backlog', i));
      await clock.tickAsync(15); // the first backlog requests are in flight
      const before = started.length;
      d.enqueue(job(started, 'live', 'live', 1000));
      const idle = d.onIdle();
      await clock.runAllAsync();
      await idle;
      // It waits at most for the requests already in flight: the next free slot is its.
      expect(started.indexOf('live')).to.equal(before);
      expect(started).to.have.length(51);
    });

    it(`dispatcher, concurrency ${concurrency}: when HubSoft comes back, held live jobs resume before the held backlog`, async () => {
      const d = dispatcher(concurrency);
      const started: string[] = [];
      let down = true;
      for (let i = 0; i < 20; i++) d.enqueue(job(started, `backlog-${i}`, 'backlog', i, 10, () => down));
      await clock.tickAsync(30); // HubSoft is down: one probe retries, everything else is held
      for (let i = 0; i < 3; i++) d.enqueue(job(started, `live-${i}`, 'live', 100 + i, 10, () => down));
      await clock.tickAsync(30);
      expect(d.stats().outage).to.equal(true);
      down = false;
      const from = started.length;
      const idle = d.onIdle();
      await clock.runAllAsync();
      await idle;
      const resumed = started.slice(from);
      // The probe (a backlog job) may be the one that finds HubSoft back; right after it, the live jobs.
      const firstLive = resumed.findIndex((name) => name.startsWith('live'));
      expect(firstLive, resumed.join(' ')).to.be.at.most(1);
      expect(resumed.slice(firstLive, firstLive + 3)).to.deep.equal(['live-0', 'live-1', 'live-2']);
    });
  }

  it('durable dispatch with notify.concurrency 1: the live request is next after the backlog request in flight', async () => {
    const started: string[] = [];
    let durable!: DurableDispatch;
    const wired = new Dispatcher({
      config: notifySchema.parse({ concurrency: 1, intervalMs: 0 }),
      logger: silentLogger(),
      clock: () => clock.now,
      holdDuringOutage: true,
      onResult: (j, outcome, info) => durable.onResult(j, outcome, info),
    });
    durable = new DurableDispatch({
      dispatcher: wired,
      sender: {
        send: (request: PreparedRequest) =>
          new Promise<void>((resolve) => {
            started.push(String((request.body as { name: string }).name));
            setTimeout(resolve, 10);
          }),
        isRetryable,
      },
      logger: silentLogger(),
      maxInMemory: 50,
      concurrency: 1,
      notifyMaxAgeMs: 60_000,
      clock: () => clock.now,
    });
    durable.start(null);
    const request = (name: string): PreparedRequest => ({ route: 'cancelar', kind: 'cancel', key: name, body: { name } });
    for (let i = 0; i < 100; i++) durable.submit(request(`backlog-${i}`), { createdAt: clock.now, lane: 'backlog' });
    await clock.tickAsync(25);
    const before = started.length;
    durable.submit(request('live-a'), { createdAt: clock.now });
    durable.submit(request('live-b'), { createdAt: clock.now });
    const idle = wired.onIdle();
    await clock.runAllAsync();
    await idle;
    await clock.runAllAsync();
    expect(started.slice(before, before + 2)).to.deep.equal(['live-a', 'live-b']);
    expect(started).to.have.length(102);
    expect(durable.stats()).to.include({ backlog: 0, inDispatcher: 0 });
  });
});
