import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One AMI frame with its keys as Asterisk spelled them (a repeated key keeps its first value). */
export type AmiFrame = Readonly<Record<string, string>>;

/** The same frame, every line in order: what goes back on the wire byte for byte. */
export type AmiFrameLines = readonly (readonly [string, string])[];

export interface Transcript {
  /** `Asterisk Call Manager/11.0.0`, when the recording starts with it. */
  readonly banner: string | undefined;
  readonly frames: readonly AmiFrame[];
  readonly lines: readonly AmiFrameLines[];
}

const FIXTURES = fileURLToPath(new URL('../fixtures/ami/', import.meta.url));

/** Reads test/fixtures/ami/NAME.ami (NAME without the extension). */
export function loadFixture(name: string): Transcript {
  return parseTranscript(readFileSync(`${FIXTURES}${name}.ami`, 'utf8'));
}

/** Splits recorded AMI output (CRLF or LF) into frames; a first line without `: ` is the banner. */
export function parseTranscript(text: string): Transcript {
  const rows = text.split(/\r?\n/);
  let banner: string | undefined;
  if (rows.length > 0 && rows[0] !== undefined && !rows[0].includes(': ') && rows[0].startsWith('Asterisk Call Manager')) {
    banner = rows.shift();
  }
  const lines: AmiFrameLines[] = [];
  let current: (readonly [string, string])[] = [];
  for (const row of rows) {
    if (row === '') {
      if (current.length > 0) lines.push(current);
      current = [];
      continue;
    }
    const at = row.indexOf(': ');
    current.push(at < 0 ? [row.replace(/:$/, ''), ''] : [row.slice(0, at), row.slice(at + 2)]);
  }
  if (current.length > 0) lines.push(current);
  return { banner, lines, frames: lines.map(toRecord) };
}

function toRecord(frame: AmiFrameLines): AmiFrame {
  const out: Record<string, string> = {};
  for (const [key, value] of frame) if (!Object.hasOwn(out, key)) out[key] = value;
  return out;
}

/** A frame back to wire text: `Key: value` lines, CRLF, closed by an empty line. */
export function frameToWire(frame: AmiFrame | AmiFrameLines): string {
  const entries = Array.isArray(frame) ? (frame as AmiFrameLines) : Object.entries(frame as AmiFrame);
  return entries.map(([key, value]) => `${key}: ${value}\r\n`).join('') + '\r\n';
}

export function framesToWire(frames: readonly (AmiFrame | AmiFrameLines)[]): string {
  return frames.map(frameToWire).join('');
}

/** Case-insensitive field lookup on a frame. */
export function field(frame: AmiFrame, key: string): string | undefined {
  const wanted = key.toLowerCase();
  for (const [k, v] of Object.entries(frame)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/**
 * The events a client received after its Login was answered, as lines: the Login response
 * and the other responses (the final `Response: Goodbye`) are left out.
 */
export function eventsAfterLogin(transcript: Transcript): AmiFrameLines[] {
  const loginAt = transcript.frames.findIndex((f) => field(f, 'Response') !== undefined);
  const out: AmiFrameLines[] = [];
  transcript.lines.forEach((lines, index) => {
    const frame = transcript.frames[index];
    if (index > loginAt && frame && field(frame, 'Event') !== undefined) out.push(lines);
  });
  return out;
}

/**
 * Splits a recording where the PBX was silent for longer than `gapSeconds` (by the events' Timestamp
 * headers, manager.conf timestampevents), keeping the login frames in each part, so the replay can
 * pause there: a queue re-ringing an agent after 5 s is a new window, not the same one.
 */
export function splitAtGaps(transcript: Transcript, gapSeconds: number): Transcript[] {
  const loginAt = transcript.frames.findIndex((frame) => 'Response' in frame);
  const parts: Transcript[] = [];
  let start = loginAt + 1;
  let last: number | undefined;
  const cut = (end: number) => {
    parts.push({
      banner: transcript.banner,
      frames: [...transcript.frames.slice(0, loginAt + 1), ...transcript.frames.slice(start, end)],
      lines: [...transcript.lines.slice(0, loginAt + 1), ...transcript.lines.slice(start, end)],
    });
    start = end;
  };
  transcript.frames.forEach((frame, index) => {
    if (index <= loginAt || frame.Timestamp === undefined) return;
    const at = Number(frame.Timestamp);
    if (last !== undefined && at - last > gapSeconds) cut(index);
    last = at;
  });
  cut(transcript.frames.length);
  return parts;
}
