import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { eventsAfterLogin, field, framesToWire, loadFixture, parseTranscript } from '../support/transcript.js';

const NAMES = ['s1_direct_answered', 's3_ringgroup_one_answers', 's4c_queue_localmembers_answered'];

describe('test support: AMI transcripts', () => {
  for (const name of NAMES) {
    it(`${name}: parses and writes back byte for byte`, () => {
      const bytes = readFileSync(new URL(`../fixtures/ami/${name}.ami`, import.meta.url), 'utf8');
      expect(bytes).to.include('\r\n');
      const transcript = loadFixture(name);
      expect(transcript.banner).to.equal('Asterisk Call Manager/11.0.0');
      expect(`${transcript.banner}\r\n${framesToWire(transcript.lines)}`).to.equal(bytes);
      const events = eventsAfterLogin(transcript);
      expect(events[0]?.[0]).to.deep.equal(['Event', 'FullyBooted']);
      expect(events.every((lines) => lines[0]?.[0] === 'Event')).to.equal(true);
      expect(events.length).to.equal(transcript.frames.length - 2); // minus Login response and Goodbye
    });
  }

  it('reads LF-only text and keeps the first of a repeated key in the record', () => {
    const t = parseTranscript('Event: Cdr\nChanVariable: A=1\nChanVariable: B=2\n\n');
    expect(t.banner).to.equal(undefined);
    expect(t.frames).to.deep.equal([{ Event: 'Cdr', ChanVariable: 'A=1' }]);
    expect(t.lines[0]).to.have.length(3);
    expect(field(t.frames[0] ?? {}, 'chanvariable')).to.equal('A=1');
  });
});
