import { expect } from 'chai';
import fc from 'fast-check';
import { backoffDelay } from '../../src/bridge/backoff.js';
import { isRetryable } from '../../src/bridge/retry.js';
import { BridgeError } from '../../src/errors.js';

describe('backoffDelay', () => {
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

describe('isRetryable', () => {
  const http = (status: number) => new BridgeError('HUBSOFT_HTTP', undefined, { status });

  it('retries timeouts, unreachable HubSoft and 5xx', () => {
    expect(isRetryable(new BridgeError('HUBSOFT_TIMEOUT'))).to.equal(true);
    expect(isRetryable(new BridgeError('HUBSOFT_UNREACHABLE'))).to.equal(true);
    expect(isRetryable(http(500))).to.equal(true);
    expect(isRetryable(http(503))).to.equal(true);
    expect(isRetryable(new BridgeError('HUBSOFT_HTTP', undefined, { statusCode: 502 }))).to.equal(true);
    expect(isRetryable(http(429))).to.equal(true);
  });

  it('retries rejected credentials: the request is fine, and a missed call must survive a password fix', () => {
    expect(isRetryable(new BridgeError('HUBSOFT_AUTH_REJECTED'))).to.equal(true);
  });

  it('retries an HTML 502 page but not a malformed 200', () => {
    expect(isRetryable(new BridgeError('HUBSOFT_BAD_RESPONSE', undefined, { status: 502 }))).to.equal(true);
    expect(isRetryable(new BridgeError('HUBSOFT_BAD_RESPONSE'))).to.equal(true);
    expect(isRetryable(new BridgeError('HUBSOFT_BAD_RESPONSE', undefined, { status: 200 }))).to.equal(false);
  });

  it('treats 4xx and status "error" as final', () => {
    expect(isRetryable(http(400))).to.equal(false);
    expect(isRetryable(http(404))).to.equal(false);
    expect(isRetryable(http(422))).to.equal(false);
    expect(isRetryable(new BridgeError('HUBSOFT_HTTP'))).to.equal(false);
    expect(isRetryable(new BridgeError('HUBSOFT_STATUS_ERROR'))).to.equal(false);
  });

  it('retries raw socket errors, also wrapped by fetch, and nothing else', () => {
    expect(isRetryable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).to.equal(true);
    expect(isRetryable(new TypeError('fetch failed', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) }))).to.equal(true);
    expect(isRetryable(new TypeError('x is undefined'))).to.equal(false);
    expect(isRetryable(undefined)).to.equal(false);
    expect(isRetryable('boom')).to.equal(false);
    const loop: { cause?: unknown } = {};
    loop.cause = loop;
    expect(isRetryable(loop)).to.equal(false);
  });
});
