import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import fc from 'fast-check';
import { FrameReader, NOISE_EVENTS, parseFrame } from '../../src/ami/frame-reader.js';
import type { NormalisedMessage } from '../../src/ami/normalise.js';

const FIXTURES = ['s1_direct_answered', 's3_ringgroup_one_answers', 's4c_queue_localmembers_answered'] as const;
const DIR = fileURLToPath(new URL('../fixtures/ami/', import.meta.url));
const fixture = (name: string): Buffer => readFileSync(`${DIR}${name}.ami`);

function read(chunks: readonly Buffer[], options: Partial<ConstructorParameters<typeof FrameReader>[0]> = {}) {
  const messages: NormalisedMessage[] = [];
  const oversize: number[] = [];
  const reader = new FrameReader({ onMessage: (m) => messages.push(m), onOversize: (o) => oversize.push(o.bytes), ...options });
  for (const chunk of chunks) reader.push(chunk);
  return { messages, oversize, reader };
}

/** Byte ranges of each frame (terminator included); the banner belongs to the first. */
function frameRanges(data: Buffer): [number, number][] {
  const ranges: [number, number][] = [];
  let start = 0;
  for (let at = data.indexOf('\r\n\r\n'); at >= 0; at = data.indexOf('\r\n\r\n', start)) {
    ranges.push([start, at + 4]);
    start = at + 4;
  }
  return ranges;
}

describe('ami/frame-reader', () => {
  for (const name of FIXTURES) {
    it(`${name}: every frame split at every byte offset gives the same messages as one push`, function () {
      this.timeout(60_000);
      const data = fixture(name);
      const whole = read([data]).messages;
      expect(whole.filter((m) => m.kind === 'event').length).to.be.greaterThan(20);
      expect(whole[0]).to.deep.include({ kind: 'response' });
      const ranges = frameRanges(data);
      expect(ranges).to.have.length(whole.length);
      ranges.forEach(([start, end], i) => {
        // The frame split in two at each offset, then the next frame: both must come out whole.
        const after = ranges[i + 1];
        const nextBytes = after ? data.subarray(after[0], after[1]) : Buffer.alloc(0);
        const expected = whole.slice(i, after ? i + 2 : i + 1);
        const expectedJson = JSON.stringify(expected);
        for (let cut = start; cut <= end; cut++) {
          const got = read([data.subarray(start, cut), data.subarray(cut, end), nextBytes]).messages;
          // deep.equal only on a mismatch, for its diff: it is slow over ~100k cuts.
          if (JSON.stringify(got) !== expectedJson) expect(got, `frame ${i} cut at ${cut}`).to.deep.equal(expected);
        }
      });
    });

    it(`${name}: one byte at a time, and random multi-way splits, change nothing`, () => {
      const data = fixture(name);
      const whole = read([data]).messages;
      const bytes: Buffer[] = [];
      for (let i = 0; i < data.length; i++) bytes.push(data.subarray(i, i + 1));
      expect(read(bytes).messages).to.deep.equal(whole);
      fc.assert(
        fc.property(fc.uniqueArray(fc.integer({ min: 1, max: data.length - 1 }), { maxLength: 40 }), (cuts) => {
          const sorted = [0, ...cuts.sort((a, b) => a - b), data.length];
          const chunks = sorted.slice(1).map((end, i) => data.subarray(sorted[i], end));
          expect(read(chunks).messages).to.deep.equal(whole);
        }),
        { seed: 808, numRuns: Number(process.env.FC_RUNS ?? 100) },
      );
    });

    it(`${name}: skipping noise drops exactly those events and nothing else`, () => {
      const data = fixture(name);
      const all = read([data]).messages;
      const { messages, reader } = read([data], { skipEvents: NOISE_EVENTS });
      const noise = new Set(NOISE_EVENTS);
      expect(messages).to.deep.equal(all.filter((m) => !(m.kind === 'event' && noise.has(m.message.event))));
      expect(reader.stats().skipped).to.equal(all.length - messages.length).and.be.greaterThan(0);
    });
  }

  it('normalises like normalise.ts: lower-case keys, <unknown> as empty, first of repeated keys, variables', () => {
    const text =
      'Event: Newchannel\r\nPrivilege: call,all\r\nCallerIDName: <unknown>\r\nChanVariable: A=1\r\nChanVariable: B=2\r\n' +
      'DestChanVariable: C=3\r\nDestChanVariable: D=4\r\nVariable: SIPDOMAIN=\r\n Odd Key : x\r\nValue: a: b\r\nEmpty:\r\n__proto__: p\r\nconstructor: c';
    expect(parseFrame(text)).to.deep.equal({
      event: 'Newchannel',
      privilege: 'call,all',
      calleridname: '',
      chanvariable: 'A=1',
      destchanvariable: 'C=3',
      variable: 'SIPDOMAIN',
      'odd key': 'x',
      value: 'a: b',
      empty: '',
      constructor: 'c',
    });
  });

  it('reads LF-only and mixed line ends, blank lines between frames, and the banner before the first response', () => {
    const { messages } = read([
      Buffer.from('Asterisk Call Manager/11.0.0\r\nResponse: Success\r\nActionID: login-1\r\nMessage: Authentication accepted\r\n\r\n'),
      Buffer.from('\r\n\r\nEvent: Hangup\nUniqueid: 1.1\n\nEvent: DialEnd\r\nUniqueid: 1.2\n\r\n'),
    ]);
    expect(messages).to.deep.equal([
      { kind: 'response', message: { response: 'Success', actionid: 'login-1', message: 'Authentication accepted' } },
      { kind: 'event', message: { event: 'Hangup', uniqueid: '1.1' } },
      { kind: 'event', message: { event: 'DialEnd', uniqueid: '1.2' } },
    ]);
  });

  it('decodes UTF-8 split inside a character', () => {
    const data = Buffer.from('Event: Newchannel\r\nCallerIDName: João Ação\r\n\r\n', 'utf8');
    const at = data.indexOf(Buffer.from('ã', 'utf8')) + 1;
    const { messages } = read([data.subarray(0, at), data.subarray(at)]);
    expect(messages[0]?.message.calleridname).to.equal('João Ação');
  });

  it('reads a Follows response up to --END COMMAND--, blank lines inside included', () => {
    const text = 'Response: Follows\r\nPrivilege: Command\r\nActionID: hpb-7\r\nline one\r\n\r\nline two\r\n--END COMMAND--\r\n\r\nEvent: Hangup\r\n\r\n';
    const data = Buffer.from(text);
    for (let cut = 0; cut <= data.length; cut++) {
      const { messages } = read([data.subarray(0, cut), data.subarray(cut)]);
      expect(messages, `cut at ${cut}`).to.deep.equal([
        { kind: 'response', message: { response: 'follows', content: 'Response: Follows\nPrivilege: Command\nActionID: hpb-7\nline one\n\nline two', actionid: 'hpb-7' } },
        { kind: 'event', message: { event: 'Hangup' } },
      ]);
    }
  });

  it('drops a 1 MB line with one warning, never buffers past the cap, and reads the next frame', () => {
    const max = 64 * 1024;
    const huge = Buffer.concat([Buffer.from('Event: Big\r\nData: '), Buffer.alloc(1024 * 1024, 0x78), Buffer.from('\r\n\r\nEvent: Hangup\r\nUniqueid: 9.9\r\n\r\n')]);
    const messages: NormalisedMessage[] = [];
    const oversize: number[] = [];
    const reader = new FrameReader({ onMessage: (m) => messages.push(m), onOversize: (o) => oversize.push(o.bytes), maxFrameBytes: max });
    let peak = 0;
    for (let at = 0; at < huge.length; at += 16 * 1024) {
      reader.push(huge.subarray(at, at + 16 * 1024));
      peak = Math.max(peak, reader.stats().bufferedBytes);
    }
    expect(peak).to.be.at.most(max + 16 * 1024);
    expect(oversize).to.have.length(1);
    expect(messages).to.deep.equal([{ kind: 'event', message: { event: 'Hangup', uniqueid: '9.9' } }]);
    // The same frame in one chunk.
    const once = read([huge], { maxFrameBytes: max });
    expect(once.oversize).to.have.length(1);
    expect(once.messages).to.deep.equal(messages);
  });

  it('survives garbage: binary bytes, lines without a colon, lone CRs, empty keys', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (junk) => {
        const tailFrame = Buffer.from('\r\n\r\nEvent: Hangup\r\nUniqueid: 5.5\r\n\r\n');
        const { messages } = read([Buffer.from(junk), tailFrame]);
        for (const m of messages) for (const v of Object.values(m.message)) expect(v).to.be.a('string');
        expect(messages.at(-1)).to.deep.equal({ kind: 'event', message: { event: 'Hangup', uniqueid: '5.5' } });
      }),
      { seed: 909, numRuns: Number(process.env.FC_RUNS ?? 200) },
    );
    const { messages } = read([Buffer.from('no colon here\r\n: only value\r\n\r\r\n\r\nEvent: Hangup\r\n\r\n')]);
    expect(messages).to.deep.equal([
      { kind: 'other', message: { 'no colon here': '' } },
      { kind: 'event', message: { event: 'Hangup' } },
    ]);
  });

  it('stop() ends delivery at once, even in the middle of a chunk', () => {
    const messages: NormalisedMessage[] = [];
    const reader: FrameReader = new FrameReader({
      onMessage: (m) => {
        messages.push(m);
        reader.stop();
      },
    });
    reader.push(Buffer.from('Event: A\r\n\r\nEvent: B\r\n\r\n'));
    reader.push(Buffer.from('Event: C\r\n\r\n'));
    expect(messages.map((m) => m.message.event)).to.deep.equal(['A']);
  });
});
