import type { Socket } from 'node:net';
import { BridgeError } from '../errors.js';
import { parseEnvLine, parseReplyLine, type AgiEnvironment, type AgiReply } from './agi-protocol.js';

import { realTimers, type Timers } from '../util/timers.js';

export type { Timers };

export interface AgiSessionOptions {
  /** Each command's reply must arrive within this long. */
  readonly commandTimeoutMs: number;
  readonly timers?: Timers;
}

/** Longest line we accept from Asterisk, and most environment lines. */
const MAX_LINE_BYTES = 8192;
const MAX_ENV_LINES = 200;
const CLOSE_GRACE_MS = 2000;

interface Waiter {
  resolve(line: string): void;
  reject(error: Error): void;
}

/**
 * One FastAGI connection: splits the socket into lines, reads the environment, sends commands one at a time
 * and reads each reply within a deadline. A "HANGUP" line or the socket closing ends the session: every
 * pending and later command rejects with AGI_HANGUP. Never throws from a socket callback.
 */
export class AgiSession {
  private readonly lines: string[] = [];
  private waiter: Waiter | null = null;
  private buffer = '';
  private ended: BridgeError | null = null;
  private hangupSeen = false;
  private readonly timers: Timers;

  constructor(
    private readonly socket: Socket,
    private readonly options: AgiSessionOptions,
  ) {
    this.timers = options.timers ?? realTimers;
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', () => this.end(new BridgeError('AGI_HANGUP', 'FastAGI socket error')));
    socket.on('close', () => this.end(new BridgeError('AGI_HANGUP')));
  }

  /** True once Asterisk said HANGUP or the socket closed. */
  get hungUp(): boolean {
    return this.hangupSeen || this.ended !== null;
  }

  /**
   * Reads agi_* lines up to the blank line. `timeoutMs` bounds the whole block, not each line: a peer
   * trickling one line at a time (slowloris) is dropped as surely as a silent one.
   */
  async readEnvironment(timeoutMs: number): Promise<AgiEnvironment> {
    const timedOut = new BridgeError('AGI_TIMEOUT', undefined, { waitingFor: 'environment', timeoutMs });
    let expired = false;
    const timer = this.timers.setTimeout(() => {
      expired = true;
      this.fail(timedOut);
    }, timeoutMs);
    try {
      const env: Record<string, string> = {};
      for (let count = 0; count <= MAX_ENV_LINES; count++) {
        if (expired) throw timedOut;
        const line = await this.nextLine(timeoutMs, 'environment');
        if (line === '') return Object.freeze(env);
        const pair = parseEnvLine(line);
        if (!pair) throw new BridgeError('AGI_PROTOCOL', `FastAGI environment line is not agi_*: ${line.slice(0, 80)}`);
        env[pair[0]] = pair[1];
      }
      throw new BridgeError('AGI_PROTOCOL', 'FastAGI environment block too long');
    } finally {
      this.timers.clearTimeout(timer);
    }
  }

  /** Sends one command line and resolves with its reply (any code: the caller decides what a 510 means). */
  async command(line: string): Promise<AgiReply> {
    if (this.hangupSeen) throw new BridgeError('AGI_HANGUP');
    if (this.ended) throw this.ended;
    this.socket.write(`${line}\n`);
    let reply = parseReplyLine(await this.nextLine(this.options.commandTimeoutMs, line));
    if (!reply) throw new BridgeError('AGI_PROTOCOL', 'FastAGI reply without a status code');
    // 520- opens a usage text; its last line is "520 ...".
    for (let extra = 0; reply.continues; extra++) {
      if (extra > 100) throw new BridgeError('AGI_PROTOCOL', 'FastAGI multi-line reply never ended');
      const next = await this.nextLine(this.options.commandTimeoutMs, line);
      const parsed = parseReplyLine(next);
      if (parsed && parsed.code === reply.code && !parsed.continues) reply = parsed;
    }
    if (reply.code === 511) {
      this.hangupSeen = true;
      throw new BridgeError('AGI_HANGUP', 'Asterisk says the channel is dead (511)');
    }
    return { code: reply.code, result: reply.result, text: reply.text };
  }

  /** Ends the session from our side (Asterisk then goes on with the dialplan). */
  close(): void {
    this.end(new BridgeError('AGI_HANGUP', 'FastAGI session closed'));
    this.socket.end();
    // Asterisk closes its side on our FIN; a peer that does not is dropped shortly after.
    const timer = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
    timer.unref();
  }

  /** Drops the connection at once. */
  destroy(): void {
    this.end(new BridgeError('AGI_HANGUP', 'FastAGI session destroyed'));
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    try {
      this.buffer += chunk;
      let index: number;
      while ((index = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, index).replace(/\r$/, '');
        this.buffer = this.buffer.slice(index + 1);
        this.onLine(line);
      }
      if (Buffer.byteLength(this.buffer) > MAX_LINE_BYTES) {
        this.buffer = '';
        this.fail(new BridgeError('AGI_PROTOCOL', 'FastAGI line too long'));
        this.socket.destroy();
      }
    } catch {
      this.socket.destroy();
    }
  }

  private onLine(line: string): void {
    // Asterisk's hang-up notice can arrive between a command and its reply; it is never a reply itself.
    if (line.trim().toUpperCase() === 'HANGUP') {
      this.hangupSeen = true;
      this.fail(new BridgeError('AGI_HANGUP'));
      return;
    }
    if (this.lines.length >= MAX_ENV_LINES * 2) return; // nobody is reading: a peer flooding us
    this.lines.push(line);
    this.flush();
  }

  private flush(): void {
    if (!this.waiter || this.lines.length === 0) return;
    const waiter = this.waiter;
    this.waiter = null;
    waiter.resolve(this.lines.shift()!);
  }

  private fail(error: BridgeError): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.reject(error);
  }

  private end(error: BridgeError): void {
    if (!this.ended) this.ended = error;
    this.fail(error);
  }

  private nextLine(timeoutMs: number, waitingFor: string): Promise<string> {
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.hangupSeen) return Promise.reject(new BridgeError('AGI_HANGUP'));
    if (this.ended) return Promise.reject(this.ended);
    return new Promise<string>((resolve, reject) => {
      const timer = this.timers.setTimeout(() => {
        if (this.waiter !== waiter) return;
        this.waiter = null;
        reject(new BridgeError('AGI_TIMEOUT', undefined, { waitingFor: waitingFor.slice(0, 60), timeoutMs }));
      }, timeoutMs);
      const waiter: Waiter = {
        resolve: (line) => {
          this.timers.clearTimeout(timer);
          resolve(line);
        },
        reject: (error) => {
          this.timers.clearTimeout(timer);
          reject(error);
        },
      };
      this.waiter = waiter;
    });
  }
}
