import type { NormalisedMessage } from './normalise.js';
import type { AmiEvent, AmiMessage, AmiResponse } from './types.js';

/**
 * Events a bridge never uses and a busy PBX sends by the thousand (about 70% of a real call's
 * events). Matched on the raw bytes of the frame's first line (`Event: VarSet`), as Asterisk
 * spells them, before anything else of the frame is decoded. Everything else is parsed,
 * including events the tracker ignores today (NewConnectedLine, Bridge*, DialState...), since
 * any event may carry a new Linkedid.
 */
export const NOISE_EVENTS: readonly string[] = [
  'VarSet',
  'Newexten',
  'RTCPSent',
  'RTCPReceived',
  'DeviceStateChange',
  'ExtensionStatus',
  'PresenceStateChange',
  'QueueMemberStatus',
  'MusicOnHoldStart',
  'MusicOnHoldStop',
  'Cdr',
  'CEL',
  'ChannelTalkingStart',
  'ChannelTalkingStop',
  'DTMFBegin',
  'DTMFEnd',
  'ContactStatus',
  'PeerStatus',
  'Registry',
];

export interface FrameReaderOptions {
  /** Every frame that was not skipped, normalised, in arrival order. */
  readonly onMessage: (message: NormalisedMessage) => void;
  /** A frame (or line) over the cap was dropped; the reader resyncs at the next blank line. */
  readonly onOversize?: (info: { readonly bytes: number; readonly maxFrameBytes: number }) => void;
  /** Event names skipped unparsed (exact spelling), e.g. NOISE_EVENTS. Default none. */
  readonly skipEvents?: Iterable<string>;
  /** Largest frame kept, in bytes (default 256 KiB). */
  readonly maxFrameBytes?: number;
}

export interface FrameReaderStats {
  readonly frames: number;
  readonly skipped: number;
  readonly oversize: number;
  readonly bufferedBytes: number;
}

const LF = 0x0a;
const CR = 0x0d;
const EVENT_PREFIX = Buffer.from('Event: ', 'latin1');
const CRLF_END = Buffer.from('\n\r\n', 'latin1');
const LF_END = Buffer.from('\n\n', 'latin1');
const FOLLOWS_ENDS = ['--END COMMAND--', '--END SMS EVENT--'];
const UNKNOWN = '<unknown>';
const EMPTY = Buffer.alloc(0);

/**
 * AMI framer and parser on the socket's bytes. Pure (no I/O): push() chunks in, messages out.
 * Frames end at a blank line (CRLF or LF); the partial tail waits for the next chunk. A frame is
 * decoded as UTF-8 only once whole, so a multi-byte character split across chunks is safe.
 * Normalises as normalise.ts does for the library's objects: keys trimmed and lower-cased,
 * `<unknown>` -> '', the first value of a repeated key, `Variable: NAME=` -> `NAME`.
 */
export class FrameReader {
  private tail: Buffer = EMPTY;
  /** Bytes of `tail` already searched for a frame end (minus the bytes a terminator may straddle). */
  private scanned = 0;
  private discarding = false;
  private stopped = false;
  private readonly skip: ReadonlySet<string>;
  private readonly maxFrameBytes: number;
  private counts = { frames: 0, skipped: 0, oversize: 0 };

  constructor(private readonly options: FrameReaderOptions) {
    this.skip = new Set(options.skipEvents ?? []);
    this.maxFrameBytes = options.maxFrameBytes ?? 256 * 1024;
  }

  stats(): FrameReaderStats {
    return { ...this.counts, bufferedBytes: this.tail.length };
  }

  /** No message is delivered after this, not even from the chunk being read. */
  stop(): void {
    this.stopped = true;
    this.tail = EMPTY;
  }

  push(chunk: Buffer): void {
    if (this.stopped || chunk.length === 0) return;
    const data = this.tail.length === 0 ? chunk : Buffer.concat([this.tail, chunk]);
    let from = this.tail.length === 0 ? 0 : Math.max(0, this.scanned - 2);
    this.tail = EMPTY;
    let pos = 0;
    // Cached next terminator of each kind (-1: none left in `data`), so each is searched once per frame.
    let nextCrlf = -2;
    let nextLf = -2;
    try {
      while (pos < data.length && !this.stopped) {
        const start = Math.max(pos, from);
        if (nextCrlf !== -1 && nextCrlf < start) nextCrlf = data.indexOf(CRLF_END, start);
        if (nextLf !== -1 && nextLf < start) nextLf = data.indexOf(LF_END, start);
        let end: number;
        let next: number;
        if (nextCrlf >= 0 && (nextLf < 0 || nextCrlf < nextLf)) {
          end = nextCrlf;
          next = nextCrlf + 3;
        } else if (nextLf >= 0) {
          end = nextLf;
          next = nextLf + 2;
        } else break;
        if (this.discarding) {
          this.discarding = false;
          pos = next;
          continue;
        }
        if (end - pos > this.maxFrameBytes) {
          this.oversize(end - pos);
          pos = next;
          continue;
        }
        if (isFollowsHead(data, pos)) {
          const until = followsEnd(data, pos);
          if (until === undefined) break;
          pos = until.next;
          from = pos;
          this.deliverFollows(data.toString('utf8', until.start, until.end));
          continue;
        }
        const frameStart = pos;
        pos = next;
        from = pos;
        if (end <= frameStart + 1) continue;
        if (this.isSkipped(data, frameStart, end)) {
          this.counts.skipped += 1;
          continue;
        }
        this.deliver(data.toString('utf8', frameStart, end));
      }
    } finally {
      if (!this.stopped) this.keepTail(data, pos);
    }
  }

  private keepTail(data: Buffer, pos: number): void {
    const rest = data.length - pos;
    if (this.discarding) {
      // Only a terminator straddling the next chunk matters while discarding.
      this.tail = Buffer.from(data.subarray(Math.max(pos, data.length - 2)));
      this.scanned = 0;
      return;
    }
    if (rest > this.maxFrameBytes) {
      this.oversize(rest);
      this.discarding = true;
      this.tail = Buffer.from(data.subarray(data.length - 2));
      this.scanned = 0;
      return;
    }
    this.tail = rest === 0 ? EMPTY : Buffer.from(data.subarray(pos));
    this.scanned = rest;
  }

  private oversize(bytes: number): void {
    this.counts.oversize += 1;
    this.options.onOversize?.({ bytes, maxFrameBytes: this.maxFrameBytes });
  }

  private isSkipped(data: Buffer, start: number, end: number): boolean {
    if (this.skip.size === 0 || end - start < EVENT_PREFIX.length) return false;
    for (let i = 0; i < EVENT_PREFIX.length; i++) if (data[start + i] !== EVENT_PREFIX[i]) return false;
    const nameStart = start + EVENT_PREFIX.length;
    let nameEnd = data.indexOf(LF, nameStart);
    if (nameEnd < 0 || nameEnd > end) nameEnd = end;
    if (nameEnd > nameStart && data[nameEnd - 1] === CR) nameEnd -= 1;
    return this.skip.has(data.toString('latin1', nameStart, nameEnd));
  }

  private deliver(text: string): void {
    const message = parseFrame(text);
    this.emit(message);
  }

  private deliverFollows(text: string): void {
    const lines = text.replace(/\r$/, '').split(/\r?\n/);
    const endAt = lines.findIndex((line) => FOLLOWS_ENDS.includes(line));
    const content = lines.slice(0, endAt < 0 ? lines.length : endAt).join('\n');
    const actionid = /actionid: ([^\r\n]+)/i.exec(content)?.[1];
    const message: Record<string, string> = { response: 'follows', content };
    if (actionid !== undefined) message.actionid = actionid;
    this.emit(message);
  }

  private emit(message: AmiMessage): void {
    this.counts.frames += 1;
    const event = message.event;
    if (event !== undefined && event !== '') this.options.onMessage({ kind: 'event', message: message as AmiEvent });
    else if (message.response !== undefined && message.response !== '') this.options.onMessage({ kind: 'response', message: message as AmiResponse });
    else if (Object.keys(message).length > 0) this.options.onMessage({ kind: 'other', message });
  }
}

/** Raw key as written -> normalised key ('' to drop it); AMI has a few hundred distinct keys. */
const KEYS = new Map<string, string>();
const KEYS_MAX = 4096;

function normaliseKey(raw: string): string {
  let key = KEYS.get(raw);
  if (key !== undefined) return key;
  key = raw.trim().toLowerCase();
  if (key === '__proto__') key = '';
  if (KEYS.size < KEYS_MAX) KEYS.set(raw, key);
  return key;
}

/** One frame's text (no terminator) to a normalised message. Exported for tests. */
export function parseFrame(text: string): AmiMessage {
  const out: Record<string, string> = {};
  let any = false;
  let at = 0;
  const length = text.length;
  while (at < length) {
    let eol = text.indexOf('\n', at);
    if (eol < 0) eol = length;
    const lineEnd = eol > at && text.charCodeAt(eol - 1) === CR ? eol - 1 : eol;
    const lineStart = at;
    at = eol + 1;
    if (lineEnd === lineStart) continue;
    const sep = text.indexOf(': ', lineStart);
    let key: string;
    let value: string;
    if (sep >= 0 && sep < lineEnd) {
      key = normaliseKey(text.slice(lineStart, sep));
      value = text.slice(sep + 2, lineEnd);
    } else {
      const line = text.slice(lineStart, lineEnd);
      // The greeting shares the first frame with the Login response (no blank line after it).
      if (!any && line.startsWith('Asterisk Call Manager')) continue;
      key = normaliseKey(line.endsWith(':') ? line.slice(0, -1) : line);
      value = '';
    }
    any = true;
    // Values are strings, so undefined means unset; inherited names (constructor...) need hasOwn.
    if (key === '' || (out[key] !== undefined && (typeof out[key] === 'string' ? true : Object.hasOwn(out, key)))) continue;
    if (key === 'variable' || key === 'chanvariable') value = variableValue(value);
    out[key] = value === UNKNOWN ? '' : value;
  }
  return out;
}

/** asterisk-manager splits `Variable: NAME=value` and normalise.ts joins it back: `NAME=` -> `NAME`. */
function variableValue(value: string): string {
  const eq = value.indexOf('=');
  return eq >= 0 && eq === value.length - 1 ? value.slice(0, eq) : value;
}

/** As asterisk-manager decides: a frame whose first line is `Response: ...follow...`. */
function isFollowsHead(data: Buffer, pos: number): boolean {
  if (data.length - pos < 9 || (data[pos] !== 0x52 && data[pos] !== 0x72)) return false;
  let eol = data.indexOf(LF, pos);
  if (eol < 0) eol = data.length;
  const line = data.toString('latin1', pos, Math.min(eol, pos + 64)).toLowerCase();
  return line.startsWith('response:') && line.includes('follow');
}

/** Where a `Response: Follows` frame ends: the blank line after its `--END COMMAND--` line. */
function followsEnd(data: Buffer, pos: number): { start: number; end: number; next: number } | undefined {
  for (const marker of FOLLOWS_ENDS) {
    const at = data.indexOf(marker, pos, 'latin1');
    if (at < 0) continue;
    const crlf = data.indexOf(CRLF_END, at);
    const lf = data.indexOf(LF_END, at);
    if (crlf < 0 && lf < 0) return undefined;
    if (crlf >= 0 && (lf < 0 || crlf < lf)) return { start: pos, end: crlf, next: crlf + 3 };
    return { start: pos, end: lf, next: lf + 2 };
  }
  return undefined;
}
