import { expect } from 'chai';
import { playSelfServiceCall } from '../../support/self-service-demo.js';

describe('support/self-service-demo', () => {
  it('plays one call: identify, confirm, protocol, invoices, second copy by SMS', async () => {
    const result = await playSelfServiceCall();
    expect(result.steps.map((s) => Object.entries(s.variables).find(([k]) => k.endsWith('_STATUS'))?.[1])).to.deep.equal(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(result.sends).to.deep.equal([{ channel: 'sms', id_fatura: 50949, id_cliente: 11208, to: ['37998001122'] }]);
    expect(result.hubsoftReceived.map((r) => `${r.method} ${r.path}`)).to.include('POST /api/v1/integracao/cliente/financeiro/enviar_sms');
    expect(result.protocolForAgent).to.match(/^\d+$/);
  });
});
