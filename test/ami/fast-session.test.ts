import { expect } from 'chai';
import { AmiConnection } from '../../src/ami/connection.js';
import { fastSessionFactory, NOISE_EVENTS } from '../../src/ami/fast-session.js';
import { librarySessionFactory } from '../support/library-session.js';
import type { AmiSessionFactory } from '../../src/ami/session.js';
import { startFakeAmi, type FakeAmi } from '../support/fake-ami.js';
import { eventsAfterLogin, loadFixture } from '../support/transcript.js';
import { amiConfig, captureLogger, collect, next, SECRET } from './helpers.js';

const FIXTURES = ['s1_direct_answered', 's3_ringgroup_one_answers', 's4c_queue_localmembers_answered'] as const;

describe('fast AMI session over TCP against the fake Asterisk', () => {
  let fake: FakeAmi;
  const connections: AmiConnection[] = [];

  beforeEach(async () => {
    fake = await startFakeAmi({ secret: SECRET });
  });

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((c) => c.stop()));
    await fake.close();
  });

  async function loggedIn(createSession: AmiSessionFactory, eventMask = 'on') {
    const logs = captureLogger();
    const connection = new AmiConnection({ config: amiConfig(fake, { eventMask }), logger: logs.logger, createSession });
    connections.push(connection);
    const login = next(connection, 'login');
    connection.start();
    await login;
    return { connection, logs };
  }

  for (const name of FIXTURES) {
    it(`${name}: the same events, in the same order, as the asterisk-manager session`, async () => {
      const library = await loggedIn(librarySessionFactory());
      const fast = await loggedIn(fastSessionFactory());
      const quiet = await loggedIn(fastSessionFactory({ skipEvents: NOISE_EVENTS }));
      const got = { library: collect(library.connection), fast: collect(fast.connection), quiet: collect(quiet.connection) };
      const recorded = eventsAfterLogin(loadFixture(name));
      await fake.replay(loadFixture(name));
      await Promise.all([got.library.until(recorded.length), got.fast.until(recorded.length)]);
      expect(got.fast.events).to.deep.equal(got.library.events);

      const noise = new Set(NOISE_EVENTS);
      const kept = got.library.events.filter((e) => !noise.has(e.event));
      expect(kept.length).to.be.lessThan(recorded.length);
      await got.quiet.until(kept.length);
      expect(got.quiet.events).to.deep.equal(kept);
    });
  }

  it('logs in, answers actions by ActionID and fails a refused login with the Asterisk message', async () => {
    const { connection } = await loggedIn(fastSessionFactory());
    expect(await connection.send({ Action: 'Setvar', Channel: 'PJSIP/1001-00000001', Variable: 'X', Value: 'y' })).to.deep.include({
      response: 'Success',
      message: 'Variable Set',
    });
    fake.setChannels([{ Channel: 'PJSIP/1001-00000001', Uniqueid: '1.1', Linkedid: '1.1' }]);
    const list = await connection.sendList({ Action: 'CoreShowChannels' });
    expect(list.events.map((e) => [e.event, e.uniqueid])).to.deep.equal([['CoreShowChannel', '1.1']]);
    const login = fake.actions.find((a) => a.action.toLowerCase() === 'login');
    expect(login?.fields).to.deep.include({ Action: 'Login', Username: 'bridge', Secret: SECRET });

    const logs = captureLogger();
    const refused = new AmiConnection({ config: amiConfig(fake, { secret: 'wrong' }), logger: logs.logger, createSession: fastSessionFactory() });
    connections.push(refused);
    refused.start();
    await logs.waitFor((records) => records.some((r) => r.code === 'AMI_LOGIN_REFUSED'), 1500);
    expect(logs.records.find((r) => r.code === 'AMI_LOGIN_REFUSED')).to.deep.include({ asterisk: 'Authentication failed' });
  });

  it('drops a 1 MB line with a warning and keeps the link and the events after it', async () => {
    const warnings: string[] = [];
    const { connection } = await loggedIn(fastSessionFactory({ maxFrameBytes: 64 * 1024, warn: (_details, message) => warnings.push(message) }));
    const got = collect(connection);
    fake.send(`Event: Newchannel\r\nPrivilege: call,all\r\nData: ${'x'.repeat(1024 * 1024)}\r\n\r\n`);
    fake.send({ Event: 'Hangup', Privilege: 'call,all', Uniqueid: '1.1' });
    await got.until(1);
    expect(got.events).to.deep.equal([{ event: 'Hangup', privilege: 'call,all', uniqueid: '1.1' }]);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.include('larger than the cap');
    expect(connection.state).to.equal('logged-in');
  });

  it('garbage on the wire surfaces as nothing; the next event still arrives', async () => {
    const { connection } = await loggedIn(fastSessionFactory());
    const got = collect(connection);
    fake.send('\u0000\u00ff\u0001garbage\r\nno colon\r\n\r\n\r\n: x\r\n\r\n\r\r\n\n\n');
    fake.send({ Event: 'Hangup', Privilege: 'call,all', Uniqueid: '2.2' });
    await got.until(1);
    expect(got.events).to.deep.equal([{ event: 'Hangup', privilege: 'call,all', uniqueid: '2.2' }]);
    expect(connection.state).to.equal('logged-in');
  });
});
