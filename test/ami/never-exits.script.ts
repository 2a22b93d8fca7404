// Child process for never-exits.test.ts: an AmiConnection alone in a process, nothing else
// keeping it alive. Usage: tsx never-exits.script.ts PORT SECRET
import { AmiConnection } from '../../src/ami/connection.js';
import { amiSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/log/logger.js';

const [port, secret] = process.argv.slice(2);
const config = Object.freeze(
  amiSchema.parse({ host: '127.0.0.1', port, username: 'bridge', secret, reconnectInitialMs: 20, reconnectMaxMs: 60, actionTimeoutMs: 500 }),
);
const connection = new AmiConnection({ config, logger: createLogger({ level: 'info', secrets: [secret ?? ''] }) });
connection.start();
process.on('SIGTERM', () => {
  void connection.stop().then(() => {
    process.exitCode = 0;
  });
});
