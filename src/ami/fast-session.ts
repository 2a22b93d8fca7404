import { createConnection, type Socket } from 'node:net';
import { FrameReader } from './frame-reader.js';
import { formatActionFrame } from './sanitise-action.js';

export { NOISE_EVENTS } from './frame-reader.js';
import type { NormalisedMessage } from './normalise.js';
import type { AmiLoginResult, AmiSession, AmiSessionFactory, AmiSessionHandlers, AmiTarget } from './session.js';

export interface FastSessionOptions {
  /**
   * Event names dropped unparsed (exact spelling), e.g. NOISE_EVENTS. Default none: every frame is
   * parsed and delivered, as the library did. The daemon opts in (its consumers never read them).
   */
  readonly skipEvents?: readonly string[];
  /** Largest AMI frame kept, in bytes (default 256 KiB); a bigger one is dropped with a warning. */
  readonly maxFrameBytes?: number;
  /** Where the oversize-frame warning goes (the connection's logger). */
  readonly warn?: (details: Record<string, unknown>, message: string) => void;
}

/**
 * AmiSession on our own reader (frame-reader.ts) and a plain TCP socket. Faster than asterisk-manager's
 * reader (no per-chunk line arrays, no nextTick per event), and with `skipEvents` noise events cost
 * one byte search each (see README, Performance).
 */
export function fastSessionFactory(options: FastSessionOptions = {}): AmiSessionFactory {
  return (target, handlers) => new FastSession(target, handlers, options);
}

class FastSession implements AmiSession {
  private readonly socket: Socket | undefined;
  private readonly reader: FrameReader;
  private done = false;
  private lastError: Error | undefined;
  private loginId: string | undefined;
  private loginDone: ((result: AmiLoginResult) => void) | undefined;
  private loginSeq = 0;

  constructor(
    private readonly target: AmiTarget,
    private readonly handlers: AmiSessionHandlers,
    options: FastSessionOptions,
  ) {
    this.reader = new FrameReader({
      onMessage: (message) => this.onMessage(message),
      skipEvents: options.skipEvents ?? [],
      maxFrameBytes: options.maxFrameBytes,
      onOversize: ({ bytes, maxFrameBytes }) =>
        options.warn?.({ bytes, maxFrameBytes }, 'AMI frame larger than the cap dropped; reading resumes at the next frame'),
    });
    try {
      const socket = createConnection({ host: target.host, port: target.port, noDelay: true, keepAlive: true });
      this.socket = socket;
      socket.on('connect', () => {
        if (!this.done) this.handlers.connected();
      });
      socket.on('data', (chunk: Buffer) => this.reader.push(chunk));
      socket.on('error', (error: Error) => {
        this.lastError = error;
      });
      socket.on('close', () => this.finish(this.lastError));
    } catch (error) {
      this.socket = undefined;
      queueMicrotask(() => this.finish(error instanceof Error ? error : new Error(String(error))));
    }
  }

  login(done: (result: AmiLoginResult) => void): void {
    if (!this.socket || this.done) return;
    this.loginId = `login-${++this.loginSeq}`;
    this.loginDone = done;
    this.write({ Action: 'Login', Username: this.target.username, Secret: this.target.secret }, this.loginId);
  }

  send(fields: Readonly<Record<string, string>>, actionId: string): string {
    this.write(fields, actionId);
    return actionId;
  }

  forget(actionId: string): void {
    if (actionId === this.loginId) {
      this.loginId = undefined;
      this.loginDone = undefined;
    }
  }

  destroy(): void {
    if (this.done) return;
    this.done = true;
    this.reader.stop();
    this.socket?.destroy();
  }

  private write(fields: Readonly<Record<string, string>>, actionId: string): void {
    const socket = this.socket;
    if (!socket || this.done || socket.destroyed || !socket.writable) return;
    socket.write(formatActionFrame(fields, actionId));
  }

  private onMessage(message: NormalisedMessage): void {
    if (this.done) return;
    this.handlers.message(message);
    if (message.kind !== 'response' || this.loginId === undefined || message.message.actionid !== this.loginId) return;
    const done = this.loginDone;
    this.loginId = undefined;
    this.loginDone = undefined;
    if (this.done || !done) return;
    const response = message.message;
    // Only `Response: Success` is a login: Follows, Goodbye or garbage from a proxy is not.
    if (response.response.toLowerCase() === 'success') done({ ok: true });
    else done({ ok: false, message: response.message || `Response: ${response.response || '(none)'}` });
  }

  private finish(error: Error | undefined): void {
    if (this.done) return;
    this.done = true;
    this.reader.stop();
    this.socket?.destroy();
    this.handlers.closed(error);
  }
}
