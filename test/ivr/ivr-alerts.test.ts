import { expect } from 'chai';
import type { AmiAction, AmiActions, AmiResponse } from '../../src/ami/types.js';
import { agiSchema, alertsSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log/logger.js';
import { createIvrAlerts } from '../../src/ivr/ivr-alerts.js';
import { FakeAgiClient } from '../support/fake-agi-client.js';
import { withTwoAlerts } from './alert-fixtures.js';

class RecordingAmi implements AmiActions {
  readonly sent: AmiAction[] = [];
  send(action: AmiAction): Promise<AmiResponse> {
    this.sent.push(action);
    return Promise.resolve({ response: 'Success' });
  }
}

describe('ivr/ivr-alerts wiring', () => {
  const alerts = alertsSchema.parse({ sounds: [{ match: 'rompimento', sound: 'custom/aviso-rompimento' }] });

  it('pushFor builds the variables and sets them on the channel', async () => {
    const ivr = createIvrAlerts({ alerts, agi: agiSchema.parse({ enabled: false }), lookup: async () => withTwoAlerts(), logger: silentLogger() });
    expect(ivr.agiServer).to.equal(null);
    const ami = new RecordingAmi();
    const outcome = await ivr.pushFor(ami, 'PJSIP/trunk-1', withTwoAlerts());
    expect(outcome.set).to.equal(ami.sent.length);
    expect(ami.sent.every((a) => a.Action === 'Setvar' && a.Channel === 'PJSIP/trunk-1')).to.equal(true);
    expect(ami.sent.at(-1)).to.deep.include({ Variable: 'HUBSOFT_LOOKUP', Value: 'found' });
  });

  it('serves hubsoft-lookup on the FastAGI server with the given lookup', async () => {
    const asked: string[] = [];
    const ivr = createIvrAlerts({
      alerts,
      // Port 0 (a free one) is not valid config, but the server takes it: the test must not need 4573 free.
      agi: { ...agiSchema.parse({}), port: 0 },
      lookup: async (callerId) => {
        asked.push(callerId);
        return withTwoAlerts();
      },
      logger: silentLogger(),
    });
    const server = ivr.agiServer!;
    const { port } = await server.start();
    try {
      const agi = await FakeAgiClient.connect(port, FakeAgiClient.environment('hubsoft-lookup', '37999887766', '1.1'));
      await agi.finished;
      expect(asked).to.deep.equal(['37999887766']);
      expect(agi.commands.at(-1)).to.equal('SET VARIABLE HUBSOFT_LOOKUP "found"');
    } finally {
      await server.stop();
    }
  });
});
