import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTts, ttsKey, type TtsSettings } from '../../src/ivr/tts.js';
import type { TtsEngine } from '../../src/ivr/tts-engine.js';
import { ROMPIMENTO } from './alert-fixtures.js';
import { silentWav } from '../support/wav.js';

/** A hand-written engine: writes a small WAV and counts its runs. `gate` lets a test hold a run open. */
class CountingEngine implements TtsEngine {
  runs = 0;
  texts: string[] = [];
  gate: Promise<void> = Promise.resolve();
  fail = false;
  hang = false;
  async synthesize({ text, outFile, signal }: { text: string; outFile: string; signal: AbortSignal }): Promise<void> {
    this.runs++;
    this.texts.push(text);
    if (this.hang) {
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    }
    await this.gate;
    if (this.fail) throw new Error('engine broke');
    await writeFile(outFile, silentWav(800));
  }
}

function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('ivr/tts', () => {
  let dir: string;
  const settings = (over: Partial<TtsSettings> = {}): TtsSettings => ({
    enabled: true,
    dir,
    maxMegabytes: 10,
    voice: 'pt-br',
    timeoutMs: 2000,
    ...over,
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hubsoft-tts-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('synthesises once and reuses the cached file on the next call', async () => {
    const engine = new CountingEngine();
    const tts = createTts({ settings: settings(), engine });
    const first = await tts.soundFor(ROMPIMENTO);
    expect(first).to.equal(join(dir, ttsKey('pt-br', ROMPIMENTO)));
    expect((await stat(`${first}.wav`)).size).to.be.greaterThan(44);
    const second = await tts.soundFor(ROMPIMENTO);
    expect(second).to.equal(first);
    expect(engine.runs).to.equal(1);
  });

  it('reuses a file left by an earlier process (cache survives restarts)', async () => {
    const engine = new CountingEngine();
    await createTts({ settings: settings(), engine }).soundFor('Aviso');
    const again = new CountingEngine();
    expect(await createTts({ settings: settings(), engine: again }).soundFor('Aviso')).to.be.a('string');
    expect(again.runs).to.equal(0);
  });

  it('shares one run among concurrent requests for the same text', async () => {
    const engine = new CountingEngine();
    let open!: () => void;
    engine.gate = new Promise((resolve) => (open = resolve));
    const tts = createTts({ settings: settings(), engine });
    const pending = [tts.soundFor(ROMPIMENTO), tts.soundFor(ROMPIMENTO), tts.soundFor(ROMPIMENTO)];
    await new Promise((resolve) => setImmediate(resolve));
    open();
    const sounds = await Promise.all(pending);
    expect(new Set(sounds).size).to.equal(1);
    expect(sounds[0]).to.be.a('string');
    expect(engine.runs).to.equal(1);
  });

  it('gives null, never throws, when the engine fails, and leaves no file behind', async () => {
    const engine = new CountingEngine();
    engine.fail = true;
    const tts = createTts({ settings: settings(), engine });
    expect(await tts.soundFor('Aviso')).to.equal(null);
    expect(await readdir(dir)).to.deep.equal([]);
  });

  it('gives null when the engine outlives the timeout', async () => {
    const engine = new CountingEngine();
    engine.hang = true;
    const tts = createTts({ settings: settings({ timeoutMs: 20 }), engine });
    expect(await tts.soundFor('Aviso')).to.equal(null);
  });

  it('gives null without running anything when disabled', async () => {
    const engine = new CountingEngine();
    const tts = createTts({ settings: settings({ enabled: false }), engine });
    expect(await tts.soundFor('Aviso')).to.equal(null);
    expect(engine.runs).to.equal(0);
  });

  it('refuses a cache directory whose path is not a safe sound name', async () => {
    const engine = new CountingEngine();
    const tts = createTts({ settings: settings({ dir: join(dir, 'with space') }), engine });
    expect(await tts.soundFor('Aviso')).to.equal(null);
    expect(engine.runs).to.equal(0);
  });

  it('evicts the least recently used files beyond maxMegabytes', async () => {
    const engine = new CountingEngine();
    // Each fake WAV is 1644 bytes; allow about two of them.
    const tts = createTts({ settings: settings({ maxMegabytes: 3500 / (1024 * 1024) }), engine });
    const a = (await tts.soundFor('Aviso A'))!;
    const b = (await tts.soundFor('Aviso B'))!;
    const old = new Date(Date.now() - 60_000);
    await utimes(`${a}.wav`, old, new Date(Date.now() - 120_000));
    await utimes(`${b}.wav`, old, old);
    const c = (await tts.soundFor('Aviso C'))!;
    const left = (await readdir(dir)).sort();
    expect(left).to.have.length(2);
    expect(left).not.to.include(`${ttsKey('pt-br', 'Aviso A')}.wav`);
    expect(left).to.include.members([`${ttsKey('pt-br', 'Aviso B')}.wav`, `${ttsKey('pt-br', 'Aviso C')}.wav`]);
    expect(c).to.be.a('string');
  });

  describe('with espeak-ng and sox installed', function () {
    before(function () {
      if (!onPath('espeak-ng') || !onPath('sox')) this.skip();
    });

    it('produces an 8 kHz mono 16-bit PCM WAV Asterisk can play', async () => {
      const tts = createTts({ settings: settings({ timeoutMs: 8000 }) });
      const sound = await tts.soundFor(ROMPIMENTO);
      expect(sound).to.be.a('string');
      const file = await readFile(`${sound}.wav`);
      expect(file.toString('ascii', 0, 4)).to.equal('RIFF');
      expect(file.toString('ascii', 8, 12)).to.equal('WAVE');
      expect(file.toString('ascii', 12, 16)).to.equal('fmt ');
      expect(file.readUInt16LE(20), 'PCM').to.equal(1);
      expect(file.readUInt16LE(22), 'channels').to.equal(1);
      expect(file.readUInt32LE(24), 'sample rate').to.equal(8000);
      expect(file.readUInt16LE(34), 'bits per sample').to.equal(16);
      expect(file.length).to.be.greaterThan(8000); // at least half a second of speech
    });
  });
});
