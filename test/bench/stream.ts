import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { generateCalls, toWire, type Frame } from '../support/ami-script.js';

export const RESULTS_DIR = '.bench-results';

export interface StreamInfo {
  readonly path: string;
  readonly calls: number;
  readonly frames: number;
  readonly bytes: number;
}

/**
 * The realistic mixed stream (generateCalls with noise) as AMI wire text in a file, built once per
 * (calls, seed) and reused, so every ingest variant reads exactly the same bytes.
 */
export function ensureStream(calls: number, seed: number): StreamInfo {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `stream-${calls}-${seed}.ami`);
  const meta = `${path}.json`;
  if (existsSync(path) && existsSync(meta)) return JSON.parse(readFileSync(meta, 'utf8')) as StreamInfo;
  const fd = openSync(`${path}.tmp`, 'w');
  let frames = 0;
  let bytes = 0;
  let batch: Frame[] = [];
  const flush = () => {
    const text = toWire(batch);
    bytes += writeSync(fd, text);
    batch = [];
  };
  for (const frame of generateCalls(calls, seed, { noise: true })) {
    batch.push(frame);
    frames += 1;
    if (batch.length >= 2000) flush();
  }
  flush();
  closeSync(fd);
  renameSync(`${path}.tmp`, path);
  const info: StreamInfo = { path, calls, frames, bytes };
  writeSync(openSync(meta, 'w'), JSON.stringify(info));
  return info;
}
