/**
 * The fake HubSoft and fake Asterisk AMI as standalone servers on 127.0.0.1, for checks from outside
 * the test process (the .deb check in CI). Writes a config file pointing at them, prints "ready",
 * and serves until SIGTERM or SIGINT.
 *
 *   node --import tsx test/support/serve-fakes.ts CONFIG_OUT
 */
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { FAKE_CREDENTIALS, startFakeHubsoft } from './fake-hubsoft.js';
import { startFakeAmi } from './fake-ami.js';

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: tsx test/support/serve-fakes.ts CONFIG_OUT\n');
  process.exit(64);
}
const hubsoft = await startFakeHubsoft();
const ami = await startFakeAmi({ username: 'bridge', secret: 'ami-secret-fake' });
const config = {
  hubsoft: { url: hubsoft.url, ...FAKE_CREDENTIALS },
  ami: { host: ami.host, port: ami.port, username: 'bridge', secret: 'ami-secret-fake' },
  lookup: { defaultAreaCode: '37' },
};
writeFileSync(out, stringify(config), { mode: 0o640 });
process.stdout.write(`ready hubsoft=${hubsoft.url} ami=${ami.host}:${ami.port}\n`);

const stop = async (): Promise<void> => {
  await Promise.allSettled([hubsoft.close(), ami.close()]);
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
