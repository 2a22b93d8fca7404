import { expect } from 'chai';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AmiConnection } from '../../src/ami/connection.js';
import { amiSchema } from '../../src/config/schema.js';
import { parseConfig } from '../../src/config/load.js';
import { createHubsoftClient } from '../../src/hubsoft/client.js';
import { CLIENTE_PATH } from '../../src/hubsoft/customers.js';
import { createLogger } from '../../src/log/logger.js';
import { maskSecretFields, secretForms } from '../../src/log/redact.js';
import { startFakeAmi } from '../support/fake-ami.js';
import { capturingStream } from '../support/capturing-logger.js';

/** Secrets with characters every encoding treats differently: +, space, /, &, =, %, a quote, non-ASCII. */
const SECRETS = {
  password: 'fake-Senha+1234 &x=y/ç',
  clientSecret: 'ONe7Ns48+Y30tB/client%secret"q',
  amiSecret: 'ami-S3cret+value/é',
};

/** Every spelling of a secret a reader could recognise: what must never show up. */
function spellings(secret: string): string[] {
  const encoded = encodeURIComponent(secret);
  const form = new URLSearchParams([['', secret]]).toString().slice(1);
  const all = [secret, encoded, encoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()), form, secret.replace(/\+/g, ' '), JSON.stringify(secret).slice(1, -1), JSON.stringify(form).slice(1, -1)];
  return [...new Set(all)];
}

function expectClean(lines: readonly string[]): void {
  expect(lines.length).to.be.greaterThan(0);
  for (const secret of Object.values(SECRETS)) {
    for (const spelling of spellings(secret)) {
      for (const line of lines) expect(line.includes(spelling), `${JSON.stringify(spelling)} in ${line}`).to.equal(false);
    }
  }
}

/** A HubSoft whose token route answers `status` with the request echoed back in three transformed ways. */
async function echoingHubsoft(status: number): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const fields = JSON.parse(raw || '{}') as Record<string, string>;
      const form = new URLSearchParams(fields).toString();
      const decoded = form.replace(/\+/g, ' ');
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `Erro ao processar ${form} (${decoded})`, error: 'invalid_grant', request: { password: fields.password, nested: { client_secret: fields.client_secret } }, echo: JSON.stringify(fields) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('log redaction: every form of a secret, every field named like one', () => {
  it('lists the URL-encoded, form-encoded, form-decoded and JSON-escaped forms of a secret', () => {
    const forms = secretForms(SECRETS.password);
    for (const spelling of spellings(SECRETS.password)) expect(forms, spelling).to.include(spelling);
  });

  it('masks password, client_secret, secret and authorization fields by name at any depth, in JSON, quoted JSON and form text', () => {
    const line = JSON.stringify({
      a: { b: { c: { password: 'unknown-1', client_secret: 'unknown-2', secret: 'unknown-3', authorization: 'Bearer unknown-4' } } },
      msg: `HubSoft echoed grant_type=password&client_secret=unknown-5&password=unknown-6 and ${JSON.stringify({ password: 'unknown-7' })} with Bearer unknown-8`,
      frame: 'Action: Login\r\nUsername: x\r\nSecret: unknown-9\r\n',
    });
    const masked = maskSecretFields(line);
    for (let i = 1; i <= 9; i++) expect(masked).not.to.include(`unknown-${i}`);
    expect(JSON.parse(masked).msg).to.include('grant_type=password&client_secret=[redacted]&password=[redacted]');
  });

  for (const status of [500, 401]) {
    it(`HubSoft answering the login with HTTP ${status} and the request echoed back transformed: no secret in any form, at debug`, async () => {
      const hubsoft = await echoingHubsoft(status);
      const { stream, lines } = capturingStream();
      const config = parseConfig({
        hubsoft: { url: hubsoft.url, clientId: '3', clientSecret: SECRETS.clientSecret, username: 'api@example.com.br', password: SECRETS.password, retries: 0, requestTimeoutMs: 2000 },
        ami: { username: 'bridge', secret: SECRETS.amiSecret },
      });
      const logger = createLogger({ level: 'trace', destination: stream, secrets: [SECRETS.password, SECRETS.clientSecret, SECRETS.amiSecret] });
      const client = createHubsoftClient(config.hubsoft, { logger });
      try {
        await client.get(CLIENTE_PATH, { busca: 'telefone', termo_busca: '37999912222' });
        expect.fail('the login should fail');
      } catch (error) {
        logger.error({ err: error }, 'lookup failed');
        logger.debug({ error, cause: (error as Error).cause }, 'lookup failed (debug)');
      } finally {
        client.close();
        await hubsoft.close();
      }
      expect(lines.join('\n')).to.include('[redacted]');
      expectClean(lines);
    });
  }

  it('an AMI login refused: no secret in any form, at debug', async () => {
    const fake = await startFakeAmi({ username: 'bridge', secret: 'the-right-one' });
    const { stream, lines } = capturingStream();
    const logger = createLogger({ level: 'trace', destination: stream, secrets: [SECRETS.amiSecret] });
    const config = amiSchema.parse({ host: '127.0.0.1', port: fake.port, username: 'bridge', secret: SECRETS.amiSecret, reconnectInitialMs: 20, reconnectMaxMs: 40, actionTimeoutMs: 1000 });
    const connection = new AmiConnection({ config, logger, random: () => 0.5 });
    try {
      connection.start();
      for (let i = 0; i < 200 && fake.loginAttempts < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(fake.loginAttempts).to.be.at.least(2);
      logger.debug({ stats: connection.stats() }, 'after the refusals');
    } finally {
      await connection.stop();
      await fake.close();
    }
    expectClean(lines);
  });
});
