import { expect } from 'chai';
import { alertsSchema } from '../../src/config/schema.js';
import { createAlertPreparer } from '../../src/ivr/alert-preparer.js';
import type { Tts } from '../../src/ivr/tts.js';
import { EQUIPE, notFound, ROMPIMENTO, withTwoAlerts } from './alert-fixtures.js';

/** A TTS that answers from a table, optionally never. */
class TableTts implements Tts {
  asked: string[] = [];
  constructor(private readonly answer: (text: string) => Promise<string | null>) {}
  soundFor(text: string): Promise<string | null> {
    this.asked.push(text);
    return this.answer(text);
  }
}

describe('ivr/alert-preparer', () => {
  const alerts = alertsSchema.parse({
    sounds: [{ match: 'rompimento de fibra no bairro', sound: 'custom/aviso-rompimento' }],
    tts: { enabled: true },
  });

  it('uses the first matching rule and asks TTS only for the rest', async () => {
    const tts = new TableTts(async () => '/var/lib/hubsoft-pbx-bridge/sounds/abc');
    const vars = await createAlertPreparer({ alerts, tts }).variablesFor(withTwoAlerts());
    expect(tts.asked).to.deep.equal([EQUIPE]);
    expect(vars).to.deep.include(['HUBSOFT_ALERTA_SOM_1', 'custom/aviso-rompimento']);
    expect(vars).to.deep.include(['HUBSOFT_ALERTA_SOM_2', '/var/lib/hubsoft-pbx-bridge/sounds/abc']);
    expect(vars.at(-1)).to.deep.equal(['HUBSOFT_LOOKUP', 'found']);
  });

  it('leaves a sound out when TTS misses the deadline', async () => {
    const tts = new TableTts(() => new Promise(() => undefined));
    const vars = await createAlertPreparer({ alerts, tts }).variablesFor(withTwoAlerts(), { soundDeadlineMs: 10 });
    expect(vars.map(([n]) => n)).to.include('HUBSOFT_ALERTA_SOM_1');
    expect(vars.map(([n]) => n)).not.to.include('HUBSOFT_ALERTA_SOM_2');
    expect(vars).to.deep.include(['HUBSOFT_ALERTA_2', EQUIPE]);
  });

  it('does not ask TTS when it is disabled in the config', async () => {
    const tts = new TableTts(async () => 'x');
    const off = alertsSchema.parse({});
    const vars = await createAlertPreparer({ alerts: off, tts }).variablesFor(withTwoAlerts());
    expect(tts.asked).to.deep.equal([]);
    expect(vars).to.deep.include(['HUBSOFT_ALERTA_1', ROMPIMENTO]);
    expect(vars.map(([n]) => n).filter((n) => n.includes('SOM'))).to.deep.equal([]);
  });

  it('asks nothing for a caller not found', async () => {
    const tts = new TableTts(async () => 'x');
    const vars = await createAlertPreparer({ alerts, tts }).variablesFor(notFound());
    expect(tts.asked).to.deep.equal([]);
    expect(vars.at(-1)).to.deep.equal(['HUBSOFT_LOOKUP', 'notfound']);
  });
});
