import { expect } from 'chai';
import { generateCalls, type Fields } from '../support/ami-script.js';
import { startHarness } from '../support/bridge-harness.js';
import { asTranscript } from './support/calls.js';

/**
 * Opt-in soak: SOAK_CALLS=100000 npx mocha test/reliability/soak.test.ts (node --expose-gc for the heap check).
 * Every generated call goes through the fake Asterisk (TCP), the whole bridge and the fake HubSoft (HTTP).
 * Too slow for CI on a 2-core box (the in-process 10,000-call soak in test/calls runs there instead).
 */
const calls = Number(process.env.SOAK_CALLS ?? 0);

describe('reliability: soak through the fake Asterisk (opt-in: SOAK_CALLS)', function () {
  this.timeout(0);

  it(`replays ${calls || 'SOAK_CALLS'} generated calls; live state and heap return to baseline`, async function () {
    if (!calls) this.skip();
    const gc = (globalThis as { gc?: () => void }).gc;
    const harness = await startHarness({ config: { notify: { maxAgeMs: 600_000 } } });
    try {
      gc?.();
      const baseline = process.memoryUsage().heapUsed;
      let chunk: Fields[] = [];
      for (const frame of generateCalls(calls, 99, { meanGapMs: 200 })) {
        chunk.push(frame.fields);
        if (chunk.length >= 2000) {
          await harness.play(asTranscript(chunk.map((fields) => ({ at: 0, fields }))));
          chunk = [];
        }
      }
      await harness.play(asTranscript(chunk.map((fields) => ({ at: 0, fields }))));
      await harness.settle(600_000);
      const { daemon } = harness;
      expect(daemon.bridge.tracker.stats()).to.deep.equal({ liveCalls: 0, liveChannels: 0, openRings: 0, pendingGraces: 0 });
      expect(daemon.bridge.callPath.stats()).to.deep.equal({ openRings: 0, waitingForLookup: 0 });
      expect(daemon.durable.stats()).to.include({ backlog: 0, inDispatcher: 0, staging: 0 });
      expect(daemon.durable.stats().outbox?.pending).to.equal(0);
      if (gc) {
        gc();
        const grownMb = (process.memoryUsage().heapUsed - baseline) / 1024 / 1024;
        // The fake HubSoft keeps every request it received; allow for that, catch a leak per call.
        expect(grownMb).to.be.lessThan(20 + (calls * 2.5) / 1024);
      }
    } finally {
      await harness.close();
    }
  });
});
