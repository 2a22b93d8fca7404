import { expect } from 'chai';
import { HubsoftCrm } from '../../src/bridge/hubsoft-crm.js';
import { BridgeError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import type { PbxCallBody } from '../../src/hubsoft/types.js';
import { validatePbxBody } from '../../src/hubsoft/pbx.js';

describe('bridge/context-params: the caller context in ligacao_params', () => {
  const withContext: PbxCallBody = {
    ramal: '1001',
    telefone: '3732215000',
    ligacao_params: {
      linkedid: '1.1',
      atendimentos_abertos: ['202601010930451'],
      ordem_servico: [{ numero_ordem_servico: '1250', tipo: 'SUPORTE', status: 'pendente', data_inicio_programado: '02/01/2026 10:00:00' }],
      status_servico: 'habilitado',
    },
  };

  it('lists of at most 3 flat entries pass the body check; a fourth entry or a nested record does not', () => {
    expect(() => validatePbxBody(withContext)).not.to.throw();
    expect(() => validatePbxBody({ ramal: '1', ligacao_params: { atendimentos_abertos: ['1', '2', '3', '4'] } })).to.throw(/ligacao_params.atendimentos_abertos/);
    expect(() => validatePbxBody({ ramal: '1', ligacao_params: { ordem_servico: [{ tipo: { x: 1 } as unknown as string }] } })).to.throw(/ligacao_params.ordem_servico/);
  });

  it('a HubSoft refusal naming only ligacao_params fields sends the notify again without the context keys', async () => {
    const sent: PbxCallBody[] = [];
    const pbx = {
      notify: async (body: PbxCallBody) => {
        sent.push(body);
        if (sent.length === 1) throw new BridgeError('HUBSOFT_HTTP', 'O campo ligacao params.ordem servico é inválido.', { status: 422, fields: ['ligacao_params.ordem_servico'] });
        return 'ok';
      },
      cancel: async () => 'ok',
    };
    const crm = new HubsoftCrm({ lookup: { lookup: async () => { throw new Error('unused'); }, forget: () => undefined }, pbx, config: { extensions: {}, lookup: {} } as never, logger: silentLogger() });
    await crm.send({ route: 'notificar', kind: 'notify', key: 'k', body: withContext, describe: 'x' }, new AbortController().signal);
    expect(sent).to.have.length(2);
    expect(sent[1]!.ligacao_params).to.deep.equal({ linkedid: '1.1' });
  });
});
