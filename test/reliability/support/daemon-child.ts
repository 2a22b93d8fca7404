/**
 * The whole daemon in a child process, for the kill -9 test. The fakes live in the parent.
 * Usage: node --import tsx test/reliability/support/daemon-child.ts CONFIG.json
 * Prints READY once started; SIGTERM stops it cleanly (exit 0); the test may SIGKILL it at any moment.
 */
import { readFileSync } from 'node:fs';
import { Daemon } from '../../../src/cli/daemon.js';
import { parseConfig } from '../../../src/config/load.js';
import { createLogger, silentLogger } from '../../../src/log/logger.js';

const [file] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: daemon-child.ts CONFIG.json\n');
  process.exit(2);
}
const config = parseConfig(JSON.parse(readFileSync(file, 'utf8')));
// CHILD_LOG=debug (or another level) logs to stderr, for debugging the test.
const level = process.env.CHILD_LOG;
const logger = level ? createLogger({ level: level as 'debug', destination: process.stderr }) : silentLogger();
const daemon = new Daemon({ config, logger });
await daemon.start();
process.stdout.write('READY\n');
process.once('SIGTERM', () => {
  void daemon.stop(1000).then(() => process.exit(0));
});
