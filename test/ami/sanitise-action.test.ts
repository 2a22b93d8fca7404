import { expect } from 'chai';
import fc from 'fast-check';
import { AmiConnection } from '../../src/ami/connection.js';
import { formatActionFrame, sanitiseAction } from '../../src/ami/sanitise-action.js';
import { startFakeAmi, type FakeAmi } from '../support/fake-ami.js';
import { amiConfig, captureLogger, next, SECRET } from './helpers.js';

/** Header lines as Asterisk's manager reads them: a line ends on CRLF or on a bare LF (main/manager.c, get_input). */
function headerLinesAsAsteriskReads(frame: string): string[] {
  expect(frame.endsWith('\r\n\r\n'), 'frame ends with an empty line').to.equal(true);
  const lines = frame.slice(0, -2).split('\n').map((line) => line.replace(/\r$/, ''));
  expect(lines.pop()).to.equal('');
  return lines;
}

const HOSTILE = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom('\r', '\n', '\r\n', '\0', '\t', '\u0085', '\u2028', ':', ' ', 'Action: Hangup', 'A') }),
);

describe('ami/sanitise-action: the frame written holds exactly the headers intended', () => {
  it('property: arbitrary values (CR, LF bare or paired, controls, Unicode) never add or split a header', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,11}$/), { maxLength: 6, comparator: (a, b) => a.toLowerCase() === b.toLowerCase() }),
        fc.array(HOSTILE, { minLength: 8, maxLength: 8 }),
        HOSTILE,
        HOSTILE,
        (keys, values, actionValue, actionId) => {
          const names = keys.filter((k) => !['action', 'actionid'].includes(k.toLowerCase()));
          const fields: Record<string, string> = { Action: `Setvar${actionValue}` };
          names.forEach((k, i) => (fields[k] = values[i]!));
          const lines = headerLinesAsAsteriskReads(formatActionFrame(sanitiseAction(fields as never), `hpb-1${actionId}`));
          expect(lines.map((l) => l.slice(0, l.indexOf(':')))).to.deep.equal(['Action', 'ActionID', ...names]);
          for (const line of lines) expect(line).to.not.match(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
          names.forEach((k, i) => expect(lines[i + 2]).to.equal(`${k}: ${values[i]!.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')}`));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a bare LF, a bare CR and CRLF in a value all stay inside one header line', () => {
    for (const hostile of ['x\nAction: Hangup', 'x\rAction: Hangup', 'x\r\nAction: Hangup', 'x\n\nAction: Hangup\n']) {
      const lines = headerLinesAsAsteriskReads(formatActionFrame(sanitiseAction({ Action: 'Setvar', Channel: 'PJSIP/1-1', Variable: 'V', Value: hostile }), 'hpb-1'));
      expect(lines).to.have.length(5);
      expect(lines[4]).to.match(/^Value: x +Action: Hangup ?$/);
    }
  });

  it('keys are code-chosen names: anything but [A-Za-z0-9_-] is dropped, ActionID cannot be overridden', () => {
    const fields = sanitiseAction({ Action: 'Getvar', 'Vari\nable': 'X', 'ActionID': 'evil', 'Bad: Key': 'v', '\r\n': 'gone' });
    expect(fields).to.deep.equal({ Action: 'Getvar', Variable: 'X', BadKey: 'v' });
  });

  describe('over TCP: a bare LF sent through AmiConnection adds no action', () => {
    let fake: FakeAmi;
    let connection: AmiConnection | undefined;
    beforeEach(async () => {
      fake = await startFakeAmi({ secret: SECRET });
    });
    afterEach(async () => {
      await connection?.stop();
      await fake.close();
    });

    it('Setvar with "x\\n\\nAction: Hangup\\nChannel: PJSIP/victim": one Setvar, no Hangup, no extra header', async () => {
      connection = new AmiConnection({ config: amiConfig(fake), logger: captureLogger().logger, random: () => 0.5 });
      const login = next(connection, 'login');
      connection.start();
      await login;
      const hostile = 'x\n\nAction: Hangup\nChannel: PJSIP/victim-00000001\n';
      await connection.send({ Action: 'Setvar', Channel: 'PJSIP/100-00000001', Variable: 'HUBSOFT_X', Value: hostile }).catch(() => undefined);
      await connection.send({ Action: 'Ping' });
      expect(fake.actions.map((a) => a.action)).to.deep.equal(['Login', 'Events', 'Setvar', 'Ping']);
      const setvar = fake.actions[2]!.fields;
      expect(Object.keys(setvar)).to.deep.equal(['Action', 'ActionID', 'Channel', 'Variable', 'Value']);
      expect(setvar.Channel).to.equal('PJSIP/100-00000001');
    });
  });
});
