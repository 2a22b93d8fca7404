import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { expectedLive, perRing, type LiveFlowName } from '../support/expected-live-flows.js';
import { startHarness } from '../support/bridge-harness.js';
import { loadFixture, splitAtGaps } from '../support/transcript.js';

describe('recordings from the live Asterisk replayed (test/fixtures/ami/live/, written by npm run record:live)', function () {
  this.timeout(20000);

  for (const [name, expected] of Object.entries(expectedLive) as [LiveFlowName, (typeof expectedLive)[LiveFlowName]][]) {
    it(`${name}: HubSoft receives what it received from the live Asterisk`, async () => {
      const file = new URL(`../fixtures/ami/live/${name}.ami`, import.meta.url);
      expect(existsSync(file), `live/${name}.ami is missing: run npm run record:live`).to.equal(true);
      const harness = await startHarness();
      try {
        // The live bridge ran with the production grace (1.5 s); here it is 150 ms: pause where the PBX paused longer.
        const parts = splitAtGaps(loadFixture(`live/${name}`), 1.5);
        for (const [index, part] of parts.entries()) {
          if (index > 0) await new Promise((resolve) => setTimeout(resolve, harness.config.calls.reringGraceMs * 2));
          await harness.play(part);
        }
        await harness.settle();
        const got = harness.pbxRequests().map((r) => ({ route: r.route, ramal: r.body.ramal, telefone: r.body.telefone }));
        expect(perRing(got), JSON.stringify(got)).to.deep.equal(perRing(expected));
        expect(harness.daemon.bridge.tracker.stats().liveCalls).to.equal(0);
      } finally {
        await harness.close();
      }
    });
  }
});
