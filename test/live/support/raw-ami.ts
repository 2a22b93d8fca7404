import { connect, type Socket } from 'node:net';
import { parseTranscript, type AmiFrame } from '../../support/transcript.js';

/**
 * A plain AMI client for the live tests, independent of the bridge's own: logs in, sends actions,
 * collects events, and keeps every byte it received (a recording is a transcript fixture as it is).
 */
export class RawAmi {
  readonly events: AmiFrame[] = [];
  private readonly chunks: Buffer[] = [];
  private buffer = '';
  private nextId = 0;
  private readonly waiting = new Map<string, (frame: AmiFrame) => void>();
  private readonly eventWaiters = new Set<{ match: (frame: AmiFrame) => boolean; resolve: (frame: AmiFrame) => void }>();
  private closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.read(chunk.toString('utf8'));
    });
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => undefined);
  }

  static async login(port: number, username: string, secret: string, timeoutMs = 5000): Promise<RawAmi> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    const ami = new RawAmi(socket);
    const answer = await ami.action({ Action: 'Login', Username: username, Secret: secret }, timeoutMs, 'login-1');
    if (answer.Response !== 'Success') {
      ami.destroy();
      throw new Error(`AMI login as ${username} refused: ${answer.Message ?? ''}`);
    }
    return ami;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends an action and resolves with its response frame (list actions: the first response only). */
  action(fields: Record<string, string>, timeoutMs = 5000, actionId = `live-${++this.nextId}`): Promise<AmiFrame> {
    const text = Object.entries({ ...fields, ActionID: actionId })
      .map(([key, value]) => `${key}: ${value}\r\n`)
      .join('');
    return new Promise<AmiFrame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(actionId);
        reject(new Error(`AMI ${fields.Action} not answered within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(actionId, (frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
      this.socket.write(`${text}\r\n`);
    });
  }

  /** A channel variable as Asterisk holds it now ('' when unset). */
  async getvar(channel: string, variable: string): Promise<string> {
    const answer = await this.action({ Action: 'Getvar', Channel: channel, Variable: variable });
    if (answer.Response !== 'Success') throw new Error(`Getvar ${variable} on ${channel}: ${answer.Message ?? ''}`);
    return answer.Value ?? '';
  }

  /** The first event (already received or still to come) that matches. */
  waitForEvent(match: (frame: AmiFrame) => boolean, timeoutMs: number, what: string): Promise<AmiFrame> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<AmiFrame>((resolve, reject) => {
      const waiter = {
        match,
        resolve: (frame: AmiFrame) => {
          clearTimeout(timer);
          this.eventWaiters.delete(waiter);
          resolve(frame);
        },
      };
      const timer = setTimeout(() => {
        this.eventWaiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.eventWaiters.add(waiter);
    });
  }

  /** Everything received since the connection opened, byte for byte. */
  recording(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Logs off (Asterisk answers Goodbye and closes) and waits for the close. */
  async logoff(): Promise<void> {
    if (this.closed) return;
    const closed = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    this.socket.write('Action: Logoff\r\n\r\n');
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
    this.destroy();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private read(text: string): void {
    this.buffer += text;
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const block = this.buffer.slice(0, end + 2);
      this.buffer = this.buffer.slice(end + 4);
      const frame = parseTranscript(block.replace(/^Asterisk Call Manager\/[^\r\n]*\r\n/, '')).frames[0];
      if (frame) this.dispatch(frame);
    }
  }

  private dispatch(frame: AmiFrame): void {
    if (frame.Response !== undefined && frame.ActionID !== undefined) {
      this.waiting.get(frame.ActionID)?.(frame);
      this.waiting.delete(frame.ActionID);
      return;
    }
    if (frame.Event === undefined) return;
    this.events.push(frame);
    for (const waiter of this.eventWaiters) if (waiter.match(frame)) waiter.resolve(frame);
  }
}
