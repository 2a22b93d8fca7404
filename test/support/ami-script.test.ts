import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCRIPTED_FIXTURES, expectedHubsoft, generateCalls, parseWire, scriptedFixture, toSessionFile, type Fields } from './ami-script.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'ami');
const files = readdirSync(dir).filter((f) => f.endsWith('.ami')).sort();

/** The structural rules every transcript, recorded or scripted, must follow. */
function checkEvents(events: Fields[], label: string): void {
  const created = new Set<string>();
  const hungUp = new Map<string, number>();
  const names = new Map<string, string>();
  for (const e of events) {
    expect(e.Event, `${label}: frame without Event`).to.be.a('string');
    expect(e.Privilege, `${label}: ${e.Event} without Privilege`).to.match(/^[a-z]+,all$/);
    if (e.Event === 'Newchannel') {
      expect(created.has(e.Uniqueid!), `${label}: ${e.Uniqueid} created twice`).to.equal(false);
      created.add(e.Uniqueid!);
      names.set(e.Uniqueid!, e.Channel!);
    }
    if (e.Event === 'Hangup') hungUp.set(e.Uniqueid!, (hungUp.get(e.Uniqueid!) ?? 0) + 1);
    for (const [key, value] of Object.entries(e)) {
      if (/Linkedid$/.test(key)) expect(created.has(value), `${label}: ${e.Event} ${key} ${value} never seen in Newchannel`).to.equal(true);
    }
  }
  for (const uniqueid of created) expect(hungUp.get(uniqueid), `${label}: ${names.get(uniqueid)} Hangup count`).to.equal(1);
  for (const uniqueid of hungUp.keys()) expect(created.has(uniqueid), `${label}: Hangup of unknown ${uniqueid}`).to.equal(true);
  const locals = [...names.values()].filter((n) => n.startsWith('Local/'));
  for (const name of locals) {
    const other = name.endsWith(';1') ? `${name.slice(0, -1)}2` : `${name.slice(0, -1)}1`;
    expect(locals, `${label}: ${name} without its other half`).to.include(other);
  }
}

describe('AMI fixtures (self-check)', () => {
  it('has one fixture file per expected flow, and the other way round', () => {
    expect(files.map((f) => f.replace(/\.ami$/, ''))).to.have.members(Object.keys(expectedHubsoft));
  });

  for (const file of files) {
    it(`${file}: session shape, every event well-formed, channels created and hung up once, Local halves paired`, () => {
      const text = readFileSync(join(dir, file), 'latin1');
      expect(text.startsWith('Asterisk Call Manager/11.0.0\r\nResponse: Success\r\n')).to.equal(true);
      expect(text.endsWith('Response: Goodbye\r\nActionID: logoff-1\r\nMessage: Thanks for all the fish.\r\n\r\n')).to.equal(true);
      expect(text.replace(/\r\n/g, '')).not.to.include('\n');
      const frames = parseWire(text);
      const events = frames.slice(1, -1);
      expect(events[0]?.Event).to.equal('FullyBooted');
      expect(events[1]?.Event).to.equal('SuccessfulAuth');
      checkEvents(events.slice(2), file);
    });
  }

  for (const name of SCRIPTED_FIXTURES) {
    it(`${name}.ami is what write-fixtures.ts generates today, with times in order`, () => {
      const { startEpoch, frames } = scriptedFixture(name);
      const onDisk = readFileSync(join(dir, `${name}.ami`), 'latin1');
      expect(toSessionFile(frames, { epoch: startEpoch - 5 })).to.equal(onDisk);
      for (let i = 1; i < frames.length; i++) expect(frames[i]!.at).to.be.at.least(frames[i - 1]!.at);
    });

    it(`${name} without noise keeps the call events and passes the same checks`, () => {
      const quiet = scriptedFixture(name, { noise: false }).frames.map((f) => f.fields);
      checkEvents(quiet, `${name} (quiet)`);
      expect(quiet.some((e) => e.Event === 'VarSet' || e.Event === 'Newexten')).to.equal(false);
      expect(quiet.some((e) => e.Event === 'DialBegin')).to.equal(true);
    });
  }

  it('generateCalls streams many overlapping calls in time order that pass the checks, deterministically', () => {
    const events: Fields[] = [];
    let last = -1;
    for (const frame of generateCalls(300, 7)) {
      expect(frame.at).to.be.at.least(last);
      last = frame.at;
      events.push(frame.fields);
    }
    checkEvents(events, 'generateCalls(300, 7)');
    const again = [...generateCalls(300, 7)].map((f) => f.fields);
    expect(again).to.deep.equal(events);
    const calls = events.filter((e) => e.Event === 'Newchannel' && e.Uniqueid === e.Linkedid);
    expect(calls.length).to.equal(300);
  });
});
