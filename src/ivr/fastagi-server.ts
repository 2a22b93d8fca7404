import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../log/logger.js';
import { BridgeError, isBridgeError } from '../errors.js';
import { createAllowList, isLoopbackHost } from '../util/addresses.js';
import { ThrottledReport } from '../util/throttled-report.js';
import { scriptName, type AgiEnvironment } from './agi-protocol.js';
import { AgiSession, type Timers } from './agi-session.js';

/** One AGI script: runs its commands on the session; the server closes the session afterwards. */
export type AgiScript = (session: AgiSession, env: AgiEnvironment) => Promise<void>;

/**
 * Why a connection was closed without running a script: over the session cap, from a source not on the
 * allow-list, pushed out of a full waiting room by a newer one, or no environment within the deadline.
 */
export type AgiRefusal = 'session-cap' | 'not-allowed' | 'evicted' | 'environment-timeout';

export interface FastAgiServerOptions {
  readonly host: string;
  /** 0 picks a free port (tests); see address(). */
  readonly port: number;
  /** Scripts by name, the path of agi://host/NAME. More can be added with register() (self-service, issue 7). */
  readonly scripts?: Readonly<Record<string, AgiScript>>;
  /** The whole environment block must arrive within this long of the connect. Default 1500 ms. */
  readonly environmentTimeoutMs?: number;
  /** Each command's reply must arrive within this long. Default 1000 ms. */
  readonly commandTimeoutMs?: number;
  /** Scripts running at once; a session over this is closed without a command and the call goes on. Default 64. */
  readonly maxConnections?: number;
  /** Connections still sending their environment; past this the oldest is dropped for the newcomer. Default 256. */
  readonly maxPending?: number;
  /** Source addresses (IPs or CIDR blocks) allowed to connect; empty or absent: any that can reach `host`. */
  readonly allowFrom?: readonly string[];
  /** Refusals are logged at most once per this long (with a count). Default 60000 ms. */
  readonly refusalLogIntervalMs?: number;
  /** Called for each refused connection (the metric). */
  readonly onRefused?: (reason: AgiRefusal) => void;
  readonly logger?: Logger;
  readonly timers?: Timers;
}

/**
 * FastAGI server. For each connection: read the environment, pick the script by agi_network_script, run it,
 * close. An unknown script name ends the session without a command: the dialplan goes on as if nothing was
 * found (its bounded wait, or its check of HUBSOFT_LOOKUP, handles it) and the bridge logs a warning naming the
 * script, which is almost always a typo in the dialplan.
 */
export class FastAgiServer {
  private readonly scripts = new Map<string, AgiScript>();
  private readonly sessions = new Set<AgiSession>();
  /** Connections waiting for their environment, oldest first (a Set keeps insertion order). */
  private readonly pending = new Set<AgiSession>();
  private server: Server | null = null;
  private readonly maxConnections: number;
  private readonly maxPending: number;
  private readonly allowed: ((remote: string | undefined) => boolean) | null;
  private readonly refusals: Record<'session-cap' | 'not-allowed' | 'evicted', ThrottledReport>;

  constructor(private readonly options: FastAgiServerOptions) {
    for (const [name, script] of Object.entries(options.scripts ?? {})) this.register(name, script);
    this.maxConnections = options.maxConnections ?? 64;
    this.maxPending = options.maxPending ?? 256;
    this.allowed = options.allowFrom && options.allowFrom.length > 0 ? createAllowList(options.allowFrom) : null;
    const every = options.refusalLogIntervalMs ?? 60_000;
    const report = (message: string, details: Record<string, unknown>) =>
      new ThrottledReport((count, first) => this.options.logger?.warn({ ...details, refused: count, intervalMs: every }, first ? message : `${message} (${count} in the last interval)`), every, options.timers);
    this.refusals = {
      'session-cap': report('FastAGI: too many sessions, connection refused', { max: this.maxConnections }),
      'not-allowed': report('FastAGI: connection from an address not in agi.allowFrom refused', {}),
      evicted: report('FastAGI: too many connections waiting for their environment, oldest dropped', { maxPending: this.maxPending }),
    };
  }

  register(name: string, script: AgiScript): void {
    if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new TypeError(`AGI script name must be [A-Za-z0-9_-]: ${name}`);
    this.scripts.set(name, script);
  }

  /** Sessions running a script. */
  get activeSessions(): number {
    return this.sessions.size;
  }

  /** Connections still sending their environment. */
  get pendingConnections(): number {
    return this.pending.size;
  }

  /** Listens; resolves with the bound address. */
  async start(): Promise<{ host: string; port: number }> {
    if (this.server) return this.address();
    if (!this.allowed && !isLoopbackHost(this.options.host)) {
      throw new BridgeError('CONFIG_INVALID', `agi.allowFrom is required when agi.host (${this.options.host}) is not a loopback address: list the PBX's addresses`);
    }
    const server = createServer({ allowHalfOpen: false }, (socket) => this.accept(socket));
    server.on('error', (err) => this.options.logger?.error({ err }, 'FastAGI server error'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const address = this.address();
    this.options.logger?.info(address, 'FastAGI server listening');
    return address;
  }

  address(): { host: string; port: number } {
    const bound = this.server?.address();
    if (bound && typeof bound === 'object') return { host: bound.address, port: bound.port };
    return { host: this.options.host, port: this.options.port };
  }

  /** Stops listening and drops open sessions (their calls go on in the dialplan). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const session of [...this.sessions, ...this.pending]) session.destroy();
    this.sessions.clear();
    this.pending.clear();
    for (const report of Object.values(this.refusals)) report.stop();
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    try {
      socket.on('error', () => undefined); // the session reports it; never an uncaught 'error'
      if (this.allowed && !this.allowed(socket.remoteAddress)) {
        this.refuse('not-allowed');
        socket.destroy();
        return;
      }
      if (this.pending.size >= this.maxPending) {
        // Asterisk sends its environment at once: the oldest waiter is the likeliest idle one.
        const oldest = this.pending.values().next().value!;
        this.pending.delete(oldest);
        oldest.destroy();
        this.refuse('evicted');
      }
      const session = new AgiSession(socket, {
        commandTimeoutMs: this.options.commandTimeoutMs ?? 1000,
        ...(this.options.timers ? { timers: this.options.timers } : {}),
      });
      this.pending.add(session);
      void this.run(session).then((ran) => {
        this.pending.delete(session);
        this.sessions.delete(session);
        // A refused peer is cut at once: a flood must not hold descriptors through the close grace.
        if (ran) session.close();
        else session.destroy();
      });
    } catch (err) {
      this.options.logger?.error({ err }, 'FastAGI: could not accept a connection');
      socket.destroy();
    }
  }

  /** Resolves true once a script (or the unknown-script warning) ran; false when the connection was refused. */
  private async run(session: AgiSession): Promise<boolean> {
    const log = this.options.logger;
    let env: AgiEnvironment;
    try {
      env = await session.readEnvironment(this.options.environmentTimeoutMs ?? 1500);
    } catch (err) {
      if (isBridgeError(err, 'AGI_TIMEOUT')) this.refuse('environment-timeout');
      else if (!isBridgeError(err, 'AGI_HANGUP')) log?.debug({ err }, 'FastAGI: bad environment, connection closed');
      return false;
    }
    this.pending.delete(session);
    if (this.sessions.size >= this.maxConnections) {
      this.refuse('session-cap');
      return false;
    }
    this.sessions.add(session);
    try {
      const name = scriptName(env);
      const script = this.scripts.get(name);
      if (!script) {
        log?.warn({ script: name, channel: env['agi_channel'] }, 'FastAGI: unknown script name, session ended');
        return true;
      }
      await script(session, env);
    } catch (err) {
      if (isBridgeError(err, 'AGI_HANGUP')) log?.debug('FastAGI: caller hung up during the session');
      else if (isBridgeError(err, 'AGI_TIMEOUT')) log?.warn({ err }, 'FastAGI: Asterisk did not answer in time');
      else log?.warn({ err }, 'FastAGI session failed');
    }
    return true;
  }

  private refuse(reason: AgiRefusal): void {
    this.options.onRefused?.(reason);
    // A peer that connects and says nothing is counted, not logged: the metric shows a flood of them.
    if (reason !== 'environment-timeout') this.refusals[reason].note();
  }
}
