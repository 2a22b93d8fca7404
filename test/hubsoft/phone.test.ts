import { expect } from 'chai';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { BRAZIL_DDDS, isSamePhone, normalisePhone, type PhoneKind } from '../../src/hubsoft/phone.js';

type Row = readonly [raw: string, kind: PhoneKind, national: string | undefined, candidates?: readonly string[]];

const options = { defaultAreaCode: '37', maxCandidates: 4 };

// Caller IDs as Brazilian trunks (SIP carriers, E1 with R2/ISDN, GSM gateways) deliver them.
const table: readonly Row[] = [
  ['37999912222', 'national', '37999912222', ['37999912222', '3799912222', '037999912222', '999912222']],
  ['037999912222', 'national', '37999912222'],
  ['01537999912222', 'national', '37999912222'],
  ['02137999912222', 'national', '37999912222'],
  ['+5537999912222', 'national', '37999912222'],
  ['5537999912222', 'national', '37999912222'],
  ['00215537999912222', 'national', '37999912222'],
  ['+55 (37) 99991-2222', 'national', '37999912222'],
  ['3732218000', 'national', '3732218000', ['3732218000', '03732218000', '32218000']],
  ['03732218000', 'national', '3732218000'],
  ['0413732218000', 'national', '3732218000'],
  ['0xx41 3333-4444', 'national', '4133334444'], // written "0 + carrier + DDD"
  ['(0XX37) 99991-2222', 'national', '37999912222'],
  ['32218000', 'national', '3732218000'],
  ['999912222', 'national', '37999912222'],
  ['3788776655', 'national', '3788776655', ['3788776655', '37988776655', '03788776655', '88776655']],
  ['55999123456', 'national', '55999123456'], // DDD 55 (Santa Maria/RS), not the country code
  ['555133334444', 'national', '5133334444'], // +55 51 3333-4444 without the plus
  ['11987654321', 'national', '11987654321'],
  ['+55 11 3003-4000', 'national', '1130034000'],
  ['08007771234', 'special', '08007771234'],
  ['8007771234', 'special', '08007771234'],
  ['03004005000', 'special', '03004005000'],
  ['+351912345678', 'foreign', '351912345678', ['351912345678']],
  ['0021351912345678', 'foreign', '351912345678'],
  ['+12125550199', 'foreign', '12125550199'],
  ['anonymous', 'withheld', undefined, []],
  ['Anonymous', 'withheld', undefined, []],
  ['', 'withheld', undefined, []],
  ['0000000000', 'withheld', undefined, []],
  ['unknown', 'withheld', undefined, []],
  ['abc123', 'invalid', undefined, []],
  ['2012345678', 'invalid', undefined, []], // DDD 20 does not exist
  ['1112345678', 'invalid', undefined, []], // landline cannot start with 1
  ['11812345678', 'invalid', undefined, []], // 9-digit local number must start with 9
  ['190', 'invalid', undefined, []],
  ['sip:1001@pbx', 'invalid', undefined, []],
];

describe('hubsoft/phone: caller ID normalisation', () => {
  for (const [raw, kind, national, candidates] of table) {
    it(`${JSON.stringify(raw)} -> ${kind} ${national ?? ''}`, () => {
      const result = normalisePhone(raw, options);
      expect(result.kind).to.equal(kind);
      expect(result.national).to.equal(national);
      if (candidates) expect(result.candidates).to.deep.equal(candidates);
      if (national) expect(result.candidates[0]).to.equal(national);
    });
  }

  it('caps the candidates at maxCandidates and never repeats one', () => {
    const result = normalisePhone('37999912222', { maxCandidates: 2 });
    expect(result.candidates).to.deep.equal(['37999912222', '3799912222']);
    const all = normalisePhone('3788776655', { maxCandidates: 10 }).candidates;
    expect(new Set(all).size).to.equal(all.length);
  });

  it('skips a local number when no lookup.defaultAreaCode is configured', () => {
    const result = normalisePhone('32218000');
    expect(result.kind).to.equal('invalid');
    expect(result.reason).to.contain('defaultAreaCode');
  });

  it('the DDD list matches libphonenumber-js BR metadata', () => {
    for (let ddd = 11; ddd <= 99; ddd += 1) {
      const parsed = parsePhoneNumberFromString(`${ddd}999912345`, 'BR');
      const valid = parsed?.isValid() ?? false;
      expect(BRAZIL_DDDS.has(String(ddd)), `DDD ${ddd}`).to.equal(valid);
    }
  });
});

describe('hubsoft/phone: is a stored phone the caller\'s number', () => {
  // [caller (national), stored as typed, same line?]
  const rows: readonly [string, string, boolean][] = [
    ['37999912222', '37999912222', true],
    ['37999912222', '(37) 99991-2222', true],
    ['37999912222', '+55 37 99991-2222', true],
    ['37999912222', '037999912222', true],
    ['37999912222', '3799912222', true], // typed before the ninth digit
    ['3799912222', '37999912222', true],
    ['37999912222', '999912222', true], // no DDD: read under defaultAreaCode 37
    ['37999912222', '99912222', true],
    ['11999912222', '999912222', false], // no DDD means 37, not 11
    ['37999912222', '11999912222', false], // same digits, another city
    ['37999912222', '1199912222', false],
    ['3732218000', '32218000', true],
    ['3732218000', '1132218000', false],
    ['3732218000', '37932218000', false], // a landline has no ninth-digit form
    ['37999912222', '3732218000 / 37 99991-2222', true],
    ['37999912222', '', false],
    ['37999912222', 'não tem', false],
    ['08007771234', '0800 777 1234', true],
    ['351912345678', '+351 912 345 678', true],
  ];
  for (const [caller, stored, same] of rows) {
    it(`${caller} vs ${JSON.stringify(stored)}: ${same ? 'same line' : 'another line'}`, () => {
      expect(isSamePhone(caller, stored, '37')).to.equal(same);
    });
  }

  it('without lookup.defaultAreaCode a stored number without DDD matches no one', () => {
    expect(isSamePhone('37999912222', '999912222')).to.equal(false);
  });
});
