import { expect } from 'chai';
import { AmiConnection } from '../../src/ami/connection.js';
import type { AmiEvent, AmiLinkState } from '../../src/ami/types.js';
import { isBridgeError } from '../../src/errors.js';
import { startFakeAmi, type FakeAmi } from '../support/fake-ami.js';
import { eventsAfterLogin, loadFixture } from '../support/transcript.js';
import { amiConfig, captureLogger, collect, next, SECRET, type LogRecord } from './helpers.js';

const FIXTURES = ['s1_direct_answered', 's3_ringgroup_one_answers', 's4c_queue_localmembers_answered'] as const;

/** What normalisation must give for a recorded frame: lower-case keys, `<unknown>` as ''. */
function expectedEvent(lines: readonly (readonly [string, string])[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of lines) {
    const k = key.toLowerCase();
    if (!Object.hasOwn(out, k)) out[k] = value === '<unknown>' ? '' : value;
  }
  return out;
}

function count(events: readonly AmiEvent[], name: string): number {
  return events.filter((e) => e.event === name).length;
}

describe('AmiConnection over TCP against the fake Asterisk', () => {
  let fake: FakeAmi;
  let connection: AmiConnection | undefined;

  beforeEach(async () => {
    fake = await startFakeAmi({ secret: SECRET });
  });

  afterEach(async () => {
    await connection?.stop();
    connection = undefined;
    await fake.close();
  });

  function connect(overrides: Parameters<typeof amiConfig>[1] = {}, random = () => 0.5) {
    const logs = captureLogger();
    connection = new AmiConnection({ config: amiConfig(fake, overrides), logger: logs.logger, random });
    return { connection, logs };
  }

  it('logs in, then selects events with Action: Events and the configured EventMask', async () => {
    const { connection } = connect();
    const states: AmiLinkState[] = [];
    connection.on('state', (s) => states.push(s));
    const login = next(connection, 'login');
    connection.start();
    expect(await login).to.deep.equal({ logins: 1, reconnect: false });

    const loginAction = await fake.waitForAction('Login');
    expect(loginAction.fields).to.include({ Username: 'bridge', Secret: SECRET });
    const events = await fake.waitForAction('Events');
    expect(Object.entries(events.fields).find(([k]) => k.toLowerCase() === 'eventmask')?.[1]).to.equal('call,agent,system');
    expect(fake.actions.map((a) => a.action.toLowerCase())).to.deep.equal(['login', 'events']);
    expect(connection.state).to.equal('logged-in');

    await connection.stop();
    await fake.waitForAction('Logoff');
    expect(states).to.deep.equal(['connecting', 'connected', 'logged-in', 'stopped']);
    expect(connection.stats()).to.include({ state: 'stopped', pendingActions: 0, logins: 1, reconnects: 0 });
  });

  for (const name of FIXTURES) {
    it(`delivers every event of ${name} normalised and in arrival order`, async () => {
      const { connection } = connect({ eventMask: 'on' });
      const login = next(connection, 'login');
      connection.start();
      await login;
      const got = collect(connection);
      const recorded = eventsAfterLogin(loadFixture(name));
      expect(await fake.replay(loadFixture(name))).to.equal(recorded.length);
      await got.until(recorded.length);

      expect(got.events).to.have.length(recorded.length);
      got.events.forEach((event, i) => expect(event, `event #${i}`).to.deep.equal(expectedEvent(recorded[i] ?? [])));
      const expectedDialBegins = recorded.filter((l) => l[0]?.[1] === 'DialBegin').length;
      expect(count(got.events, 'DialBegin')).to.equal(expectedDialBegins).and.be.greaterThan(0);
      expect(got.events.every((e) => Object.values(e).every((v) => typeof v === 'string' && v !== '<unknown>'))).to.equal(true);
      expect(connection.stats().events).to.be.at.least(recorded.length);
    });
  }

  it('with the default EventMask only call, agent and system events arrive (Asterisk filters the rest)', async () => {
    const { connection } = connect();
    const login = next(connection, 'login');
    connection.start();
    await login;
    const got = collect(connection);
    const transcript = loadFixture('s4c_queue_localmembers_answered');
    await fake.replay(transcript);
    await fake.replay({ banner: undefined, frames: [], lines: [] }); // nothing; keeps the order check honest
    fake.send({ Event: 'UserEvent', Privilege: 'user,all', UserEvent: 'x' });
    fake.send({ Event: 'FullyBooted', Privilege: 'system,all', Uptime: '1', LastReload: '1', Status: 'Fully Booted' });
    await next(connection, 'event', 3000, (e) => e.event === 'FullyBooted');

    expect(count(got.events, 'VarSet')).to.equal(0);
    expect(count(got.events, 'Newexten')).to.equal(0);
    expect(count(got.events, 'UserEvent')).to.equal(0);
    expect(count(got.events, 'DialBegin')).to.equal(4);
    expect(count(got.events, 'AgentCalled')).to.equal(2);
    expect(count(got.events, 'Hangup')).to.equal(7);
  });

  it('after a drop in the middle of a frame, reconnects and handles the events that follow; the half frame never surfaces', async () => {
    const { connection, logs } = connect();
    const first = next(connection, 'login');
    connection.start();
    await first;
    const got = collect(connection);
    const second = next(connection, 'login');
    await fake.dropMidFrame();
    expect(await second).to.deep.equal({ logins: 2, reconnect: true });
    await fake.replay(loadFixture('s1_direct_answered'));
    await next(connection, 'event', 3000, (e) => e.event === 'Hangup' && e.channel === 'PJSIP/trunk-00000000');

    expect(got.events.filter((e) => e.channel === 'PJSIP/trunk-0000')).to.deep.equal([]);
    expect(count(got.events, 'DialBegin')).to.equal(1);
    expect(connection.stats()).to.include({ reconnects: 1, logins: 2 });
    expect(fake.sessions).to.equal(2);
    expect(logs.records.some((r) => r.code === 'AMI_DISCONNECTED' && r.level === 40)).to.equal(true);
  });

  it('on a wrong secret logs one clear error per attempt and backs off (capped), never a hot loop', async () => {
    const { connection, logs } = connect({ secret: 'wrong-secret-77', reconnectInitialMs: 20, reconnectMaxMs: 80 });
    connection.start();
    const refused = (r: readonly LogRecord[]) => r.filter((x) => x.code === 'AMI_LOGIN_REFUSED');
    await logs.waitFor((r) => refused(r).length >= 5);
    await connection.stop();

    const errors = refused(logs.records);
    expect(errors.map((r) => r.retryInMs)).to.deep.equal([20, 40, 80, 80, 80]);
    expect(errors.every((r) => r.level === 50 && r.msg.includes('Asterisk refused the AMI login'))).to.equal(true);
    expect(errors[0]).to.include({ username: 'bridge', asterisk: 'Authentication failed' });
    expect(fake.loginAttempts).to.equal(errors.length);
    expect(fake.logins).to.equal(0);
    // Nothing else at error level: one line per attempt.
    expect(logs.records.filter((r) => r.level >= 50)).to.have.length(errors.length);
    expect(logs.raw.join('')).not.to.include('wrong-secret-77');
    expect(connection.stats()).to.include({ loginFailures: 5, logins: 0, state: 'stopped' });
    expect(connection.stats().lastError?.code).to.equal('AMI_LOGIN_REFUSED');
  });

  it('a Login answered with anything but Response: Success is not a login (Follows, garbage)', async () => {
    for (const answer of ['Follows', 'Goodbye', 'x\u0001garbage']) {
      const odd = await startFakeAmi({ loginResponse: answer });
      const logs = captureLogger();
      const connection = new AmiConnection({ config: amiConfig(odd, { reconnectInitialMs: 20, reconnectMaxMs: 40 }), logger: logs.logger });
      let loggedIn = false;
      connection.on('login', () => (loggedIn = true));
      connection.start();
      await logs.waitFor((r) => r.some((x) => x.code === 'AMI_LOGIN_REFUSED'));
      expect(connection.state, answer).not.to.equal('logged-in');
      await connection.stop();
      await odd.close();
      expect(loggedIn, answer).to.equal(false);
      expect(connection.stats().logins).to.equal(0);
    }
  });

  it('keeps retrying with backoff while nothing listens on the port', async () => {
    const closed = await startFakeAmi();
    const port = closed.port;
    await closed.close();
    const logs = captureLogger();
    connection = new AmiConnection({ config: amiConfig({ port }), logger: logs.logger, random: () => 0.5 });
    connection.start();
    await logs.waitFor((r) => r.filter((x) => x.code === 'AMI_UNREACHABLE').length >= 3);
    await connection.stop();
    const unreachable = logs.records.filter((x) => x.code === 'AMI_UNREACHABLE');
    expect(unreachable.slice(0, 3).map((r) => r.retryInMs)).to.deep.equal([20, 40, 80]);
    expect(connection.stats().connectFailures).to.be.at.least(3);
  });

  it('reconnects when a Ping is not answered in time', async () => {
    const { connection, logs } = connect({ pingIntervalMs: 20, pingTimeoutMs: 40 });
    const first = next(connection, 'login');
    connection.start();
    await first;
    await fake.waitForAction('Ping');
    fake.stallPings(true);
    const second = next(connection, 'login');
    await logs.waitFor((r) => r.some((x) => x.msg.includes('No answer to AMI Ping')));
    fake.stallPings(false);
    expect(await second).to.include({ reconnect: true });
    expect(connection.stats().pingTimeouts).to.be.at.least(1);
    expect(fake.sessions).to.be.at.least(2);
  });

  it('rejects an unanswered action with a typed AMI_ACTION_TIMEOUT and keeps the link', async () => {
    const { connection } = connect();
    const login = next(connection, 'login');
    connection.start();
    await login;
    fake.stallPings(true);
    const error = await connection.send({ Action: 'Ping' }, { timeoutMs: 30 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isBridgeError(error, 'AMI_ACTION_TIMEOUT')).to.equal(true);
    expect(connection.state).to.equal('logged-in');
    expect(connection.stats()).to.include({ actionTimeouts: 1, pendingActions: 0 });
    fake.stallPings(false);
    expect(await connection.send({ Action: 'Ping' })).to.include({ response: 'Success', ping: 'Pong' });
  });

  it('rejects every pending action with AMI_DISCONNECTED when the socket closes', async () => {
    const { connection } = connect();
    const login = next(connection, 'login');
    connection.start();
    await login;
    fake.stallPings(true);
    const pending = [connection.send({ Action: 'Ping' }, { timeoutMs: 5000 }), connection.send({ Action: 'Ping' }, { timeoutMs: 5000 })];
    await fake.waitForAction('Ping', 2000, 2);
    expect(connection.stats().pendingActions).to.equal(2);
    fake.dropAll();
    const results = await Promise.allSettled(pending);
    for (const r of results) {
      expect(r.status).to.equal('rejected');
      expect(isBridgeError((r as PromiseRejectedResult).reason, 'AMI_DISCONNECTED')).to.equal(true);
    }
    expect(connection.stats().pendingActions).to.equal(0);
  });

  it('refuses to send while not logged in, with a typed error', async () => {
    const { connection } = connect();
    const error = await connection.send({ Action: 'Ping' }).catch((e: unknown) => e);
    expect(isBridgeError(error, 'AMI_DISCONNECTED')).to.equal(true);
  });

  it('answers Setvar, unknown actions and list actions; CR/LF in values cannot inject headers', async () => {
    const { connection } = connect();
    const login = next(connection, 'login');
    connection.start();
    await login;
    const got = collect(connection);
    const setvar = await connection.send({ Action: 'Setvar', Channel: 'PJSIP/trunk-00000000', Variable: 'HUBSOFT_ALERTA', Value: 'a\r\nAction: Logoff' });
    expect(setvar).to.include({ response: 'Success', message: 'Variable Set' });
    expect(fake.variables).to.deep.equal([{ channel: 'PJSIP/trunk-00000000', variable: 'HUBSOFT_ALERTA', value: 'a Action: Logoff' }]);
    expect(fake.actions.some((a) => a.action.toLowerCase() === 'logoff')).to.equal(false);

    const unknown = await connection.send({ Action: 'NoSuchThing' });
    expect(unknown).to.include({ response: 'Error', message: 'Invalid/unknown command' });

    fake.setChannels([
      { Channel: 'PJSIP/trunk-00000007', Uniqueid: '1795457052.7', Linkedid: '1795457052.7', ChannelState: '4' },
      { Channel: 'PJSIP/1001-00000008', Uniqueid: '1795457052.8', Linkedid: '1795457052.7', ChannelState: '5' },
    ]);
    const list = await connection.sendList({ Action: 'CoreShowChannels' });
    expect(list.response).to.include({ response: 'Success', eventlist: 'start' });
    expect(list.events.map((e) => e.channel)).to.deep.equal(['PJSIP/trunk-00000007', 'PJSIP/1001-00000008']);
    expect(list.truncated).to.equal(false);
    expect(got.events.filter((e) => e.event.startsWith('CoreShowChannel'))).to.deep.equal([]);
  });

  it('normalises what the library makes of repeated keys and variables on the wire', async () => {
    const { connection } = connect();
    const login = next(connection, 'login');
    connection.start();
    await login;
    fake.send(
      'Event: Newchannel\r\nPrivilege: call,all\r\nChannel: PJSIP/trunk-00000001\r\nCallerIDName: <unknown>\r\n' +
        'ChanVariable: A=1\r\nChanVariable: B=2\r\nDestChanVariable: C=3\r\nDestChanVariable: D=4\r\nLinkedid: 1.0\r\n\r\n',
    );
    const event = await next(connection, 'event', 3000, (e) => e.event === 'Newchannel');
    expect(event).to.deep.equal({
      event: 'Newchannel',
      privilege: 'call,all',
      channel: 'PJSIP/trunk-00000001',
      calleridname: '',
      chanvariable: 'A=1',
      destchanvariable: 'C=3',
      linkedid: '1.0',
    });
  });

  it('a listener that throws is logged and the stream goes on', async () => {
    const { connection, logs } = connect();
    const login = next(connection, 'login');
    connection.start();
    await login;
    connection.on('event', () => {
      throw new Error('consumer bug');
    });
    const got = collect(connection);
    fake.send([
      { Event: 'DialBegin', Privilege: 'call,all', DestChannel: 'PJSIP/1001-00000001' },
      { Event: 'Hangup', Privilege: 'call,all', Channel: 'PJSIP/1001-00000001' },
    ]);
    await got.until(2);
    expect(got.events.map((e) => e.event)).to.deep.equal(['DialBegin', 'Hangup']);
    expect(logs.records.filter((r) => r.msg.includes('listener threw'))).to.have.length(2);
    expect(connection.state).to.equal('logged-in');
  });

  it('stop() closes the socket and clears every timer, also while reconnecting', async () => {
    // Mocha arms this test's own timeout after the first await: count from there.
    await new Promise((resolve) => setImmediate(resolve));
    const baseline = process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'TCPSocketWrap').length;
    const { connection } = connect({ pingIntervalMs: 50 });
    const login = next(connection, 'login');
    connection.start();
    await login;
    await connection.stop();
    await connection.stop(); // twice is harmless

    const other = new AmiConnection({ config: amiConfig(fake, { secret: 'nope-nope' }), logger: captureLogger().logger });
    other.start();
    await fake.waitForAction('Login', 2000, 2);
    await other.stop();
    // Closed handles leave the list on a later loop turn: poll briefly, no fixed sleep.
    let after = Number.POSITIVE_INFINITY;
    for (let turn = 0; turn < 100 && after > baseline; turn += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      after = process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'TCPSocketWrap').length;
    }
    expect(after).to.be.at.most(baseline);
    expect(other.state).to.equal('stopped');
  });
});
