import { expect } from 'chai';
import { matchKey } from '../../src/bridge/hubsoft-crm.js';
import { isFinalRefusal, prepareTicketEdit, sendTicketEdit } from '../../src/bridge/ticket-edit.js';
import { BridgeError } from '../../src/errors.js';
import { isRetryable } from '../../src/outbox/retry.js';

const ticket = {
  linkedid: '1712345678.40',
  id_atendimento: 301,
  protocolo: '202403121200001',
  callerNumber: '37998001122',
  did: '3732215000',
  durationSeconds: 83.4,
  commands: ['identify:ok', 'unlock:ok'],
  recordingUrl: null,
  resolved: true,
  agentRequested: false,
  close: true,
};

describe('bridge/ticket-edit: the prepared 3.2 PUT', () => {
  it('is a must-deliver request on its own key, never a ramal|telefone key of notificar/cancelar', () => {
    const request = prepareTicketEdit(ticket)!;
    expect(request).to.include({ route: 'editar_atendimento', kind: 'cancel', key: 'atendimento:301' });
    expect(request.key).not.to.equal(matchKey({ ramal: '301', telefone: '37998001122' }));
    expect(request.key).not.to.match(/^(ramal|id):/);
    expect(request.body).to.deep.equal({
      id_atendimento: 301,
      fechar_atendimento: true,
      parametros: {
        origem: 'hubsoft-pbx-bridge',
        linkedid: '1712345678.40',
        protocolo: '202403121200001',
        telefone: '37998001122',
        did: '3732215000',
        duracao_segundos: 83,
        ura_opcoes: 'identify:ok, unlock:ok',
        resolvido_na_ura: 'sim',
        pediu_atendente: 'nao',
      },
    });
    expect(prepareTicketEdit({ ...ticket, id_atendimento: 0 })).to.equal(null);
  });

  it('HubSoft refusing the edit is final; an outage is retried', async () => {
    const refusing = { put: async () => Promise.reject(new BridgeError('HUBSOFT_STATUS_ERROR', 'closed', { status: 200, msg: 'O atendimento já está fechado.', fields: [] })) };
    const error = await sendTicketEdit(refusing, { id_atendimento: 301, fechar_atendimento: true, parametros: {} }, new AbortController().signal).catch((e: unknown) => e);
    expect(isFinalRefusal(error)).to.equal(true);
    const down = new BridgeError('HUBSOFT_HTTP', '503', { status: 503, fields: [] });
    const outage = await sendTicketEdit({ put: async () => Promise.reject(down) }, { id_atendimento: 301, fechar_atendimento: false, parametros: {} }, new AbortController().signal).catch((e: unknown) => e);
    expect(isFinalRefusal(outage)).to.equal(false);
    expect(isRetryable(outage)).to.equal(true);
  });
});
