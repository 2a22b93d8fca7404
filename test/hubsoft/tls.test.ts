import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { isBridgeError } from '../../src/errors.js';
import { createHubsoftHttp } from '../../src/hubsoft/http.js';
import { testConfig } from './helpers.js';

// Self-signed test-only certificate for IP 127.0.0.1 (valid until 2124); the key protects nothing.
const caPath = fileURLToPath(new URL('./fixtures/tls-cert.pem', import.meta.url));
const keyPath = fileURLToPath(new URL('./fixtures/tls-key.pem', import.meta.url));

describe('hubsoft/http: TLS verification', () => {
  let server: Server;
  let url: string;
  before(async () => {
    server = createServer({ cert: readFileSync(caPath), key: readFileSync(keyPath) }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"success"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('refuses an unknown certificate by default, with a hint about hubsoft.tls.ca', async () => {
    const http = createHubsoftHttp(testConfig({ url }).hubsoft);
    let error: unknown;
    try {
      await http.send({ method: 'GET', path: '' });
    } catch (e) {
      error = e;
    }
    expect(isBridgeError(error, 'HUBSOFT_UNREACHABLE')).to.equal(true);
    expect((error as Error).message).to.contain('hubsoft.tls.ca');
  });

  it('trusts the provider CA given in hubsoft.tls.ca', async () => {
    const http = createHubsoftHttp(testConfig({ url }, { hubsoft: { tls: { ca: caPath } } }).hubsoft);
    expect((await http.send({ method: 'GET', path: '' })).json).to.deep.equal({ status: 'success' });
  });

  it('hubsoft.tls.insecure skips verification', async () => {
    const http = createHubsoftHttp(testConfig({ url }, { hubsoft: { tls: { insecure: true } } }).hubsoft);
    expect((await http.send({ method: 'GET', path: '' })).statusCode).to.equal(200);
  });
});
