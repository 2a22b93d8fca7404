import { expect } from 'chai';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { createMetrics } from '../../src/ops/metrics.js';
import { startHealthServer, type HealthReport, type HealthServerOptions } from '../../src/ops/health-server.js';

const TOKEN = 'prometheus-token-0123456789';

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; authenticate?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ...(res.headers['www-authenticate'] ? { authenticate: String(res.headers['www-authenticate']) } : {}) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const closed = (socket: Socket): Promise<void> => (socket.destroyed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve())));

describe('ops/health-server exposure: bearer token, slowloris, idle flood (127.0.0.1 only)', function () {
  this.timeout(15000);
  const report: HealthReport = { ami: { up: true }, hubsoft: { up: true } };
  const metrics = createMetrics({ defaultMetrics: false });
  let server: Awaited<ReturnType<typeof startHealthServer>> | undefined;
  const sockets: Socket[] = [];

  async function start(options: Partial<HealthServerOptions> = {}): Promise<number> {
    server = await startHealthServer({ host: '127.0.0.1', port: 0, healthSource: () => report, registry: metrics.registry, ...options });
    return server.port;
  }

  function open(port: number): Promise<Socket> {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    socket.resume(); // read the server's 408 and FIN, or 'close' never comes
    sockets.push(socket);
    return new Promise((resolve) => {
      socket.once('connect', () => resolve(socket));
      socket.once('close', () => resolve(socket));
    });
  }

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await server?.stop();
    server = undefined;
  });

  it('with health.token, /healthz and /metrics answer 401 without the bearer token, or with a wrong one', async () => {
    const port = await start({ token: TOKEN });
    for (const path of ['/healthz', '/metrics']) {
      const bare = await get(port, path);
      expect(bare.status, path).to.equal(401);
      expect(bare.authenticate).to.match(/^Bearer /);
      expect(bare.body).not.to.include('hubsoft_bridge');
      expect((await get(port, path, { authorization: `Bearer ${TOKEN}x` })).status).to.equal(401);
      expect((await get(port, path, { authorization: TOKEN })).status).to.equal(401);
      expect((await get(port, path, { authorization: `Bearer ${TOKEN}` })).status, path).to.equal(200);
    }
  });

  it('without a token, answers as before', async () => {
    const port = await start();
    expect((await get(port, '/healthz')).status).to.equal(200);
  });

  it('closes a client sending its headers a byte at a time (slowloris) at the header timeout, answering real requests meanwhile', async () => {
    const port = await start({ headersTimeoutMs: 300 });
    const slow = await Promise.all(Array.from({ length: 50 }, () => open(port)));
    for (const socket of slow) socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    const drip = setInterval(() => {
      for (const socket of slow) if (!socket.destroyed) socket.write('a');
    }, 50);
    const started = Date.now();
    try {
      for (let i = 0; i < 3; i++) expect((await get(port, '/healthz')).status).to.equal(200);
      await Promise.all(slow.map(closed));
    } finally {
      clearInterval(drip);
    }
    expect(Date.now() - started, 'every slow client cut within the header timeout and one check interval').to.be.below(2000);
  });

  it('drops a connection that sends nothing at all', async () => {
    const port = await start({ headersTimeoutMs: 200 });
    const idle = await open(port);
    const started = Date.now();
    await closed(idle);
    expect(Date.now() - started).to.be.below(1500);
  });

  it('1,000 idle connections do not stop it answering: the connection count stays bounded', async () => {
    const port = await start({ maxConnections: 100, headersTimeoutMs: 10_000 });
    for (let batch = 0; batch < 1000; batch += 100) await Promise.all(Array.from({ length: 100 }, () => open(port)));
    const served = await get(port, '/healthz');
    expect(served.status).to.equal(200);
    expect(JSON.parse(served.body)).to.include({ status: 'ok' });
    expect((await get(port, '/metrics')).status).to.equal(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stillOpen = sockets.filter((socket) => !socket.destroyed).length;
    expect(stillOpen, 'idle connections the server kept').to.be.at.most(100);
  });
});
