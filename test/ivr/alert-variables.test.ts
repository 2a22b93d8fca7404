import { expect } from 'chai';
import { alertTexts, buildAlertVariables } from '../../src/ivr/alert-variables.js';
import { ambiguous, client, EQUIPE, hubsoftDown, notFound, result, ROMPIMENTO, withoutAlerts, withTwoAlerts } from './alert-fixtures.js';

const config = { enabled: true, variablePrefix: 'HUBSOFT_', maxValueBytes: 500 };

describe('ivr/alert-variables', () => {
  it('sets client, alerts and sounds for a client with 2 alerts, HUBSOFT_LOOKUP last', () => {
    const vars = buildAlertVariables(withTwoAlerts(), config, { sounds: ['custom/aviso-rompimento', null] });
    expect(vars).to.deep.equal([
      ['HUBSOFT_ID_CLIENTE', '1234'],
      ['HUBSOFT_CODIGO_CLIENTE', '5678'],
      ['HUBSOFT_NOME', 'Maria da Silva'],
      ['HUBSOFT_ALERTA', '1'],
      ['HUBSOFT_ALERTA_TOTAL', '2'],
      ['HUBSOFT_ALERTA_1', ROMPIMENTO],
      ['HUBSOFT_ALERTA_2', EQUIPE],
      ['HUBSOFT_ALERTA_SOM_1', 'custom/aviso-rompimento'],
      ['HUBSOFT_LOOKUP', 'found'],
    ]);
  });

  it('sets HUBSOFT_ALERTA=0 for a client without alerts', () => {
    expect(buildAlertVariables(withoutAlerts(), config)).to.deep.equal([
      ['HUBSOFT_ID_CLIENTE', '1234'],
      ['HUBSOFT_CODIGO_CLIENTE', '5678'],
      ['HUBSOFT_NOME', 'Maria da Silva'],
      ['HUBSOFT_ALERTA', '0'],
      ['HUBSOFT_ALERTA_TOTAL', '0'],
      ['HUBSOFT_LOOKUP', 'found'],
    ]);
  });

  it('sets no client variables when not found', () => {
    expect(buildAlertVariables(notFound(), config)).to.deep.equal([
      ['HUBSOFT_ALERTA', '0'],
      ['HUBSOFT_ALERTA_TOTAL', '0'],
      ['HUBSOFT_LOOKUP', 'notfound'],
    ]);
  });

  it('sets the distinct alerts of every client but no client id when ambiguous', () => {
    expect(buildAlertVariables(ambiguous(), config)).to.deep.equal([
      ['HUBSOFT_ALERTA', '1'],
      ['HUBSOFT_ALERTA_TOTAL', '2'],
      ['HUBSOFT_ALERTA_1', ROMPIMENTO],
      ['HUBSOFT_ALERTA_2', EQUIPE],
      ['HUBSOFT_LOOKUP', 'ambiguous'],
    ]);
  });

  it('sets HUBSOFT_LOOKUP=error when HubSoft is down', () => {
    expect(buildAlertVariables(hubsoftDown(), config)).to.deep.equal([
      ['HUBSOFT_ALERTA', '0'],
      ['HUBSOFT_ALERTA_TOTAL', '0'],
      ['HUBSOFT_LOOKUP', 'error'],
    ]);
  });

  it('uses the configured prefix', () => {
    const vars = buildAlertVariables(withoutAlerts(), { ...config, variablePrefix: 'ISP_' });
    expect(vars.map(([name]) => name)).to.deep.equal([
      'ISP_ID_CLIENTE',
      'ISP_CODIGO_CLIENTE',
      'ISP_NOME',
      'ISP_ALERTA',
      'ISP_ALERTA_TOTAL',
      'ISP_LOOKUP',
    ]);
  });

  it('omits CODIGO_CLIENTE when HubSoft has none', () => {
    const vars = buildAlertVariables(result('found', [client({ codigo_cliente: null })]), config);
    expect(vars.map(([name]) => name)).not.to.include('HUBSOFT_CODIGO_CLIENTE');
  });

  it('caps the number of alerts and drops blank ones', () => {
    const messages = ['  ', ...Array.from({ length: 15 }, (_, i) => `Aviso ${i + 1}`)];
    const found = result('found', [client({ alerta: true, alerta_mensagens: messages })]);
    const vars = buildAlertVariables(found, config, { maxAlerts: 3 });
    expect(vars).to.deep.include(['HUBSOFT_ALERTA_TOTAL', '3']);
    expect(vars).to.deep.include(['HUBSOFT_ALERTA_1', 'Aviso 1']);
    expect(vars.map(([n]) => n)).not.to.include('HUBSOFT_ALERTA_4');
  });

  it('sanitises alert text, client name and sound names', () => {
    const hostile = 'Aviso\r\nAction: Originate\r\nChannel: Local/1@x\r\n\r\n';
    const found = result('found', [client({ nome_razaosocial: 'Ana\r\nAction: Logoff', alerta: true, alerta_mensagens: [hostile] })]);
    const vars = buildAlertVariables(found, config, { sounds: ['x,${EVIL}'] });
    expect(vars).to.deep.include(['HUBSOFT_NOME', 'Ana Action: Logoff']);
    expect(vars).to.deep.include(['HUBSOFT_ALERTA_1', 'Aviso Action: Originate Channel: Local/1@x']);
    expect(vars.map(([n]) => n)).not.to.include('HUBSOFT_ALERTA_SOM_1');
  });

  it('sets no alert variables when alerts are disabled', () => {
    expect(buildAlertVariables(withTwoAlerts(), { ...config, enabled: false }).map(([n]) => n)).to.deep.equal([
      'HUBSOFT_ID_CLIENTE',
      'HUBSOFT_CODIGO_CLIENTE',
      'HUBSOFT_NOME',
      'HUBSOFT_LOOKUP',
    ]);
  });

  it('alertTexts lists nothing for skipped and error lookups', () => {
    expect(alertTexts(result('skipped'), config)).to.deep.equal([]);
    expect(alertTexts(hubsoftDown(), config)).to.deep.equal([]);
  });
});
