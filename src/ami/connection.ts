import type { AmiConfig } from '../config/schema.js';
import { BridgeError, type ErrorCode } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { backoffDelay } from '../util/backoff.js';
import { sanitiseAction } from './sanitise-action.js';
import { fastSessionFactory } from './fast-session.js';
import { Listeners } from './listeners.js';
import type { NormalisedMessage } from './normalise.js';
import { PendingActions, type AmiListResult } from './pending-actions.js';
import type { AmiLoginResult, AmiSession, AmiSessionFactory } from './session.js';
import { realTimers, type Timers as AmiTimers } from '../util/timers.js';
import type { AmiAction, AmiActions, AmiEvent, AmiLinkState, AmiResponse } from './types.js';

export type { AmiListResult } from './pending-actions.js';

export interface AmiConnectionOptions {
  readonly config: AmiConfig;
  readonly logger: Logger;
  readonly timers?: AmiTimers;
  readonly now?: () => number;
  /** Jitter source in [0, 1). */
  readonly random?: () => number;
  /** Makes one session per TCP connection; defaults to our own reader (fast-session.ts); the asterisk-manager one lives in test/support/library-session.ts. */
  readonly createSession?: AmiSessionFactory;
}

/** Passed with 'login': the tracker resyncs when `reconnect` is true. */
export interface AmiLoginInfo {
  /** Successful logins so far, this one included. */
  readonly logins: number;
  readonly reconnect: boolean;
}

export interface AmiConnectionStats {
  readonly state: AmiLinkState;
  readonly logins: number;
  /** Successful logins after the first one. */
  readonly reconnects: number;
  readonly loginFailures: number;
  readonly connectFailures: number;
  readonly pingTimeouts: number;
  readonly actionTimeouts: number;
  readonly events: number;
  readonly pendingActions: number;
  readonly loggedInSince: number | undefined;
  readonly lastError: { readonly code: ErrorCode; readonly message: string; readonly at: number } | undefined;
}

export interface AmiConnectionEvents extends Record<string, unknown> {
  event: AmiEvent;
  state: AmiLinkState;
  login: AmiLoginInfo;
}

interface Teardown {
  readonly error: BridgeError;
  readonly level: 'error' | 'warn' | 'info';
}

/**
 * The bridge's one AMI link: connects, logs in, selects events, pings, reconnects with capped
 * backoff, times out and fails actions cleanly. A fresh session (socket + parser) per attempt.
 */
export class AmiConnection implements AmiActions {
  private readonly config: AmiConfig;
  private readonly log: Logger;
  private readonly timers: AmiTimers;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly createSession: AmiSessionFactory;
  private readonly listeners: Listeners<AmiConnectionEvents>;
  private readonly pending: PendingActions;

  private linkState: AmiLinkState = 'disconnected';
  private started = false;
  private stopping = false;
  private session: AmiSession | undefined;
  private generation = 0;
  private failures = 0;
  private actionSeq = 0;
  private loggedInAt: number | undefined;
  private stepTimer: unknown;
  private reconnectTimer: unknown;
  private counters = { logins: 0, loginFailures: 0, connectFailures: 0, pingTimeouts: 0, actionTimeouts: 0, events: 0 };
  private lastError: AmiConnectionStats['lastError'];

  constructor(options: AmiConnectionOptions) {
    this.config = options.config;
    this.log = options.logger.child({ component: 'ami' });
    this.timers = options.timers ?? realTimers;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.createSession = options.createSession ?? fastSessionFactory({ warn: (details, message) => this.log.warn(details, message) });
    this.listeners = new Listeners((event, error) =>
      this.log.error({ err: error, listener: String(event) }, 'an AMI listener threw; the connection carries on'),
    );
    this.pending = new PendingActions(this.timers, (actionId) => {
      this.counters.actionTimeouts += 1;
      this.session?.forget(actionId);
    });
  }

  on<K extends keyof AmiConnectionEvents>(event: K, listener: (value: AmiConnectionEvents[K]) => void): this {
    this.listeners.on(event, listener);
    return this;
  }

  off<K extends keyof AmiConnectionEvents>(event: K, listener: (value: AmiConnectionEvents[K]) => void): this {
    this.listeners.off(event, listener);
    return this;
  }

  get state(): AmiLinkState {
    return this.linkState;
  }

  stats(): AmiConnectionStats {
    return {
      state: this.linkState,
      ...this.counters,
      reconnects: Math.max(0, this.counters.logins - 1),
      pendingActions: this.pending.size,
      loggedInSince: this.loggedInAt,
      lastError: this.lastError,
    };
  }

  /** Starts connecting; reconnects on its own until stop(). Calling it twice does nothing. */
  start(): void {
    if (this.started || this.stopping) return;
    this.started = true;
    this.open();
  }

  /** Logs off when possible, closes the socket, fails pending actions, clears every timer. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.timers.clearTimeout(this.reconnectTimer);
    if (this.linkState === 'logged-in') {
      const timeoutMs = Math.min(this.config.actionTimeoutMs, 2000);
      await this.send({ Action: 'Logoff' }, { timeoutMs }).catch(() => undefined);
    }
    this.teardown(this.generation, { error: new BridgeError('AMI_DISCONNECTED', 'AMI connection stopped.'), level: 'info' });
    this.setState('stopped');
  }

  send(action: AmiAction, options: { timeoutMs?: number } = {}): Promise<AmiResponse> {
    return this.write(action, options.timeoutMs, false) as Promise<AmiResponse>;
  }

  /** For list actions (CoreShowChannels, QueueStatus...): resolves once the `EventList: Complete` event came. */
  sendList(action: AmiAction, options: { timeoutMs?: number } = {}): Promise<AmiListResult> {
    return this.write(action, options.timeoutMs, true) as Promise<AmiListResult>;
  }

  private write(action: AmiAction, timeoutMs: number | undefined, list: boolean): Promise<AmiResponse | AmiListResult> {
    const name = typeof action.Action === 'string' ? action.Action : '';
    const session = this.session;
    if (!session || this.linkState !== 'logged-in') {
      return Promise.reject(
        new BridgeError('AMI_DISCONNECTED', `AMI is not logged in (${this.linkState}); ${name} was not sent.`, { action: name }),
      );
    }
    const id = `hpb-${++this.actionSeq}`;
    const deadline = timeoutMs ?? this.config.actionTimeoutMs;
    const promise = list ? this.pending.addList(id, name, deadline) : this.pending.add(id, name, deadline);
    const written = session.send(sanitiseAction(action), id);
    this.pending.rename(id, written);
    return promise;
  }

  private open(): void {
    if (this.stopping) return;
    const generation = ++this.generation;
    const { host, port, username, secret } = this.config;
    this.setState('connecting');
    // A stale session (torn down, replaced) is ignored; while stopping, answers (Logoff) still count.
    const current = () => generation === this.generation;
    this.session = this.createSession(
      { host, port, username, secret },
      {
        connected: () => current() && !this.stopping && this.onConnected(generation),
        message: (message) => current() && this.onMessage(message),
        closed: (error) => current() && this.onClosed(generation, error),
      },
    );
    this.armStep(generation, this.config.actionTimeoutMs, () =>
      this.teardown(generation, {
        error: new BridgeError('AMI_UNREACHABLE', `No TCP connection to ${host}:${port} within ${this.config.actionTimeoutMs} ms.`, { host, port }),
        level: 'error',
      }),
    );
  }

  private onConnected(generation: number): void {
    this.setState('connected');
    this.armStep(generation, this.config.actionTimeoutMs, () =>
      this.teardown(generation, {
        error: new BridgeError('AMI_ACTION_TIMEOUT', `Asterisk did not answer Login within ${this.config.actionTimeoutMs} ms.`, { action: 'Login' }),
        level: 'error',
      }),
    );
    this.session?.login((result) => {
      if (generation === this.generation && !this.stopping) this.onLogin(generation, result);
    });
  }

  private onLogin(generation: number, result: AmiLoginResult): void {
    this.timers.clearTimeout(this.stepTimer);
    if (!result.ok) {
      this.counters.loginFailures += 1;
      const { host, port, username } = this.config;
      this.teardown(generation, {
        error: new BridgeError('AMI_LOGIN_REFUSED', undefined, { host, port, username, asterisk: result.message }),
        level: 'error',
      });
      return;
    }
    this.counters.logins += 1;
    this.loggedInAt = this.now();
    this.setState('logged-in');
    const info: AmiLoginInfo = { logins: this.counters.logins, reconnect: this.counters.logins > 1 };
    this.log.info({ host: this.config.host, port: this.config.port, logins: info.logins }, 'AMI logged in');
    // Login's own `Event:` header is ignored by Asterisk: select the classes explicitly.
    this.send({ Action: 'Events', EventMask: this.config.eventMask })
      .then((response) => {
        if (response.response.toLowerCase() !== 'success') {
          this.log.warn({ eventMask: this.config.eventMask, asterisk: response.message }, 'Asterisk refused the AMI EventMask');
        }
      })
      .catch((error: unknown) => {
        if (!this.stopping) this.log.warn({ err: error }, 'AMI Events action failed');
      })
      .finally(() => {
        if (generation !== this.generation || this.stopping || this.linkState !== 'logged-in') return;
        this.listeners.emit('login', info);
        this.schedulePing(generation);
      });
  }

  private schedulePing(generation: number): void {
    this.armStep(generation, this.config.pingIntervalMs, () => {
      this.send({ Action: 'Ping' }, { timeoutMs: this.config.pingTimeoutMs }).then(
        () => generation === this.generation && this.schedulePing(generation),
        (error: unknown) => {
          if (generation !== this.generation || !(error instanceof BridgeError) || error.code !== 'AMI_ACTION_TIMEOUT') return;
          this.counters.pingTimeouts += 1;
          this.teardown(generation, {
            error: new BridgeError('AMI_ACTION_TIMEOUT', `No answer to AMI Ping within ${this.config.pingTimeoutMs} ms: the link is dead.`, { action: 'Ping' }),
            level: 'warn',
          });
        },
      );
    });
  }

  private onMessage(normalised: NormalisedMessage): void {
    if (normalised.kind === 'response') {
      if (!this.pending.response(normalised.message)) {
        this.log.debug({ actionid: normalised.message.actionid }, 'AMI response to no pending action');
      }
      return;
    }
    if (normalised.kind === 'event') {
      if (this.pending.listEvent(normalised.message)) return;
      this.counters.events += 1;
      this.listeners.emit('event', normalised.message);
    }
  }

  private onClosed(generation: number, error: Error | undefined): void {
    const { host, port } = this.config;
    const cause = error ? `: ${error.message}` : '';
    if (this.linkState === 'connecting') {
      this.counters.connectFailures += 1;
      const teardown: Teardown = {
        error: new BridgeError('AMI_UNREACHABLE', `${host}:${port} could not be reached${cause}.`, { host, port }, { cause: error }),
        level: 'error',
      };
      this.teardown(generation, teardown);
    } else {
      const during = this.linkState === 'connected' ? ' before the Login was answered' : '';
      this.teardown(generation, {
        error: new BridgeError('AMI_DISCONNECTED', `The AMI connection to ${host}:${port} closed${during}${cause}.`, { host, port }, { cause: error }),
        level: this.linkState === 'connected' ? 'error' : 'warn',
      });
    }
  }

  /** Ends the current session (once), fails its pending actions and, unless stopping, schedules the next attempt. */
  private teardown(generation: number, { error, level }: Teardown): void {
    if (generation !== this.generation || !this.session) return;
    this.timers.clearTimeout(this.stepTimer);
    const session = this.session;
    this.session = undefined;
    this.generation += 1;
    session.destroy();
    this.pending.rejectAll((action) =>
      new BridgeError('AMI_DISCONNECTED', `The AMI connection closed before ${action} was answered.`, { action }),
    );
    if (this.loggedInAt !== undefined && this.now() - this.loggedInAt >= this.config.reconnectMaxMs) this.failures = 0;
    this.loggedInAt = undefined;
    this.lastError = { code: error.code, message: error.message, at: this.now() };
    if (this.stopping) {
      this.log.info('AMI connection closed');
      return;
    }
    const initialMs = Math.max(1, this.config.reconnectInitialMs);
    // +-25% around the step, never below the first step: a refused login can never turn into a hot loop.
    const delay = backoffDelay(this.failures, { initialMs, maxMs: this.config.reconnectMaxMs, jitter: [0.75, 1.25], floorMs: initialMs }, this.random);
    this.failures += 1;
    this.log[level]({ code: error.code, ...error.details, retryInMs: delay }, `${error.message} Retrying in ${delay} ms.`);
    this.setState('disconnected');
    this.reconnectTimer = this.timers.setTimeout(() => this.open(), delay);
  }

  /** One timer per session step (connect, login, next ping): arming a step replaces the previous one. */
  private armStep(generation: number, ms: number, onFire: () => void): void {
    this.timers.clearTimeout(this.stepTimer);
    this.stepTimer = this.timers.setTimeout(() => generation === this.generation && onFire(), ms);
  }

  private setState(state: AmiLinkState): void {
    if (this.linkState === state) return;
    this.linkState = state;
    this.listeners.emit('state', state);
  }
}
