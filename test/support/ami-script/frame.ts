/** AMI frames as Asterisk writes them: ordered `Key: value` lines, CRLF, a blank line after each frame. */

export type Fields = Record<string, string>;

/** One frame plus the simulated time (ms from the script start) at which Asterisk sent it. */
export interface Frame {
  readonly at: number;
  readonly fields: Readonly<Fields>;
}

export const BANNER = 'Asterisk Call Manager/11.0.0';

export function frameToWire(fields: Readonly<Fields>): string {
  let out = '';
  for (const [key, value] of Object.entries(fields)) out += `${key}: ${value}\r\n`;
  return `${out}\r\n`;
}

/** Frames (or bare field maps) to wire text, exactly as the recorded `.ami` files hold them. */
export function toWire(frames: Iterable<Frame | Readonly<Fields>>): string {
  let out = '';
  for (const frame of frames) out += frameToWire(isFrame(frame) ? frame.fields : frame);
  return out;
}

function isFrame(value: Frame | Readonly<Fields>): value is Frame {
  return typeof (value as Frame).at === 'number' && typeof (value as Frame).fields === 'object';
}

export interface SessionOptions {
  /** Unix seconds of the login, for SuccessfulAuth's EventTV. */
  readonly epoch: number;
  readonly uptime?: number;
  readonly remotePort?: number;
}

/** What a client receives before any call event: the banner, the Login response, FullyBooted, SuccessfulAuth. */
export function sessionHeader(options: SessionOptions): string {
  const tv = new Date(options.epoch * 1000).toISOString().replace('Z', '+0000');
  const uptime = String(options.uptime ?? 42);
  return (
    `${BANNER}\r\n` +
    frameToWire({ Response: 'Success', ActionID: 'login-1', Message: 'Authentication accepted' }) +
    frameToWire({ Event: 'FullyBooted', Privilege: 'system,all', Uptime: uptime, LastReload: uptime, Status: 'Fully Booted' }) +
    frameToWire({
      Event: 'SuccessfulAuth',
      Privilege: 'security,all',
      EventTV: tv,
      Severity: 'Informational',
      Service: 'AMI',
      EventVersion: '1',
      AccountID: 'bridge',
      SessionID: '0x7fa5b8001460',
      LocalAddress: 'IPV4/TCP/127.0.0.1/5038',
      RemoteAddress: `IPV4/TCP/127.0.0.1/${options.remotePort ?? 51176}`,
      UsingPassword: '0',
      SessionTV: tv,
    })
  );
}

export const SESSION_TRAILER = frameToWire({ Response: 'Goodbye', ActionID: 'logoff-1', Message: 'Thanks for all the fish.' });

/** A whole `.ami` session file: header, the events, `Response: Goodbye`. */
export function toSessionFile(frames: Iterable<Frame>, options: SessionOptions): string {
  return sessionHeader(options) + toWire(frames) + SESSION_TRAILER;
}

/** Parses wire text back into field maps (for self-checks; the real parser lives in transcript.ts). */
export function parseWire(text: string): Fields[] {
  const frames: Fields[] = [];
  for (const block of text.split('\r\n\r\n')) {
    const lines = block.split('\r\n').filter((line) => line.length > 0);
    if (lines.length === 0) continue;
    const fields: Fields = {};
    for (const line of lines) {
      const colon = line.indexOf(': ');
      if (colon < 0) fields[line] = '';
      else fields[line.slice(0, colon)] = line.slice(colon + 2);
    }
    frames.push(fields);
  }
  return frames;
}
