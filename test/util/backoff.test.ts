import { expect } from 'chai';
import fc from 'fast-check';
import { backoffDelay } from '../../src/util/backoff.js';

describe('backoffDelay (HubSoft retries: half to all of the step)', () => {
  const policy = { initialMs: 500, maxMs: 10_000 };

  it('doubles from initialMs and caps at maxMs', () => {
    const top = (retry: number) => backoffDelay(retry, policy, () => 1);
    expect([0, 1, 2, 3, 4, 5, 6, 40].map(top)).to.deep.equal([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it('jitters between half and all of the capped delay', () => {
    expect(backoffDelay(2, policy, () => 0)).to.equal(1000);
    expect(backoffDelay(2, policy, () => 0.5)).to.equal(1500);
  });

  it('stays within bounds for any retry number and random draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 10_000 }), fc.double({ min: -1, max: 2, noNaN: true }), (retry, draw) => {
        const delay = backoffDelay(retry, policy, () => draw);
        return Number.isFinite(delay) && delay >= policy.initialMs / 2 && delay <= policy.maxMs;
      }),
      { seed: 42 },
    );
  });
});

describe('backoffDelay with the AMI reconnect policy (+-25%, never below the first step)', () => {
  const policy = { initialMs: 1000, maxMs: 30_000, jitter: [0.75, 1.25] as const, floorMs: 1000 };
  const reconnectDelay = (n: number, p: { initialMs: number; maxMs: number }, random: () => number) =>
    backoffDelay(n, { ...p, initialMs: Math.max(1, p.initialMs), jitter: [0.75, 1.25], floorMs: Math.max(1, p.initialMs) }, random);

  it('doubles from initialMs up to maxMs (middle of the jitter)', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((n) => reconnectDelay(n, policy, () => 0.5))).to.deep.equal([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('jitters by +-25% and stays within [initialMs, maxMs] (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, r) => {
        const d = backoffDelay(n, policy, () => r);
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
