import { expect } from 'chai';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { parseConfig } from '../../src/config/load.js';
import { isBridgeError } from '../../src/errors.js';
import { FastAgiServer, type AgiRefusal, type AgiScript } from '../../src/ivr/fastagi-server.js';
import { createLogger } from '../../src/log/logger.js';
import { FakeAgiClient } from '../support/fake-agi-client.js';

const REQUIRED = { hubsoft: { url: 'https://h.example', clientId: 'a', clientSecret: 'bbbb', username: 'c', password: 'dddd' }, ami: { username: 'u', secret: 'ssss' } };

/** A script that answers one command: enough to show a real session was served. */
const ping: AgiScript = async (session) => {
  await session.command('SET VARIABLE HUBSOFT_LOOKUP "found"');
};
/** A script that holds its session until released: fills the session cap. */
function holder(): { script: AgiScript; release: () => void } {
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  return { script: () => held, release };
}

function logLines(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  return { logger: createLogger({ level: 'debug', destination: stream }), lines };
}

async function openIdle(port: number, count: number, sockets: Socket[]): Promise<void> {
  for (let batch = 0; batch < count; batch += 100) {
    const opened = Array.from({ length: Math.min(100, count - batch) }, () => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.on('error', () => undefined);
      sockets.push(socket);
      return new Promise<void>((resolve) => {
        socket.once('connect', () => resolve());
        socket.once('close', () => resolve());
      });
    });
    await Promise.all(opened);
  }
}

const closed = (socket: Socket): Promise<void> => (socket.destroyed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve())));

describe('ivr/fastagi-server exposure: deadlines, caps, allow-list, floods (127.0.0.1 only)', function () {
  this.timeout(15000);
  let server: FastAgiServer | undefined;
  const sockets: Socket[] = [];
  const refused: AgiRefusal[] = [];

  async function start(options: Partial<ConstructorParameters<typeof FastAgiServer>[0]> = {}): Promise<number> {
    server = new FastAgiServer({ host: '127.0.0.1', port: 0, scripts: { 'hubsoft-lookup': ping }, onRefused: (reason) => refused.push(reason), ...options });
    return (await server.start()).port;
  }

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    refused.length = 0;
    await server?.stop();
    server = undefined;
  });

  it('listens on 127.0.0.1 by default, and health does too', () => {
    const config = parseConfig(REQUIRED);
    expect(config.agi.host).to.equal('127.0.0.1');
    expect(config.health.host).to.equal('127.0.0.1');
    expect(config.agi.environmentTimeoutMs).to.be.within(1000, 2000);
  });

  it('a non-loopback agi.host without agi.allowFrom is CONFIG_INVALID, at load and at start', async () => {
    let message = '';
    try {
      parseConfig({ ...REQUIRED, agi: { host: '0.0.0.0' } });
    } catch (error) {
      expect(isBridgeError(error, 'CONFIG_INVALID')).to.equal(true);
      message = (error as Error).message;
    }
    expect(message).to.include('agi.allowFrom: is required when agi.host (0.0.0.0) is not a loopback address');
    expect(parseConfig({ ...REQUIRED, agi: { host: '0.0.0.0', allowFrom: ['192.0.2.10', '10.0.0.0/24'] } }).agi.allowFrom).to.have.length(2);
    expect(() => parseConfig({ ...REQUIRED, agi: { host: '127.0.0.1', allowFrom: ['pbx.example'] } })).to.throw(/agi.allowFrom.0: must be an IP address or a CIDR block/);
    const open = new FastAgiServer({ host: '0.0.0.0', port: 0 });
    const failure = await open.start().then(() => null, (error: unknown) => error);
    await open.stop();
    expect(isBridgeError(failure, 'CONFIG_INVALID')).to.equal(true);
  });

  it('with agi.allowFrom, a source not listed is refused at once and a listed one is served', async () => {
    const { logger, lines } = logLines();
    const port = await start({ allowFrom: ['127.0.0.2'], logger });
    const stranger = await FakeAgiClient.connect(port, FakeAgiClient.environment('hubsoft-lookup', '37999887766'));
    await stranger.finished;
    expect(stranger.commands).to.deep.equal([]);
    const pbx = await FakeAgiClient.connect(port, FakeAgiClient.environment('hubsoft-lookup', '37999887766'), undefined, '127.0.0.2');
    await pbx.finished;
    expect(pbx.commands).to.deep.equal(['SET VARIABLE HUBSOFT_LOOKUP "found"']);
    expect(refused).to.deep.equal(['not-allowed']);
    expect(lines.filter((line) => line.includes('not in agi.allowFrom'))).to.have.length(1);
  });

  it('closes a peer trickling its environment (slowloris) at the whole-block deadline, and serves a real session meanwhile', async () => {
    const port = await start({ environmentTimeoutMs: 200 });
    const started = Date.now();
    const trickling = Array.from({ length: 20 }, () => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.on('error', () => undefined);
      sockets.push(socket);
      return socket;
    });
    // One env line every 40 ms: each line is well within any per-line timeout, the block never ends.
    const drip = setInterval(() => {
      for (const socket of trickling) if (!socket.destroyed) socket.write('agi_network: yes\n');
    }, 40);
    try {
      const real = await FakeAgiClient.connect(port, FakeAgiClient.environment('hubsoft-lookup', '37999887766'));
      await real.finished;
      expect(real.commands).to.deep.equal(['SET VARIABLE HUBSOFT_LOOKUP "found"']);
      await Promise.all(trickling.map(closed));
    } finally {
      clearInterval(drip);
    }
    expect(Date.now() - started).to.be.below(1500);
    expect(refused.filter((reason) => reason === 'environment-timeout')).to.have.length(20);
    expect(server!.pendingConnections).to.equal(0);
  });

  it('1,000 idle connections do not refuse a real session: the oldest idle ones are dropped, logged once', async () => {
    const { logger, lines } = logLines();
    const held = holder();
    const port = await start({ environmentTimeoutMs: 10_000, maxPending: 64, maxConnections: 2, logger, scripts: { 'hubsoft-lookup': ping, hold: held.script } });
    const running = await FakeAgiClient.connect(port, FakeAgiClient.environment('hold', '3733330000'));
    await openIdle(port, 1000, sockets);
    expect(server!.pendingConnections).to.be.at.most(64);
    const real = await FakeAgiClient.connect(port, FakeAgiClient.environment('hubsoft-lookup', '37999887766'));
    await real.finished;
    expect(real.commands).to.deep.equal(['SET VARIABLE HUBSOFT_LOOKUP "found"']);
    expect(server!.activeSessions, 'the running session was never dropped').to.equal(1);
    expect(refused.filter((reason) => reason === 'evicted').length).to.be.at.least(1000 - 64);
    expect(lines.filter((line) => line.includes('waiting for their environment'))).to.have.length(1);
    held.release();
    await running.finished;
  });

  it('sessions over the cap are refused, counted each, and logged once per interval', async () => {
    const { logger, lines } = logLines();
    const held = holder();
    const port = await start({ maxConnections: 1, refusalLogIntervalMs: 150, logger, scripts: { hold: held.script } });
    const first = await FakeAgiClient.connect(port, FakeAgiClient.environment('hold', '3733330000'));
    const extra: FakeAgiClient[] = [];
    for (let i = 0; i < 30; i++) extra.push(await FakeAgiClient.connect(port, FakeAgiClient.environment('hold', '3733330000')));
    await Promise.all(extra.map((client) => client.finished));
    expect(refused).to.deep.equal(Array(30).fill('session-cap'));
    const capLines = () => lines.filter((line) => line.includes('too many sessions'));
    expect(capLines()).to.have.length(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(capLines()).to.have.length(2);
    expect(capLines()[1]).to.include('(29 in the last interval)');
    held.release();
    await first.finished;
  });
});
