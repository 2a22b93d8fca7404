import { expect } from 'chai';
import fc from 'fast-check';
import { normaliseFields, normaliseMessage, repeatedValues } from '../../src/ami/normalise.js';

describe('ami/normalise', () => {
  it('lower-cases and trims keys, keeps string values, turns <unknown> into empty', () => {
    const n = normaliseMessage({ Event: 'DialBegin', ' DestChannel ': 'PJSIP/1001-0000002a', destconnectedlinenum: '<unknown>' });
    expect(n).to.deep.equal({ kind: 'event', message: { event: 'DialBegin', destchannel: 'PJSIP/1001-0000002a', destconnectedlinenum: '' } });
  });

  it('classifies responses and anything else', () => {
    expect(normaliseMessage({ response: 'Success', actionid: 'hpb-1', ping: 'Pong' }).kind).to.equal('response');
    expect(normaliseMessage({ foo: 'bar' })).to.deep.equal({ kind: 'other', message: { foo: 'bar' } });
    expect(normaliseMessage({ event: '' }).kind).to.equal('other');
  });

  it('keeps the first value of a repeated key and lists them all apart', () => {
    const raw = { event: 'Cdr', destchanvariable: ['A=1', 'B=2'], chanvariable: { FOO: 'bar', BAZ: 'x=y' }, variable: { SIPDOMAIN: '' } };
    expect(normaliseFields(raw)).to.include({ destchanvariable: 'A=1', chanvariable: 'FOO=bar', variable: 'SIPDOMAIN' });
    expect(repeatedValues(raw)).to.deep.equal({ destchanvariable: ['A=1', 'B=2'], chanvariable: ['FOO=bar', 'BAZ=x=y'] });
  });

  it('turns numbers and booleans into strings and drops what has no string form', () => {
    expect(normaliseFields({ a: 1, b: true, c: null, d: undefined, e: () => 1, f: [() => 1, 'second'] })).to.deep.equal({ a: '1', b: 'true', f: 'second' });
  });

  it('survives prototype-looking keys and hostile objects', () => {
    const raw = JSON.parse('{"__proto__": "x", "constructor": "y", "toString": "z", "event": "Hangup"}') as unknown;
    expect(normaliseFields(raw)).to.deep.equal({ constructor: 'y', tostring: 'z', event: 'Hangup' });
    const trap = new Proxy({}, { ownKeys: () => { throw new Error('boom'); } });
    expect(normaliseFields(trap)).to.deep.equal({});
    const getter = Object.defineProperty({}, 'event', { enumerable: true, get: () => { throw new Error('boom'); } });
    expect(normaliseMessage(getter).kind).to.equal('other');
  });

  it('never throws and always gives string values (property)', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        const { message } = normaliseMessage(raw);
        return Object.values(message).every((v) => typeof v === 'string' && v !== '<unknown>');
      }),
      { seed: 4242, numRuns: Number(process.env.FC_RUNS ?? 300) },
    );
  });
});
