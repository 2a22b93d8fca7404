import { expect } from 'chai';
import { compileSoundRules } from '../../src/ivr/sound-rules.js';

describe('ivr/sound-rules', () => {
  const rules = compileSoundRules([
    { match: 'rompimento de fibra', sound: 'custom/aviso-rompimento' },
    { match: 'manuten[cç][aã]o', sound: 'custom/aviso-manutencao' },
    { match: 'fibra', sound: 'custom/aviso-fibra' },
  ]);

  it('returns the first matching rule, case-insensitively', () => {
    expect(rules.soundFor('Existe um ROMPIMENTO DE FIBRA no bairro Centro')).to.equal('custom/aviso-rompimento');
    expect(rules.soundFor('Fibra com atenuação alta')).to.equal('custom/aviso-fibra');
    expect(rules.soundFor('Manutenção programada às 02h')).to.equal('custom/aviso-manutencao');
  });

  it('returns null when nothing matches', () => {
    expect(rules.soundFor('Cliente com fatura em aberto')).to.equal(null);
  });

  it('gives the same answer on every call (no regex state carried over)', () => {
    for (let i = 0; i < 3; i++) expect(rules.soundFor('rompimento de fibra')).to.equal('custom/aviso-rompimento');
  });

  it('drops a rule whose sound is not a safe name', () => {
    const unsafe = compileSoundRules([{ match: '.', sound: 'x&Dial(SIP/evil)' }]);
    expect(unsafe.size).to.equal(0);
    expect(unsafe.soundFor('anything')).to.equal(null);
  });
});
