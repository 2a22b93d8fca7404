import { expect } from 'chai';
import fc from 'fast-check';
import { reconnectDelay } from '../../src/ami/backoff.js';

describe('ami/backoff', () => {
  const policy = { initialMs: 1000, maxMs: 30_000 };

  it('doubles from initialMs up to maxMs (middle of the jitter)', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((n) => reconnectDelay(n, policy, () => 0.5))).to.deep.equal([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('jitters by +-25% and stays within [initialMs, maxMs] (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, r) => {
        const d = reconnectDelay(n, policy, () => r);
        return d >= policy.initialMs && d <= policy.maxMs;
      }),
      { seed: 7, numRuns: 500 },
    );
    expect(reconnectDelay(2, policy, () => 0)).to.equal(3000);
    expect(reconnectDelay(2, policy, () => 0.999999)).to.equal(5000);
  });

  it('copes with a broken random source and odd policies', () => {
    expect(reconnectDelay(0, policy, () => Number.NaN)).to.equal(1000);
    expect(reconnectDelay(3, { initialMs: 0, maxMs: 0 }, () => 0.5)).to.equal(1);
    expect(reconnectDelay(3, { initialMs: 500, maxMs: 100 }, () => 0.5)).to.equal(500);
  });
});
