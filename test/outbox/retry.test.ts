import { expect } from 'chai';
import { isRetryable } from '../../src/outbox/retry.js';
import { BridgeError } from '../../src/errors.js';

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
