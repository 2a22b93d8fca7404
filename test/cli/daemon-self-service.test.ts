import { expect } from 'chai';
import { startHarness, type Harness } from '../support/bridge-harness.js';
import { loadFixture } from '../support/transcript.js';
import { runAgi } from '../ivr/self-service/harness.js';

describe('daemon: FastAGI alerts and self-service on the running bridge', function () {
  this.timeout(15000);
  let harness: Harness;
  let agiPort: number;

  before(async () => {
    harness = await startHarness({ config: { agi: { enabled: true, port: 0 } } });
    agiPort = harness.daemon.ivr.agiServer!.address().port;
  });
  after(async () => {
    await harness.close();
  });

  it('answers hubsoft-lookup with the same cached lookup the call path uses', async () => {
    const vars = await runAgi(agiPort, 'hubsoft-lookup', '037999912222', '1795457052.9', []);
    expect(vars).to.include({ HUBSOFT_LOOKUP: 'found', HUBSOFT_NOME: 'JOAO PEDRO COSTA' });
  });

  it('the protocol the IVR gave a caller, and the path it took there, reach the agent in ligacao_params', async () => {
    const linkedid = '1795457052.0';
    const identified = await runAgi(agiPort, 'hubsoft-identify', '37999912222', linkedid, []);
    expect(identified.HUBSOFT_IDENTIFICACAO_STATUS).to.equal('ok');
    // Opening a protocol changes the account: caller ID and the confirmation digits.
    expect((await runAgi(agiPort, 'hubsoft-confirm', '37999912222', linkedid, ['053'])).HUBSOFT_CONFIRMACAO_STATUS).to.equal('ok');
    const protocol = await runAgi(agiPort, 'hubsoft-protocol', '37999912222', linkedid, ['suporte']);
    expect(protocol.HUBSOFT_PROTOCOLO_STATUS).to.equal('ok');
    await harness.play(loadFixture('s1_direct_answered'));
    await harness.settle();
    const notify = harness.pbxRequests().find((r) => r.route === 'notificar');
    expect(notify?.body.ligacao_params).to.include({ linkedid, protocolo: protocol.HUBSOFT_PROTOCOLO });
    expect((notify?.body.ligacao_params as { ura?: string }).ura).to.match(/^identify:ok, confirm:ok, protocol:ok/);
  });
});
