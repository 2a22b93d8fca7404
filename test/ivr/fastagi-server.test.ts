import { expect } from 'chai';
import { connect } from 'node:net';
import { alertsSchema } from '../../src/config/schema.js';
import type { LookupResult } from '../../src/hubsoft/types.js';
import { createAlertPreparer } from '../../src/ivr/alert-preparer.js';
import { FastAgiServer } from '../../src/ivr/fastagi-server.js';
import { createHubsoftLookupScript, HUBSOFT_LOOKUP_SCRIPT } from '../../src/ivr/hubsoft-lookup-script.js';
import { FakeAgiClient } from '../support/fake-agi-client.js';
import { client, EQUIPE, result, ROMPIMENTO, withTwoAlerts } from './alert-fixtures.js';

/** A hand-written lookup: answers from a table, records what it was asked, can be held open. */
class TableLookup {
  asked: Array<[string, string]> = [];
  hold = false;
  constructor(private readonly table: Record<string, LookupResult>) {}
  lookup = (callerId: string, linkedid: string): Promise<LookupResult> => {
    this.asked.push([callerId, linkedid]);
    if (this.hold) return new Promise(() => undefined);
    return Promise.resolve(this.table[callerId] ?? result('notfound'));
  };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('ivr/fastagi-server over TCP', () => {
  const alerts = alertsSchema.parse({ sounds: [{ match: 'rompimento', sound: 'custom/aviso-rompimento' }] });
  let server: FastAgiServer;
  let port: number;
  let table: TableLookup;

  async function startServer(options: { deadlineMs?: number; commandTimeoutMs?: number; maxConnections?: number } = {}) {
    server = new FastAgiServer({
      host: '127.0.0.1',
      port: 0,
      commandTimeoutMs: options.commandTimeoutMs ?? 2000,
      maxConnections: options.maxConnections ?? 8,
      scripts: {
        [HUBSOFT_LOOKUP_SCRIPT]: createHubsoftLookupScript({
          lookup: table.lookup,
          preparer: createAlertPreparer({ alerts }),
          deadlineMs: options.deadlineMs ?? 2000,
          maxValueBytes: alerts.maxValueBytes,
        }),
      },
    });
    ({ port } = await server.start());
  }

  beforeEach(() => {
    table = new TableLookup({ '37999887766': withTwoAlerts() });
  });
  afterEach(async () => {
    await server?.stop();
  });

  it('reads the environment, sets every variable with SET VARIABLE, HUBSOFT_LOOKUP last, then closes', async () => {
    await startServer();
    const agi = await FakeAgiClient.connect(port, FakeAgiClient.environment('hubsoft-lookup', '37999887766', '1712345678.40'));
    await agi.finished;
    expect(table.asked).to.deep.equal([['37999887766', '1712345678.40']]);
    expect(agi.commands).to.deep.equal([
      'SET VARIABLE HUBSOFT_ID_CLIENTE "1234"',
      'SET VARIABLE HUBSOFT_CODIGO_CLIENTE "5678"',
      'SET VARIABLE HUBSOFT_NOME "Maria da Silva"',
      'SET VARIABLE HUBSOFT_ALERTA "1"',
      'SET VARIABLE HUBSOFT_ALERTA_TOTAL "2"',
      `SET VARIABLE HUBSOFT_ALERTA_1 "${ROMPIMENTO}"`,
      `SET VARIABLE HUBSOFT_ALERTA_2 "${EQUIPE}"`,
      'SET VARIABLE HUBSOFT_ALERTA_SOM_1 "custom/aviso-rompimento"',
      'SET VARIABLE HUBSOFT_ALERTA_SOM_2 "custom/aviso-rompimento"',
      'SET VARIABLE HUBSOFT_LOOKUP "found"',
    ]);
  });

  it('waits for each reply before sending the next command', async () => {
    await startServer();
    let answered = 0;
    const agi = await FakeAgiClient.connect(port, FakeAgiClient.environment('hubsoft-lookup', '3733330000'), (_, fake) => {
      // Reply late: had the server not waited, the second command would already be here.
      setTimeout(() => {
        expect(fake.commands.length).to.equal(answered + 1);
        answered++;
        fake.send('200 result=1');
      }, 5);
    });
    await agi.finished;
    expect(agi.commands).to.have.length(3);
    expect(answered).to.equal(3);
  });

  it('quotes and escapes hostile alert text into one command line', async () => {
    const hostile = 'Aviso "urgente" C:\\rede\r\nSET VARIABLE HUBSOFT_LOOKUP "notfound"\r\n\u0000' + 'x'.repeat(10_240);
    table = new TableLookup({ '3733330000': result('found', [client({ alerta: true, alerta_mensagens: [hostile] })]) });
    await startServer();
    const agi = await FakeAgiClient.connect(port, FakeAgiClient.environment('hubsoft-lookup', '3733330000'));
    await agi.finished;
    const line = agi.commands.find((c) => c.startsWith('SET VARIABLE HUBSOFT_ALERTA_1 '))!;
    expect(line.startsWith('SET VARIABLE HUBSOFT_ALERTA_1 "Aviso \\"urgente\\" C:\\\\rede SET VARIABLE HUBSOFT_LOOKUP \\"notfound\\" xxx')).to.equal(true);
    expect(line.endsWith('x"')).to.equal(true);
    expect(Buffer.byteLength(line)).to.be.lessThan(1100);
    expect(agi.commands.filter((c) => c.includes('HUBSOFT_LOOKUP "'))).to.deep.equal(['SET VARIABLE HUBSOFT_LOOKUP "found"']);
    expect(agi.commands.at(-1)).to.equal('SET VARIABLE HUBSOFT_LOOKUP "found"');
  });

  it('answers within the deadline when HubSoft is slow: HUBSOFT_LOOKUP=error', async () => {
    table.hold = true;
    await startServer({ deadlineMs: 40 });
    const agi = await FakeAgiClient.connect(port, FakeAgiClient.environment('hubsoft-lookup', '37999887766', '1.1'));
    await agi.finished;
    expect(agi.commands).to.deep.equal([
      'SET VARIABLE HUBSOFT_ALERTA "0"',
      'SET VARIABLE HUBSOFT_ALERTA_TOTAL "0"',
      'SET VARIABLE HUBSOFT_LOOKUP "error"',
    ]);
  });

  it('passes an empty caller ID for "unknown" and an empty linkedid when none was given', async () => {
    await startServer();
    const agi = await FakeAgiClient.connect(port, FakeAgiClient.environment('hubsoft-lookup', 'unknown'));
    await agi.finished;
    expect(table.asked).to.deep.equal([['', '']]);
  });

  it('stops at HANGUP mid-session and frees the session', async () => {
    await startServer();
    const agi = await FakeAgiClient.connect(port, FakeAgiClient.environment('hubsoft-lookup', '37999887766'), (_, fake) => {
      if (fake.commands.length === 1) fake.send('200 result=1');
      else fake.hangUp();
    });
    await agi.finished;
    await until(() => server.activeSessions === 0, 'the session to end');
    expect(agi.commands).to.have.length(2);
  });

  it('stops when the socket closes mid-session', async () => {
    await startServer();
    const agi = await FakeAgiClient.connect(port, FakeAgiClient.environment('hubsoft-lookup', '37999887766'), (_, fake) => {
      fake.destroy();
    });
    await agi.finished;
    await until(() => server.activeSessions === 0, 'the session to end');
    expect(agi.commands).to.have.length(1);
  });

  it('stops after a 511 (dead channel) reply', async () => {
    await startServer();
    const agi = await FakeAgiClient.connect(port, FakeAgiClient.environment('hubsoft-lookup', '37999887766'), (_, fake) => {
      fake.send('511 Command Not Permitted on a dead channel or intercept routine');
    });
    await agi.finished;
    expect(agi.commands).to.have.length(1);
  });

  it('goes on after 510 and a multi-line 520 reply', async () => {
    await startServer();
    const agi = await FakeAgiClient.connect(port, FakeAgiClient.environment('hubsoft-lookup', '3733330000'), (_, fake) => {
      if (fake.commands.length === 1) fake.send('510 Invalid or unknown command');
      else if (fake.commands.length === 2) {
        fake.send('520-Invalid command syntax.  Proper usage follows:');
        fake.send(' Usage: SET VARIABLE <variablename> <value>');
        fake.send('520 End of proper usage.');
      } else fake.send('200 result=1');
    });
    await agi.finished;
    expect(agi.commands).to.deep.equal([
      'SET VARIABLE HUBSOFT_ALERTA "0"',
      'SET VARIABLE HUBSOFT_ALERTA_TOTAL "0"',
      'SET VARIABLE HUBSOFT_LOOKUP "notfound"',
    ]);
  });

  it('closes the session when Asterisk does not answer a command in time', async () => {
    await startServer({ commandTimeoutMs: 30 });
    const agi = await FakeAgiClient.connect(port, FakeAgiClient.environment('hubsoft-lookup', '37999887766'), () => undefined);
    await agi.finished;
    expect(agi.commands).to.have.length(1);
  });

  it('ends an unknown script at once, without any command', async () => {
    await startServer();
    const agi = await FakeAgiClient.connect(port, FakeAgiClient.environment('hubsoft-lookpu', '37999887766'));
    await agi.finished;
    expect(agi.commands).to.deep.equal([]);
    expect(table.asked).to.deep.equal([]);
  });

  it('accepts the script name with a query string and slashes', async () => {
    await startServer();
    const agi = await FakeAgiClient.connect(port, FakeAgiClient.environment('hubsoft-lookup/?x=1', '37999887766'));
    await agi.finished;
    expect(agi.commands.at(-1)).to.equal('SET VARIABLE HUBSOFT_LOOKUP "found"');
  });

  it('closes connections beyond maxConnections at once', async () => {
    table.hold = true;
    await startServer({ maxConnections: 1, deadlineMs: 5000 });
    const first = await FakeAgiClient.connect(port, FakeAgiClient.environment('hubsoft-lookup', '37999887766'));
    await until(() => table.asked.length === 1, 'the first lookup');
    const second = await FakeAgiClient.connect(port, FakeAgiClient.environment('hubsoft-lookup', '37999887766'));
    await second.finished;
    expect(second.commands).to.deep.equal([]);
    expect(server.activeSessions).to.equal(1);
    await server.stop();
    await first.finished;
  });

  it('drops a peer that sends no environment within the timeout', async () => {
    server = new FastAgiServer({ host: '127.0.0.1', port: 0, environmentTimeoutMs: 30 });
    ({ port } = await server.start());
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    socket.write('agi_network: yes\n'); // and never the blank line
    await new Promise((resolve) => socket.on('close', resolve));
    expect(server.activeSessions).to.equal(0);
  });
});
