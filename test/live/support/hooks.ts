import { findAsterisk, sippPath } from './asterisk-build.js';
import { everyPid, isAlive, stillRunning, stopAll } from './processes.js';

/**
 * Root hooks of `npm run test:live`: find (or build) Asterisk once, and at the end prove that no
 * Asterisk, SIPp or bridge process the suite started is left, by pid.
 */
let prefix: string | null = null;
let skipReason = '';

/** The Asterisk prefix for a suite's before(); skips the suite (visibly) when there is none. */
export function livePrefix(context: Mocha.Context): string {
  if (prefix === null) {
    context.skip();
  }
  return prefix as string;
}

export const mochaHooks = {
  beforeAll(this: Mocha.Context) {
    this.timeout(0);
    const source = findAsterisk();
    const sipp = sippPath();
    if (source.kind === 'prefix' && sipp) {
      prefix = source.prefix;
      process.stdout.write(`live suite: Asterisk from ${source.from}; SIPp ${sipp}\n`);
      return;
    }
    skipReason = source.kind === 'none' ? source.why : 'no SIPp: apt-get install sip-tester';
    if (process.env.LIVE_REQUIRED === '1') throw new Error(`live suite required (LIVE_REQUIRED=1) but cannot run: ${skipReason}`);
    process.stdout.write(`live suite SKIPPED: ${skipReason}\n`);
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(30000);
    const left = stillRunning();
    await stopAll();
    const alive = everyPid.filter(isAlive);
    if (skipReason) process.stdout.write(`live suite SKIPPED: ${skipReason}\n`);
    if (left.length > 0 || alive.length > 0) {
      throw new Error(`processes left running by the live suite: ${left.map((p) => `${p.name} (pid ${p.pid})`).join(', ')}${alive.length ? `; still alive: ${alive.join(', ')}` : ''}`);
    }
    process.stdout.write(`live suite: ${everyPid.length} processes started, none left running\n`);
  },
};
