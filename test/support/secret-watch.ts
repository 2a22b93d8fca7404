import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { secretForms } from '../../src/log/redact.js';
import { FAKE_CREDENTIALS } from './fake-hubsoft.js';

/**
 * Root hook of the everyday suite: every byte any test writes to a stream that is not a network socket (the
 * loggers' destinations, stdout, stderr) is searched for the fake HubSoft's secrets in every form an echo can
 * produce. A hit fails the run at the end, naming the test: no secret in any log line, at any level, on any path.
 */
const forms = [FAKE_CREDENTIALS.clientSecret, FAKE_CREDENTIALS.password].flatMap((secret) => secretForms(secret));
const leaks: string[] = [];
let current = '(outside a test)';

const write = Writable.prototype.write;
Writable.prototype.write = function (this: Writable, chunk: unknown, ...rest: unknown[]) {
  if (!(this instanceof Socket) || this === (process.stdout as unknown) || this === (process.stderr as unknown)) {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
    const hit = forms.find((form) => text.includes(form));
    if (hit && leaks.length < 20) leaks.push(`${current}: ${JSON.stringify(text.slice(Math.max(0, text.indexOf(hit) - 80), text.indexOf(hit) + hit.length + 20))}`);
  }
  return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
} as typeof Writable.prototype.write;

export const mochaHooks = {
  beforeEach(this: Mocha.Context) {
    current = this.currentTest?.fullTitle() ?? current;
  },
  afterAll() {
    if (leaks.length > 0) throw new Error(`a HubSoft secret reached a log or output stream:\n${leaks.join('\n')}`);
  },
};
