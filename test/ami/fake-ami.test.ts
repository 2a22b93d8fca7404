import { expect } from 'chai';
import { connect, type Socket } from 'node:net';
import { startFakeAmi, type FakeAmi } from '../support/fake-ami.js';
import { parseTranscript, type AmiFrame } from '../support/transcript.js';

/** A bare AMI client: writes actions, reads frames; every wait bounded. */
async function rawClient(fake: FakeAmi) {
  const socket: Socket = connect(fake.port, '127.0.0.1');
  socket.setEncoding('utf8');
  let text = '';
  let closed = false;
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk: string) => {
    text += chunk;
    waiters.splice(0).forEach((w) => w());
  });
  socket.on('close', () => {
    closed = true;
    waiters.splice(0).forEach((w) => w());
  });
  const until = (done: () => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(text)}`)), 2000);
      const check = () => (done() ? (clearTimeout(timer), resolve()) : waiters.push(check));
      check();
    });
  return {
    get text() {
      return text;
    },
    get closed() {
      return closed;
    },
    send: (lines: string) => socket.write(lines.split('\n').join('\r\n') + '\r\n\r\n'),
    frames: (): AmiFrame[] => [...parseTranscript(text).frames],
    until,
    close: () => new Promise<void>((resolve) => (closed ? resolve() : (socket.once('close', () => resolve()), socket.destroy()))),
  };
}

describe('test support: fake Asterisk speaks AMI as Asterisk 22 does', () => {
  let fake: FakeAmi;
  beforeEach(async () => {
    fake = await startFakeAmi({ username: 'bridge', secret: 's3cret' });
  });
  afterEach(() => fake.close());

  it('greets with the banner, refuses actions before login, accepts a login and sends FullyBooted', async () => {
    const c = await rawClient(fake);
    await c.until(() => c.text.startsWith('Asterisk Call Manager/11.0.0\r\n'), 'banner');
    c.send('Action: Ping\nActionID: p1');
    await c.until(() => c.frames().length >= 1, 'denial');
    expect(c.frames()[0]).to.deep.equal({ Response: 'Error', ActionID: 'p1', Message: 'Permission denied' });
    c.send('Action: Login\nActionID: l1\nUsername: bridge\nSecret: s3cret');
    await c.until(() => c.frames().length >= 3, 'login + FullyBooted');
    expect(c.frames()[1]).to.deep.equal({ Response: 'Success', ActionID: 'l1', Message: 'Authentication accepted' });
    expect(c.frames()[2]).to.include({ Event: 'FullyBooted', Privilege: 'system,all', Status: 'Fully Booted' });
    c.send('Action: Ping\nActionID: p2');
    c.send('Action: Events\nActionID: e1\nEventMask: call');
    c.send('Action: Setvar\nActionID: s1\nVariable: X\nValue: 1');
    c.send('Action: Frobnicate\nActionID: u1');
    c.send('Action: Logoff\nActionID: o1');
    await c.until(() => c.closed, 'close after Goodbye');
    const [ping, events, setvar, unknown, bye] = c.frames().slice(3);
    expect(ping).to.include({ Response: 'Success', ActionID: 'p2', Ping: 'Pong' });
    expect(ping?.Timestamp).to.match(/^\d+\.\d{6}$/);
    expect(events).to.deep.equal({ Response: 'Success', ActionID: 'e1', Events: 'On' });
    expect(setvar).to.deep.equal({ Response: 'Success', ActionID: 's1', Message: 'Variable Set' });
    expect(unknown).to.deep.equal({ Response: 'Error', ActionID: 'u1', Message: 'Invalid/unknown command' });
    expect(bye).to.deep.equal({ Response: 'Goodbye', ActionID: 'o1', Message: 'Thanks for all the fish.' });
    expect(fake.variables).to.deep.equal([{ channel: undefined, variable: 'X', value: '1' }]);
    expect(fake.actions.map((a) => a.action)).to.deep.equal(['Ping', 'Login', 'Ping', 'Events', 'Setvar', 'Frobnicate', 'Logoff']);
  });

  it('answers a wrong secret with Authentication failed and closes the session, as manager.c does', async () => {
    const c = await rawClient(fake);
    c.send('Action: Login\nActionID: l1\nUsername: bridge\nSecret: wrong');
    await c.until(() => c.closed, 'close');
    expect(c.frames()).to.deep.equal([{ Response: 'Error', ActionID: 'l1', Message: 'Authentication failed' }]);
    expect(fake.loginAttempts).to.equal(1);
    expect(fake.logins).to.equal(0);
  });

  it('filters events by the EventMask classes and lists channels for CoreShowChannels', async () => {
    fake.setChannels([{ Channel: 'PJSIP/1001-00000001', Uniqueid: '1.1', Linkedid: '1.0' }]);
    const c = await rawClient(fake);
    c.send('Action: Login\nUsername: bridge\nSecret: s3cret');
    await fake.waitForLogin();
    c.send('Action: Events\nEventMask: call,agent');
    await fake.waitForAction('Events');
    fake.send([
      { Event: 'VarSet', Privilege: 'dialplan,all', Variable: 'A', Value: '1' },
      { Event: 'DialBegin', Privilege: 'call,all' },
      { Event: 'AgentCalled', Privilege: 'agent,all' },
    ]);
    c.send('Action: CoreShowChannels\nActionID: c1');
    await c.until(() => c.frames().some((f) => f.Event === 'CoreShowChannelsComplete'), 'list');
    const names = c.frames().map((f) => f.Event ?? f.Response);
    expect(names).to.deep.equal(['Success', 'FullyBooted', 'Success', 'DialBegin', 'AgentCalled', 'Success', 'CoreShowChannel', 'CoreShowChannelsComplete']);
    expect(c.frames().at(-2)).to.deep.equal({ Event: 'CoreShowChannel', ActionID: 'c1', Channel: 'PJSIP/1001-00000001', Uniqueid: '1.1', Linkedid: '1.0' });
    expect(c.frames().at(-1)).to.deep.equal({ Event: 'CoreShowChannelsComplete', ActionID: 'c1', EventList: 'Complete', ListItems: '1' });
    await c.close();
  });

  it('dropMidFrame leaves half a frame on the wire and closes', async () => {
    const c = await rawClient(fake);
    c.send('Action: Login\nUsername: bridge\nSecret: s3cret');
    await fake.waitForLogin();
    await fake.dropMidFrame();
    await c.until(() => c.closed, 'close');
    expect(c.text.endsWith('Channel: PJSIP/trunk-0000')).to.equal(true);
  });
});
