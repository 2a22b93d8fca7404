import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replayJournal } from '../../src/outbox/outbox-replay.js';
import { startHarness, until, type Harness } from '../support/bridge-harness.js';
import { callerOf, missedCalls } from './support/calls.js';

/** The cancels pending in the bridge's journal, in journal order (telefone of each). */
function journaledCancels(harness: Harness): string[] {
  const data = readFileSync(join(harness.config.state.dir, 'outbox', 'journal.jsonl'));
  const { pending } = replayJournal(data, Date.now(), { notify: 3_600_000, cancel: 86_400_000 });
  return pending.filter((r) => r.kind === 'cancel').map((r) => String((r.body as Record<string, unknown>).telefone));
}

/** notificar/cancelar HubSoft accepted: every request that arrived after `from` (failures were all used up before). */
function accepted(harness: Harness, from: number) {
  return harness.hubsoft.requests
    .slice(from)
    .filter((r) => r.path.includes('/pbx/ligacao/'))
    .map((r) => ({ route: r.path.endsWith('cancelar') ? 'cancelar' : 'notificar', telefone: String((r.body as Record<string, unknown>).telefone) }));
}

describe('reliability: HubSoft outage and token revocation (fake Asterisk over TCP, fake HubSoft over HTTP)', function () {
  this.timeout(60_000);
  let harness: Harness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('HubSoft down for a burst of 200 missed calls, then up: all 200 cancels delivered in journal order, none twice, memory bounded', async () => {
    const maxInMemory = 30;
    harness = await startHarness({
      config: {
        // One request at a time, so arrival order at HubSoft is the order the bridge sends in.
        notify: { concurrency: 1, retryInitialMs: 10, retryMaxMs: 50, retryDeadlineMs: 300 },
        state: { outbox: { maxInMemory } },
      },
    });
    const { hubsoft, daemon } = harness;
    hubsoft.failNext(1_000_000, 'status503');
    await harness.play(missedCalls(200));
    await until(() => daemon.durable.stats().journaled >= 400 && daemon.durable.stats().staging === 0, 10_000, 'every request journaled');
    // The bridge kept tracking: every call ended and produced its cancel while HubSoft was down.
    expect(daemon.bridge.tracker.stats().liveCalls).to.equal(0);
    const during = daemon.durable.stats();
    expect(during.inDispatcher).to.be.at.most(maxInMemory);
    expect(daemon.dispatcher.size()).to.be.at.most(maxInMemory);
    expect(during.backlog).to.be.greaterThan(0, 'the rest waits on disk');
    expect(during.outbox?.pending).to.be.greaterThan(maxInMemory);

    // Journal order is the order the bridge queued them in: a cancel waits for its ring's lookup, so it
    // need not be call order. Every one of the 200 is there.
    const journalOrder = journaledCancels(harness);
    const expected = Array.from({ length: 200 }, (_, i) => callerOf(i));
    expect([...journalOrder].sort()).to.deep.equal(expected);

    const upAt = hubsoft.requests.length;
    hubsoft.clearFailures();
    await harness.settle(30_000);

    const cancels = accepted(harness, upAt).filter((r) => r.route === 'cancelar').map((r) => r.telefone);
    expect(cancels).to.deep.equal(journalOrder, 'every cancel once, in journal order');
    expect(daemon.durable.stats().outbox?.pending).to.equal(0);
    // Per ring, a notify that still went out went before its cancel.
    const all = accepted(harness, upAt);
    for (const telefone of expected) {
      const routes = all.filter((r) => r.telefone === telefone).map((r) => r.route);
      expect(routes.at(-1), telefone).to.equal('cancelar');
      expect(routes.filter((r) => r === 'notificar').length, telefone).to.be.at.most(1);
    }
  });

  it('a 401 storm during a burst of calls causes exactly one token request', async () => {
    harness = await startHarness({ config: { notify: { concurrency: 8 } } });
    const { hubsoft } = harness;
    await harness.play(missedCalls(2, '1001', 900));
    await harness.settle();
    const tokensBefore = hubsoft.tokensIssued();
    expect(tokensBefore).to.be.greaterThan(0);
    hubsoft.expireTokens(); // HubSoft update: every token revoked
    const before = hubsoft.requests.length;
    await harness.play(missedCalls(60, '1002', 1000));
    await harness.settle(20_000);
    expect(hubsoft.tokensIssued() - tokensBefore).to.equal(1);
    expect(hubsoft.requests.slice(before).filter((r) => !r.authOk && r.path.startsWith('/api/')).length).to.be.greaterThan(1, 'a storm of 401s happened');
    const cancels = accepted(harness, before).filter((r) => r.route === 'cancelar');
    expect(new Set(cancels.map((r) => r.telefone)).size).to.equal(60);
  });
});
