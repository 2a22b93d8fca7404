import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { selfServiceSchema } from '../../../src/config/schema.js';
import { FastAgiServer } from '../../../src/ivr/fastagi-server.js';
import { URA_PROMPTS } from '../../../src/ivr/self-service/prompts.js';
import { registerSelfService } from '../../../src/ivr/self-service/register.js';
import { SELF_SERVICE_COMMANDS } from '../../../src/ivr/self-service/register.js';

const text = readFileSync(new URL('../../../config/asterisk/ura-hubsoft.conf', import.meta.url), 'utf8');
const code = text.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith(';'));

/** No Asterisk here: a static check of what a typo in the sample URA would break. */
describe('config/asterisk/ura-hubsoft.conf', () => {
  const registered = registerSelfService(new FastAgiServer({ host: '127.0.0.1', port: 0 }), {
    config: selfServiceSchema.parse({}),
    api: { get: () => Promise.reject(new Error('unused')), post: () => Promise.reject(new Error('unused')) },
    lookup: () => Promise.reject(new Error('unused')),
  }).scripts;

  it('calls only AGI commands the bridge registers, each with the linkedid first', () => {
    const calls = [...text.matchAll(/AGI\(agi:\/\/127\.0\.0\.1:4573\/([A-Za-z0-9_-]+)(,[^)]*)?\)/g)];
    expect(calls.length).to.be.greaterThan(5);
    for (const [, name, args] of calls) {
      expect(registered, name).to.include(name);
      expect(args ?? '', name).to.match(/^,\$\{HUBSOFT_URA_ID\}/);
    }
    expect(code.join('\n').match(/AGI\(/g)).to.have.length(calls.length);
  });

  it('branches on the STATUS variables the commands set', () => {
    for (const [, stem] of text.matchAll(/\$\{HUBSOFT_([A-Z_]+)_STATUS\}/g)) {
      expect(SELF_SERVICE_COMMANDS.map((c) => c.variable), stem).to.include(stem);
    }
    const values = new Set(SELF_SERVICE_COMMANDS.flatMap((c) => [...c.values, `${c.variable}_STATUS`, `${c.variable}_REASON`, `${c.variable}_MSG`, `${c.variable}_MSG_SOM`]));
    for (const [, name] of text.matchAll(/\$\{HUBSOFT_([A-Z_]+)\}/g)) {
      if (name === 'URA_ID' || name === 'CONFIRMAR') continue;
      expect(values, name).to.include(name);
    }
  });

  it('plays only prompts the bridge can generate', () => {
    for (const [, name] of text.matchAll(/hubsoft\/(ura-[a-z-]+)/g)) expect(Object.keys(URA_PROMPTS), name).to.include(name);
  });

  it('references only defined contexts and labels; balanced brackets on every line', () => {
    const contexts = new Set([...text.matchAll(/^\[([a-z-]+)\]/gm)].map((m) => m[1]));
    const labels = new Set([...text.matchAll(/same => n\((\w+)\)/g)].map((m) => m[1]));
    for (const [, context, , label] of text.matchAll(/(?:Goto|Gosub|\?)\(?(hubsoft-[a-z-]+),(s|\d),(\w+)\)/g)) {
      expect(contexts, context).to.include(context);
      if (!/^\d+$/.test(label!)) expect(labels, label).to.include(label);
    }
    for (const line of code.filter((l) => l.includes('GotoIf('))) {
      for (const [, label] of line.matchAll(/\?(\w+)\)$/g)) expect(labels, label).to.include(label);
    }
    for (const line of code) {
      for (const [open, close] of [['(', ')'], ['{', '}'], ['[', ']']] as const) expect(line.split(open).length, `${open} in ${line}`).to.equal(line.split(close).length);
    }
    // hubsoft-ura-confirm's two, and the hangup handler's (hubsoft-ura-end).
    expect(code.filter((l) => /Return\(/.test(l))).to.have.length(3);
    expect(text).to.match(/hangup_handler_push\)=hubsoft-ura-end,s,1\)/);
  });
});
