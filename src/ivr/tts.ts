import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, unlink, utimes } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import PQueue from 'p-queue';
import type { AlertsConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { safeSoundName } from './sanitize.js';
import { espeakSoxEngine, type TtsEngine } from './tts-engine.js';

export type TtsSettings = AlertsConfig['tts'];

export interface TtsOptions {
  readonly settings: TtsSettings;
  /** Defaults to espeak-ng + sox; a test passes one that counts its calls. */
  readonly engine?: TtsEngine;
  readonly logger?: Logger;
  /** Syntheses running at once; more wait their turn. Default 2. */
  readonly concurrency?: number;
}

/** Spoken alerts: text -> a sound name for Playback (absolute path, no extension), or null. */
export interface Tts {
  soundFor(text: string): Promise<string | null>;
}

const CACHED_FILE = /^[0-9a-f]{64}\.wav$/;
/** A WAV header alone is 44 bytes: anything that small is a failed synthesis, not a sound. */
const MIN_WAV_BYTES = 45;

/** Cache key of a text: the same voice and text always give the same file. */
export function ttsKey(voice: string, text: string): string {
  return createHash('sha256').update(`${voice}\n${text}`, 'utf8').digest('hex');
}

/**
 * Synthesises each distinct text once, caches the WAV under settings.dir (named by ttsKey), reuses it on later
 * calls, keeps the directory under settings.maxMegabytes by removing the least recently used files, and shares
 * one run among concurrent requests for the same text. Never rejects: a failure or a timeout gives null.
 */
export function createTts(options: TtsOptions): Tts {
  const { settings, logger } = options;
  const engine = options.engine ?? espeakSoxEngine();
  const dir = resolve(settings.dir);
  const maxBytes = settings.maxMegabytes * 1024 * 1024;
  const queue = new PQueue({ concurrency: options.concurrency ?? 2 });
  const inFlight = new Map<string, Promise<string | null>>();
  let evicting: Promise<void> = Promise.resolve();
  let warnedUnsafeDir = false;

  async function cached(file: string): Promise<boolean> {
    try {
      const info = await stat(file);
      if (info.size < MIN_WAV_BYTES) return false;
      const now = new Date();
      await utimes(file, now, now).catch(() => undefined); // mtime = last use, for eviction
      return true;
    } catch {
      return false;
    }
  }

  async function synthesize(text: string, file: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.tmp-${randomBytes(6).toString('hex')}.wav`);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`TTS took longer than ${settings.timeoutMs} ms`)), settings.timeoutMs);
    try {
      await engine.synthesize({ text, voice: settings.voice, outFile: tmp, signal: controller.signal });
      if (controller.signal.aborted) throw controller.signal.reason;
      const info = await stat(tmp);
      if (info.size < MIN_WAV_BYTES) throw new Error('TTS produced an empty file');
      await rename(tmp, file);
    } finally {
      clearTimeout(timer);
      await rm(tmp, { force: true }).catch(() => undefined);
    }
  }

  async function evict(keep: string): Promise<void> {
    const names = (await readdir(dir)).filter((name) => CACHED_FILE.test(name));
    const files = await Promise.all(
      names.map(async (name) => {
        const path = join(dir, name);
        const info = await stat(path).catch(() => null);
        return info ? { path, size: info.size, mtime: info.mtimeMs } : null;
      }),
    );
    const present = files.filter((f): f is NonNullable<typeof f> => f !== null).sort((a, b) => a.mtime - b.mtime);
    let total = present.reduce((sum, f) => sum + f.size, 0);
    for (const file of present) {
      if (total <= maxBytes) break;
      if (file.path === keep) continue;
      await unlink(file.path).catch(() => undefined);
      total -= file.size;
      logger?.debug({ file: file.path }, 'TTS cache: evicted');
    }
  }

  async function produce(text: string, key: string, sound: string): Promise<string | null> {
    const file = `${sound}.wav`;
    try {
      if (await cached(file)) return sound;
      await queue.add(() => synthesize(text, file));
      evicting = evicting.then(() => evict(file)).catch((err: unknown) => logger?.warn({ err }, 'TTS cache eviction failed'));
      await evicting;
      logger?.debug({ key }, 'TTS: alert synthesised');
      return sound;
    } catch (err) {
      logger?.warn({ err, key }, 'TTS failed: the alert plays no sound');
      return null;
    }
  }

  return {
    soundFor(input: string): Promise<string | null> {
      const text = String(input ?? '').trim();
      if (!settings.enabled || text === '') return Promise.resolve(null);
      const key = ttsKey(settings.voice, text);
      const sound = safeSoundName(join(dir, key));
      if (sound === null) {
        if (!warnedUnsafeDir) logger?.warn({ dir }, 'TTS disabled: alerts.tts.dir may only hold letters, digits, _, / and -');
        warnedUnsafeDir = true;
        return Promise.resolve(null);
      }
      const running = inFlight.get(key);
      if (running) return running;
      const job = produce(text, key, sound).finally(() => inFlight.delete(key));
      inFlight.set(key, job);
      return job;
    },
  };
}
