import { expect } from 'chai';
import { BridgeError } from '../../src/errors.js';
import { createLogger, stdoutIsJournal } from '../../src/log/logger.js';
import { execFileSync } from 'node:child_process';
import { CLIENTE_PATH } from '../../src/hubsoft/customers.js';
import { createHubsoftClient } from '../../src/hubsoft/client.js';
import { startFakeHubsoft } from '../support/fake-hubsoft.js';
import { testConfig } from '../hubsoft/helpers.js';
import { capturingStream } from '../support/capturing-logger.js';

const SECRETS = {
  password: 'Sup3r-Senha-do-API',
  clientSecret: 'ONe7Ns48Y30tB-client-secret',
  amiSecret: 'ami-s3cret-value',
  token: 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.token-body',
};

function expectNoSecret(lines: readonly string[], secrets: readonly string[]): void {
  expect(lines.length).to.be.greaterThan(0);
  for (const line of lines) for (const secret of secrets) expect(line, line).not.to.contain(secret);
}

describe('log: secrets never reach a log line', () => {
  it('redacts secret keys at any depth we log', () => {
    const { stream, lines } = capturingStream();
    const logger = createLogger({ level: 'debug', destination: stream });
    logger.info({ password: SECRETS.password, hubsoft: { clientSecret: SECRETS.clientSecret, password: SECRETS.password } }, 'config');
    logger.info({ ami: { secret: SECRETS.amiSecret } }, 'ami');
    logger.info({ body: { access_token: SECRETS.token, refresh_token: SECRETS.token } }, 'token');
    logger.info({ request: { headers: { authorization: `Bearer ${SECRETS.token}` } } }, 'request');
    expectNoSecret(lines, Object.values(SECRETS));
  });

  it('masks configured secrets inside error messages, stacks and details', () => {
    const { stream, lines } = capturingStream();
    const logger = createLogger({ level: 'debug', destination: stream, secrets: Object.values(SECRETS) });
    const cause = new Error(`login failed for password=${SECRETS.password}`);
    const error = new BridgeError('HUBSOFT_HTTP', `bad answer with ${SECRETS.token}`, { echoed: `client_secret=${SECRETS.clientSecret}` }, { cause });
    logger.error({ err: error }, 'request failed');
    logger.error({ error }, 'request failed again');
    logger.warn(`free text ${SECRETS.amiSecret} and ${encodeURIComponent(SECRETS.password)}`);
    expectNoSecret(lines, Object.values(SECRETS));
    expect(lines.join('\n')).to.contain('[redacted]');
  });

  it('the HubSoft client logs no secret while failing to log in', async () => {
    const fake = await startFakeHubsoft();
    try {
      const { stream, lines } = capturingStream();
      const config = testConfig(fake, { hubsoft: { password: 'wrong-Senha-9876', tls: { insecure: true } } });
      const logger = createLogger({ level: 'trace', destination: stream, secrets: [config.hubsoft.password, config.hubsoft.clientSecret] });
      const client = createHubsoftClient(config.hubsoft, { logger });
      try {
        await client.get(CLIENTE_PATH, { busca: 'telefone', termo_busca: '37999912222' });
      } catch (error) {
        logger.error({ err: error }, 'lookup failed');
      }
      expectNoSecret(lines, [config.hubsoft.password, config.hubsoft.clientSecret]);
      expect(lines.some((l) => l.includes('insecure'))).to.equal(true);
    } finally {
      await fake.close();
    }
  });
});

describe('logs for journald (JOURNAL_STREAM set)', () => {
  it('starts each line with its syslog priority so journalctl -p err filters', () => {
    const { stream, lines } = capturingStream();
    const logger = createLogger({ level: 'debug', destination: stream, journal: true, secrets: [SECRETS.password] });
    logger.fatal('fatal');
    logger.error('error');
    logger.child({ component: 'ami' }).warn('warn');
    logger.info(`info ${SECRETS.password}`);
    logger.debug('debug');
    expect(lines.map((line) => line.slice(0, 3))).to.deep.equal(['<2>', '<3>', '<4>', '<6>', '<7>']);
    expect(JSON.parse(lines[3]!.slice(3))).to.include({ msg: 'info [redacted]' });
  });

  it('knows stdout is the journal only when JOURNAL_STREAM names the very file on fd 1', () => {
    const stat = () => ({ dev: 25, ino: 4711 });
    expect(stdoutIsJournal({ JOURNAL_STREAM: '25:4711' }, stat)).to.equal(true);
    expect(stdoutIsJournal({ JOURNAL_STREAM: '25:4712' }, stat)).to.equal(false);
    expect(stdoutIsJournal({}, stat)).to.equal(false);
  });

  it('a process whose stdout is the JOURNAL_STREAM file writes priorities; JSON lines otherwise', () => {
    const script = [
      "import { fstatSync } from 'node:fs';",
      `import { createLogger } from ${JSON.stringify(new URL('../../src/log/logger.ts', import.meta.url).pathname)};`,
      "const { dev, ino } = fstatSync(1);",
      "if (process.argv[1] === 'journal') process.env.JOURNAL_STREAM = `${dev}:${ino}`;",
      "const log = createLogger({ level: 'debug' });",
      "log.error('e'); log.warn('w'); log.info('i'); log.debug('d');",
    ].join('\n');
    const run = (mode: string) => execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, mode], { env: { PATH: process.env.PATH ?? '' } }).toString().trim().split('\n');
    expect(run('journal').map((line) => line.slice(0, 3))).to.deep.equal(['<3>', '<4>', '<6>', '<7>']);
    expect(run('plain').every((line) => line.startsWith('{"level":'))).to.equal(true);
  });
});
