import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { VARIABLE_SUFFIX } from '../../src/ivr/alert-variables.js';
import { CONTEXT_SUFFIX } from '../../src/ivr/context-variables.js';
import { HUBSOFT_LOOKUP_SCRIPT } from '../../src/ivr/hubsoft-lookup-script.js';

const read = (name: string) => readFileSync(new URL(`../../config/asterisk/${name}`, import.meta.url), 'utf8');
const body = (text: string) => text.slice(text.indexOf('[hubsoft-alerts]'));
const code = (text: string) =>
  body(text)
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith(';'));

/** No Asterisk here: a static check of what a typo would break. */
describe('config/asterisk dialplan snippets', () => {
  const freepbx = read('hubsoft-alerts-freepbx.conf');
  const plain = read('hubsoft-alerts-asterisk.conf');

  it('share one body, each with its own comment header', () => {
    expect(body(freepbx)).to.equal(body(plain));
    expect(freepbx.startsWith(';')).to.equal(true);
    expect(plain.startsWith(';')).to.equal(true);
  });

  it('define both subroutines, each ending in Return()', () => {
    const lines = code(plain);
    expect(lines).to.include('[hubsoft-alerts]');
    expect(lines).to.include('[hubsoft-alerts-agi]');
    expect(lines.filter((l) => l.includes('Return()'))).to.have.length(1);
    expect(lines.join('\n')).to.include('Goto(hubsoft-alerts,s,play)');
  });

  it('balance While/EndWhile and reference only defined labels', () => {
    const lines = code(plain);
    expect(lines.filter((l) => /,While\(/.test(l)).length).to.equal(lines.filter((l) => /,EndWhile\(/.test(l)).length);
    const labels = new Set([...body(plain).matchAll(/same => n\((\w+)\)/g)].map((m) => m[1]));
    for (const [, label] of body(plain).matchAll(/\?(\w+)\)/g)) expect(labels, label).to.include(label);
    expect(labels).to.include('play');
  });

  it('balance parentheses and brackets on every line', () => {
    for (const line of code(plain)) {
      for (const [open, close] of [['(', ')'], ['{', '}'], ['[', ']']] as const) {
        expect(line.split(open).length, `${open} in ${line}`).to.equal(line.split(close).length);
      }
    }
  });

  it('use the variable names and the AGI script name the bridge sets', () => {
    const text = body(plain);
    for (const suffix of [VARIABLE_SUFFIX.lookup, VARIABLE_SUFFIX.alerta, VARIABLE_SUFFIX.alertaTotal]) {
      expect(text).to.include(`\${HUBSOFT_${suffix}}`);
    }
    expect(text).to.include(`\${HUBSOFT_${VARIABLE_SUFFIX.alertaSom}\${i}}`);
    expect(text).to.include(`agi://127.0.0.1:4573/${HUBSOFT_LOOKUP_SCRIPT},\${CHANNEL(linkedid)}`);
    for (const suffix of [CONTEXT_SUFFIX.route, CONTEXT_SUFFIX.osData, CONTEXT_SUFFIX.osQuando, CONTEXT_SUFFIX.atendimentos]) expect(text).to.include(`\${HUBSOFT_${suffix}}`);
  });

  it('pass no alert text to an application, only whitelisted sound names', () => {
    const text = body(plain);
    expect(text).not.to.match(/\$\{HUBSOFT_ALERTA_\$\{i\}\}/);
    expect(text).not.to.include('${HUBSOFT_NOME}');
  });
});
