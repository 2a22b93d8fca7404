import { expect } from 'chai';
import fc from 'fast-check';
import { capUtf8, safeAmiValue, safeSoundName } from '../../src/ivr/sanitize.js';

const CONTROL = /[\u0000-\u001F\u007F]/;

describe('ivr/sanitize', () => {
  describe('safeAmiValue', () => {
    it('turns CR, LF and other controls into single spaces', () => {
      expect(safeAmiValue('line one\r\nline two\n\tthree\u0000four\u007Ffive', 500)).to.equal(
        'line one line two three four five',
      );
    });

    it('keeps an injected AMI action inside one value', () => {
      const hostile = 'Rompimento\r\nAction: Originate\r\nChannel: Local/123@default\r\n\r\n';
      const value = safeAmiValue(hostile, 500);
      expect(value).to.equal('Rompimento Action: Originate Channel: Local/123@default');
      expect(value).not.to.match(CONTROL);
    });

    it('drops NUL bytes and a bare CR', () => {
      expect(safeAmiValue('a\u0000b\rc', 500)).to.equal('a b c');
    });

    it('caps 10 kB of text to the byte limit', () => {
      const value = safeAmiValue('x'.repeat(10_240), 500);
      expect(Buffer.byteLength(value)).to.equal(500);
    });

    it('never cuts a multi-byte character at the cap', () => {
      // "ç" is 2 bytes, "€" 3, "😀" 4: every cut point of this text falls inside one of them sooner or later.
      const text = 'aç€😀'.repeat(40);
      for (let cap = 0; cap <= 40; cap++) {
        const value = safeAmiValue(text, cap);
        expect(Buffer.byteLength(value)).to.be.at.most(cap);
        expect(Buffer.from(value, 'utf8').toString('utf8')).to.equal(value);
        expect(value).not.to.include('\uFFFD');
        expect(text.startsWith(value)).to.equal(true);
      }
    });

    it('keeps Portuguese text as it is', () => {
      const text = 'Existe um rompimento de fibra no bairro Centro, na cidade Divinópolis';
      expect(safeAmiValue(text, 500)).to.equal(text);
    });

    it('replaces lone surrogates instead of producing broken UTF-8', () => {
      expect(safeAmiValue('a\uD800b', 500)).to.equal('a\uFFFDb');
    });

    it('always yields one line within the limit (property)', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.integer({ min: 0, max: 300 }), (text, cap) => {
          const value = safeAmiValue(text, cap);
          expect(value).not.to.match(CONTROL);
          expect(Buffer.byteLength(value, 'utf8')).to.be.at.most(cap);
          expect(value).to.equal(value.trim());
        }),
      );
    });
  });

  describe('capUtf8', () => {
    it('returns short text unchanged', () => {
      expect(capUtf8('abc', 3)).to.equal('abc');
    });
    it('cuts before a 2-byte character that would cross the cap', () => {
      expect(capUtf8('abç', 3)).to.equal('ab');
    });
  });

  describe('safeSoundName', () => {
    it('accepts letters, digits, _, / and -', () => {
      expect(safeSoundName('custom/aviso-rompimento_2')).to.equal('custom/aviso-rompimento_2');
      expect(safeSoundName('/var/lib/hubsoft-pbx-bridge/sounds/abc123')).to.equal('/var/lib/hubsoft-pbx-bridge/sounds/abc123');
    });
    it('rejects anything live in a dialplan argument', () => {
      for (const name of ['a&b', 'a,b', 'a|b', '${EXTEN}', '$[1+1]', 'a b', 'a.wav', '../x', 'a\nb', '', 'a'.repeat(300)]) {
        expect(safeSoundName(name), name).to.equal(null);
      }
      expect(safeSoundName(null)).to.equal(null);
      expect(safeSoundName(undefined)).to.equal(null);
    });
  });
});
