import { expect } from 'chai';
import { normaliseMessage } from '../../src/ami/normalise.js';
import { CallTracker } from '../../src/calls/tracker.js';
import { offlineConfig } from '../support/config.js';
import { generateCalls } from '../support/ami-script.js';

const config = offlineConfig();

describe('call tracker soak (10,000 generated calls in-process)', function () {
  this.timeout(120_000);

  it('live state returns to zero, every ring stops exactly once, and the state stays bounded on the way', () => {
    let now = 0;
    const tracker = new CallTracker({ config: config.calls, clock: () => now });
    const open = new Set<string>();
    let rings = 0;
    let maxLive = 0;
    for (const frame of generateCalls(10_000, 42)) {
      now = Math.max(now, frame.at);
      const normalised = normaliseMessage(frame.fields);
      if (normalised.kind !== 'event') continue;
      const outputs = [...tracker.advance(), ...tracker.handle(normalised.message)];
      for (const output of outputs) {
        if (output.type === 'entered') continue;
        const key = `${output.call.linkedid}/${output.extension}`;
        if (output.type === 'ringing') {
          expect(open.has(key), key).to.equal(false);
          open.add(key);
          rings += 1;
        } else {
          expect(open.delete(key), key).to.equal(true);
        }
      }
      maxLive = Math.max(maxLive, tracker.stats().liveCalls);
    }
    now += config.calls.reringGraceMs + 1;
    tracker.advance();
    expect(rings).to.be.greaterThan(10_000);
    expect(open.size).to.equal(0);
    expect(tracker.stats()).to.deep.equal({ liveCalls: 0, liveChannels: 0, openRings: 0, pendingGraces: 0 });
    // Overlapping calls, not an ever-growing map: a few dozen at once with a 2 s mean gap.
    expect(maxLive).to.be.lessThan(200);
  });
});
