import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbox } from '../../src/outbox/outbox.js';
import { BridgeError } from '../../src/errors.js';
import { until } from '../support/bridge-harness.js';
import type { DispatchJob } from '../../src/outbox/dispatcher.js';
import { DurableDispatch } from '../../src/outbox/durable-dispatch.js';
import type { PreparedRequest } from '../../src/outbox/request.js';
import { isRetryable } from '../../src/outbox/retry.js';
import { silentLogger } from '../../src/log/logger.js';

function request(kind: 'notify' | 'cancel', key: string): PreparedRequest {
  return { route: kind === 'notify' ? 'notificar' : 'cancelar', kind, key, body: { ramal: '1001', telefone: key } };
}

describe('DurableDispatch: bounded backlog while HubSoft is down', () => {
  it('past maxBacklog new notifies are dropped and counted; cancels are always kept', () => {
    const held: DispatchJob[] = [];
    const durable = new DurableDispatch({
      dispatcher: { enqueue: (job) => void held.push(job) },
      sender: { send: async () => undefined, isRetryable },
      logger: silentLogger(),
      maxInMemory: 2,
      maxBacklog: 3,
      notifyMaxAgeMs: 60_000,
      clock: () => 0,
    });
    durable.start(null);
    for (let n = 0; n < 10; n += 1) {
      durable.submit(request('notify', `k${n}`), { createdAt: 0 });
    }
    for (let n = 0; n < 5; n += 1) {
      durable.submit(request('cancel', `k${n}`), { createdAt: 0 });
    }
    const stats = durable.stats();
    expect(held).to.have.length(2, 'the dispatcher holds maxInMemory');
    expect(stats.droppedOverflow).to.equal(5, '2 in the dispatcher + 3 in the backlog, the other 5 notifies dropped');
    expect(stats.backlog).to.equal(3 + 5, 'every cancel kept');
  });
});

describe('DurableDispatch: missed calls survive a shutdown', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'durable-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const open = () => Outbox.open({ dir, logger: silentLogger(), maxAgeMs: { notify: 60_000, cancel: 86_400_000 }, fsync: false, clock: () => 0 });
  const make = (held: DispatchJob[]) =>
    new DurableDispatch({
      dispatcher: { enqueue: (job) => void held.push(job) },
      sender: { send: async () => undefined, isRetryable },
      logger: silentLogger(),
      maxInMemory: 10,
      notifyMaxAgeMs: 60_000,
      clock: () => 0,
    });

  it('a cancel that runs out of retries during the shutdown flush stays in the journal for the next start', async () => {
    const held: DispatchJob[] = [];
    const durable = make(held);
    durable.start(await open());
    durable.submit(request('cancel', 'k'), { createdAt: 0 });
    await until(() => held.length === 1, 2000, 'the cancel to reach the dispatcher');
    durable.stopAdmitting();
    durable.onResult(held[0]!, 'failed', { attempts: 3, error: new BridgeError('HUBSOFT_UNREACHABLE') });
    await durable.close();
    const reopened = await open();
    expect(reopened.pending().map((r) => r.route)).to.deep.equal(['cancelar']);
    await reopened.close();
  });

  it('a cancel queued after the bridge stopped admitting is still journaled', async () => {
    const held: DispatchJob[] = [];
    const durable = make(held);
    durable.start(await open());
    durable.stopAdmitting();
    durable.submit(request('cancel', 'k'), { createdAt: 0 });
    await durable.close();
    expect(held, 'nothing enters the dispatcher once stopping').to.have.length(0);
    const reopened = await open();
    expect(reopened.pending().map((r) => r.route)).to.deep.equal(['cancelar']);
    await reopened.close();
  });
});
