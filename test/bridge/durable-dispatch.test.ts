import { expect } from 'chai';
import type { DispatchJob } from '../../src/bridge/dispatcher.js';
import { DurableDispatch } from '../../src/bridge/durable-dispatch.js';
import type { RingNotice } from '../../src/bridge/crm-port.js';
import { silentLogger } from '../../src/log/logger.js';

function ring(n: number): RingNotice {
  return {
    call: { linkedid: `1795460000.${n}`, callerNumber: `3799991${String(n).padStart(4, '0')}`, callerName: '', did: '', direction: 'inbound', callerChannel: '' },
    extension: '1001',
    context: {},
    lookup: null,
    at: 0,
  };
}

describe('DurableDispatch: bounded backlog while HubSoft is down', () => {
  it('past maxBacklog new notifies are dropped and counted; cancels are always kept', () => {
    const held: DispatchJob[] = [];
    const durable = new DurableDispatch({
      dispatcher: { enqueue: (job) => void held.push(job) },
      sender: { bodyFor: (r) => ({ ramal: r.extension, telefone: r.call.callerNumber }), send: async () => undefined },
      logger: silentLogger(),
      maxInMemory: 2,
      maxBacklog: 3,
      notifyMaxAgeMs: 60_000,
      clock: () => 0,
    });
    durable.start(null);
    for (let n = 0; n < 10; n += 1) {
      durable.enqueue({ key: `k${n}`, kind: 'notify', createdAt: 0, run: async () => undefined, ring: ring(n) });
    }
    for (let n = 0; n < 5; n += 1) {
      durable.enqueue({ key: `k${n}`, kind: 'cancel', createdAt: 0, run: async () => undefined, ring: ring(n), reason: 'missed' });
    }
    const stats = durable.stats();
    expect(held).to.have.length(2, 'the dispatcher holds maxInMemory');
    expect(stats.droppedOverflow).to.equal(5, '2 in the dispatcher + 3 in the backlog, the other 5 notifies dropped');
    expect(stats.backlog).to.equal(3 + 5, 'every cancel kept');
  });
});
