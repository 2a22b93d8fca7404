import type { NormalisedMessage } from './normalise.js';

/**
 * One TCP connection to Asterisk, from connect to close: framing, parsing and writing.
 * AmiConnection owns everything else (login flow, timeouts, pings, reconnects, pending
 * actions), so another reader (a hand-written framer, see issue 8) only has to implement
 * this interface. A session is never reused: after a close, the connection makes a new one.
 */
export interface AmiSession {
  /** Sends Login with the target's credentials; `done` runs once, unless the session closes first. */
  login(done: (result: AmiLoginResult) => void): void;
  /** Writes one action with this ActionID; returns the ActionID actually written. Never throws. */
  send(fields: Readonly<Record<string, string>>, actionId: string): string;
  /** Drops what the session keeps for an action that will not be answered (timed out). */
  forget(actionId: string): void;
  /** Closes the socket at once (also while still connecting); no handler runs afterwards. */
  destroy(): void;
}

export type AmiLoginResult = { readonly ok: true } | { readonly ok: false; readonly message: string };

export interface AmiSessionHandlers {
  /** The TCP connection is up (banner not necessarily read yet). */
  connected(): void;
  /** Every frame, in arrival order, responses and events alike. */
  message(message: NormalisedMessage): void;
  /** The socket closed (peer, network, error). Runs at most once, never after destroy(). */
  closed(error: Error | undefined): void;
}

export interface AmiTarget {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly secret: string;
}

/** Starts connecting at once. Must not throw; report failures through `closed`. */
export type AmiSessionFactory = (target: AmiTarget, handlers: AmiSessionHandlers) => AmiSession;
