import { expect } from 'chai';
import type { AmiAction, AmiActions, AmiResponse } from '../../src/ami/types.js';
import { AmiConnection } from '../../src/ami/connection.js';
import { amiSchema } from '../../src/config/schema.js';
import { BridgeError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import { buildAlertVariables, type AlertVariable } from '../../src/ivr/alert-variables.js';
import { pushAlertVariables } from '../../src/ivr/setvar.js';
import { safeAmiValue } from '../../src/ivr/sanitize.js';
import { startFakeAmi, type FakeAmi } from '../support/fake-ami.js';
import { ambiguous, client, hubsoftDown, notFound, result, withoutAlerts, withTwoAlerts } from './alert-fixtures.js';

const CHANNEL = 'PJSIP/trunk-vivo-0000002a';
const config = { enabled: true, variablePrefix: 'HUBSOFT_', maxValueBytes: 500 };

/** A hand-written AMI peer in memory: records actions, answers from a function, can advance a fake clock. */
class ScriptedAmi implements AmiActions {
  readonly sent: Array<{ action: AmiAction; timeoutMs: number | undefined }> = [];
  constructor(private readonly answer: (action: AmiAction, index: number) => Promise<AmiResponse>) {}
  send(action: AmiAction, options?: { timeoutMs?: number }): Promise<AmiResponse> {
    this.sent.push({ action, timeoutMs: options?.timeoutMs });
    return this.answer(action, this.sent.length - 1);
  }
}
const ok = (): Promise<AmiResponse> => Promise.resolve({ response: 'Success', message: 'Variable Set' });

describe('ivr/setvar', () => {
  describe('pushAlertVariables (in memory)', () => {
    const vars: AlertVariable[] = [
      ['HUBSOFT_ALERTA', '1'],
      ['HUBSOFT_ALERTA_TOTAL', '1'],
      ['HUBSOFT_ALERTA_1', 'Aviso'],
      ['HUBSOFT_LOOKUP', 'found'],
    ];

    it('sends one Setvar per variable, in order, each naming the channel', async () => {
      const ami = new ScriptedAmi(ok);
      const outcome = await pushAlertVariables(ami, CHANNEL, vars);
      expect(outcome).to.deep.equal({ set: 4, failed: 0, stopped: null });
      expect(ami.sent.map((s) => s.action)).to.deep.equal(
        vars.map(([Variable, Value]) => ({ Action: 'Setvar', Channel: CHANNEL, Variable, Value })),
      );
    });

    it('stops at "No such channel" (the caller hung up)', async () => {
      const ami = new ScriptedAmi(() => Promise.resolve({ response: 'Error', message: 'No such channel' }));
      const outcome = await pushAlertVariables(ami, CHANNEL, vars);
      expect(outcome).to.deep.equal({ set: 0, failed: 1, stopped: 'channel-gone' });
      expect(ami.sent).to.have.length(1);
    });

    it('never throws when the link fails, and still tries HUBSOFT_LOOKUP last', async () => {
      const ami = new ScriptedAmi((_, i) => (i === 0 ? Promise.reject(new BridgeError('AMI_DISCONNECTED')) : ok()));
      const outcome = await pushAlertVariables(ami, CHANNEL, vars);
      expect(outcome.stopped).to.equal('link-error');
      expect(ami.sent.map((s) => s.action['Variable'])).to.deep.equal(['HUBSOFT_ALERTA', 'HUBSOFT_LOOKUP']);
    });

    it('keeps within the total time: skips to HUBSOFT_LOOKUP once it is spent', async () => {
      let now = 0;
      const ami = new ScriptedAmi(() => {
        now += 600; // each action "takes" 600 ms of the fake clock
        return ok();
      });
      const outcome = await pushAlertVariables(ami, CHANNEL, vars, { totalTimeoutMs: 1000, actionTimeoutMs: 800, now: () => now });
      expect(ami.sent.map((s) => s.action['Variable'])).to.deep.equal(['HUBSOFT_ALERTA', 'HUBSOFT_ALERTA_TOTAL', 'HUBSOFT_LOOKUP']);
      expect(ami.sent.map((s) => s.timeoutMs)).to.deep.equal([800, 400, 250]);
      expect(outcome).to.deep.equal({ set: 3, failed: 1, stopped: 'deadline' });
    });

    it('refuses an empty or multi-line channel name without sending anything', async () => {
      const ami = new ScriptedAmi(ok);
      expect((await pushAlertVariables(ami, '', vars)).set).to.equal(0);
      expect((await pushAlertVariables(ami, 'PJSIP/x\r\nAction: Originate', vars)).set).to.equal(0);
      expect(ami.sent).to.have.length(0);
    });

    it('sanitises values again at the edge', async () => {
      const ami = new ScriptedAmi(ok);
      await pushAlertVariables(ami, CHANNEL, [['HUBSOFT_ALERTA_1', 'a\r\nAction: Originate']], { maxValueBytes: 500 });
      expect(ami.sent[0]!.action['Value']).to.equal('a Action: Originate');
    });
  });

  describe('over TCP to a fake Asterisk', () => {
    let fake: FakeAmi;
    let ami: AmiConnection;

    beforeEach(async () => {
      fake = await startFakeAmi({ knownChannels: [CHANNEL] });
      ami = new AmiConnection({
        config: amiSchema.parse({ host: '127.0.0.1', port: fake.port, username: 'bridge', secret: 'amisecret', pingIntervalMs: 60_000 }),
        logger: silentLogger(),
      });
      const loggedIn = new Promise<void>((resolve) => ami.on('login', () => resolve()));
      ami.start();
      await loggedIn;
    });
    afterEach(async () => {
      await ami.stop();
      await fake.close();
    });

    /** Every action the fake received after login that is not part of the connection's own upkeep. */
    const pushed = () =>
      fake.actions.filter((a) => !['login', 'events', 'ping', 'logoff'].includes(a.action.toLowerCase()));

    async function pushAndCheck(vars: AlertVariable[]) {
      const outcome = await pushAlertVariables(ami, CHANNEL, vars, { logger: silentLogger() });
      expect(outcome).to.deep.equal({ set: vars.length, failed: 0, stopped: null });
      expect(pushed().map((a) => a.action)).to.deep.equal(vars.map(() => 'Setvar'));
      expect(fake.variables).to.deep.equal(vars.map(([variable, value]) => ({ channel: CHANNEL, variable, value })));
    }

    it('client with 2 alerts: exactly the expected Setvar actions, HUBSOFT_LOOKUP last', async () => {
      const vars = buildAlertVariables(withTwoAlerts(), config, { sounds: ['custom/aviso-rompimento', null] });
      await pushAndCheck(vars);
      expect(fake.variables.at(-1)).to.deep.equal({ channel: CHANNEL, variable: 'HUBSOFT_LOOKUP', value: 'found' });
      expect(fake.variables.map((v) => v.variable)).to.include.members(['HUBSOFT_ALERTA_1', 'HUBSOFT_ALERTA_2', 'HUBSOFT_ALERTA_SOM_1']);
    });

    it('client without alerts', async () => {
      await pushAndCheck(buildAlertVariables(withoutAlerts(), config));
      expect(fake.variables.find((v) => v.variable === 'HUBSOFT_ALERTA')?.value).to.equal('0');
    });

    it('caller not found', async () => {
      await pushAndCheck(buildAlertVariables(notFound(), config));
      expect(fake.variables.map((v) => v.variable)).to.deep.equal(['HUBSOFT_ALERTA', 'HUBSOFT_ALERTA_TOTAL', 'HUBSOFT_LOOKUP']);
    });

    it('ambiguous number', async () => {
      await pushAndCheck(buildAlertVariables(ambiguous(), config));
      expect(fake.variables.map((v) => v.variable)).not.to.include('HUBSOFT_ID_CLIENTE');
      expect(fake.variables.at(-1)?.value).to.equal('ambiguous');
    });

    it('HubSoft down', async () => {
      await pushAndCheck(buildAlertVariables(hubsoftDown(), config));
      expect(fake.variables.at(-1)?.value).to.equal('error');
    });

    it('hostile alert texts arrive as one safe value each, no action injected', async () => {
      const hostile = [
        'Rompimento\r\nAction: Originate\r\nChannel: Local/100@default\r\nApplication: Hangup\r\n\r\n',
        '\r\nAction: Originate\r\n',
        'NUL\u0000byte and bare\nLF and bare\rCR',
        'ç€😀'.repeat(3000), // about 27 kB of multi-byte text
        'x'.repeat(10_240),
      ];
      const found = result('found', [client({ alerta: true, alerta_mensagens: hostile, nome_razaosocial: 'Ana\r\n\r\nAction: Logoff' })]);
      const vars = buildAlertVariables(found, config);
      await pushAndCheck(vars);
      expect(fake.actions.filter((a) => ['originate', 'logoff'].includes(a.action.toLowerCase()))).to.deep.equal([]);
      const texts = fake.variables.filter((v) => /^HUBSOFT_ALERTA_\d+$/.test(v.variable)).map((v) => v.value);
      expect(texts).to.deep.equal(hostile.map((h) => safeAmiValue(h, 500)));
      for (const value of fake.variables.map((v) => v.value)) {
        expect(value).not.to.match(/[\u0000-\u001F\u007F]/);
        expect(Buffer.byteLength(value)).to.be.at.most(500);
      }
      expect(fake.variables.find((v) => v.variable === 'HUBSOFT_NOME')?.value).to.equal('Ana Action: Logoff');
    });

    it('a channel that is gone: one Setvar refused, the rest not sent', async () => {
      const vars = buildAlertVariables(withTwoAlerts(), config);
      const outcome = await pushAlertVariables(ami, 'PJSIP/trunk-vivo-000000ff', vars, { logger: silentLogger() });
      expect(outcome.stopped).to.equal('channel-gone');
      expect(pushed()).to.have.length(1);
      expect(fake.variables).to.deep.equal([]);
    });
  });
});
