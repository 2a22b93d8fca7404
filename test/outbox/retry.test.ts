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

  it('retries a body that is not JSON, whatever its status: an HTML 502 page, and a 200 from HubSoft mid-update', () => {
    expect(isRetryable(new BridgeError('HUBSOFT_BAD_RESPONSE', undefined, { status: 502 }))).to.equal(true);
    expect(isRetryable(new BridgeError('HUBSOFT_BAD_RESPONSE'))).to.equal(true);
    expect(isRetryable(new BridgeError('HUBSOFT_BAD_RESPONSE', undefined, { status: 200, snippet: '<br />Fatal error' }))).to.equal(true);
  });

  it('retries a status "error" and a 4xx that name no field (HubSoft mid-update)', () => {
    expect(isRetryable(new BridgeError('HUBSOFT_STATUS_ERROR', undefined, { status: 200, msg: 'Erro interno', fields: [] }))).to.equal(true);
    expect(isRetryable(new BridgeError('HUBSOFT_STATUS_ERROR'))).to.equal(true);
    expect(isRetryable(http(400))).to.equal(true);
    expect(isRetryable(http(404))).to.equal(true);
    expect(isRetryable(new BridgeError('HUBSOFT_HTTP'))).to.equal(true);
  });

  it('treats only a refusal that names fields as final (422 or status "error" with errors)', () => {
    const named = (code: 'HUBSOFT_HTTP' | 'HUBSOFT_STATUS_ERROR', status: number) => new BridgeError(code, undefined, { status, fields: ['ramal'] });
    expect(isRetryable(named('HUBSOFT_HTTP', 422))).to.equal(false);
    expect(isRetryable(named('HUBSOFT_HTTP', 400))).to.equal(false);
    expect(isRetryable(named('HUBSOFT_STATUS_ERROR', 200))).to.equal(false);
    // A 5xx stays retryable even if it names something.
    expect(isRetryable(named('HUBSOFT_HTTP', 503))).to.equal(true);
    expect(isRetryable(new BridgeError('HUBSOFT_REQUEST_INVALID'))).to.equal(false);
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
