import Manager, { type ManagerInstance, type ManagerMessage } from 'asterisk-manager';
import { normaliseMessage } from '../../src/ami/normalise.js';
import type { AmiSession, AmiSessionFactory, AmiSessionHandlers, AmiTarget } from '../../src/ami/session.js';

/** Builds the library instance; never auto-connects (no port), never keepConnected. */
export type ManagerFactory = (target: AmiTarget) => ManagerInstance;

export const defaultManagerFactory: ManagerFactory = (target) =>
  Manager(undefined, target.host, target.username, target.secret, false);

/**
 * AmiSession on top of asterisk-manager 0.2.0: we keep its frame parser and its login
 * (the only way to mark it authenticated), and take over the rest. The socket is created
 * with our AbortSignal so that we can destroy it at any time, even while connecting;
 * the library alone can only `end()` it, which never completes against a stalled peer.
 */
export function librarySessionFactory(createManager: ManagerFactory = defaultManagerFactory): AmiSessionFactory {
  return (target, handlers) => new LibrarySession(target, handlers, createManager);
}

class LibrarySession implements AmiSession {
  private readonly manager: ManagerInstance | undefined;
  private readonly abort = new AbortController();
  private done = false;
  private lastError: Error | undefined;

  constructor(
    target: AmiTarget,
    private readonly handlers: AmiSessionHandlers,
    createManager: ManagerFactory,
  ) {
    try {
      const manager = createManager(target);
      this.manager = manager;
      // 'rawevent' fires once per frame, synchronously and in order, whatever the frame is.
      manager.on('rawevent', (raw: ManagerMessage) => {
        if (!this.done) this.handlers.message(normaliseMessage(raw));
      });
      manager.on('error', (error: Error) => {
        this.lastError = error;
      });
      manager.on('close', () => this.finish(this.lastError));
      manager.connect({ port: target.port, host: target.host, signal: this.abort.signal, noDelay: true }, undefined, () => {
        if (!this.done) this.handlers.connected();
      });
    } catch (error) {
      this.manager = undefined;
      queueMicrotask(() => this.finish(error instanceof Error ? error : new Error(String(error))));
    }
  }

  login(done: (result: { ok: true } | { ok: false; message: string }) => void): void {
    if (!this.manager || this.done) return;
    this.manager.login((error) => {
      if (this.done) return;
      if (!error) return done({ ok: true });
      const message = typeof error.message === 'string' ? error.message : 'Response: Error';
      done({ ok: false, message });
    });
  }

  send(fields: Readonly<Record<string, string>>, actionId: string): string {
    if (!this.manager || this.done) return actionId;
    const lower: Record<string, string> = {};
    for (const [key, value] of Object.entries(fields)) lower[key.toLowerCase()] = value;
    lower.actionid = actionId;
    try {
      return this.manager.action(lower);
    } catch {
      return actionId;
    }
  }

  forget(actionId: string): void {
    // Only the ActionID's own listener: the library's no-op 'error' listener must stay.
    this.manager?.removeAllListeners(actionId);
  }

  destroy(): void {
    if (this.done) return;
    this.done = true;
    this.abort.abort();
  }

  private finish(error: Error | undefined): void {
    if (this.done) return;
    this.done = true;
    this.abort.abort();
    this.handlers.closed(error);
  }
}
