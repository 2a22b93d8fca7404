import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../log/logger.js';
import { isBridgeError } from '../errors.js';
import { scriptName, type AgiEnvironment } from './agi-protocol.js';
import { AgiSession, type Timers } from './agi-session.js';

/** One AGI script: runs its commands on the session; the server closes the session afterwards. */
export type AgiScript = (session: AgiSession, env: AgiEnvironment) => Promise<void>;

export interface FastAgiServerOptions {
  readonly host: string;
  /** 0 picks a free port (tests); see address(). */
  readonly port: number;
  /** Scripts by name, the path of agi://host/NAME. More can be added with register() (self-service, issue 7). */
  readonly scripts?: Readonly<Record<string, AgiScript>>;
  /** The environment block must arrive within this long. Default 2000 ms. */
  readonly environmentTimeoutMs?: number;
  /** Each command's reply must arrive within this long. Default 1000 ms. */
  readonly commandTimeoutMs?: number;
  /** Sessions at once; over this a connection is closed at once and the call goes on. Default 64. */
  readonly maxConnections?: number;
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
  private server: Server | null = null;
  private readonly maxConnections: number;

  constructor(private readonly options: FastAgiServerOptions) {
    for (const [name, script] of Object.entries(options.scripts ?? {})) this.register(name, script);
    this.maxConnections = options.maxConnections ?? 64;
  }

  register(name: string, script: AgiScript): void {
    if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new TypeError(`AGI script name must be [A-Za-z0-9_-]: ${name}`);
    this.scripts.set(name, script);
  }

  get activeSessions(): number {
    return this.sessions.size;
  }

  /** Listens; resolves with the bound address. */
  async start(): Promise<{ host: string; port: number }> {
    if (this.server) return this.address();
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
    for (const session of this.sessions) session.destroy();
    this.sessions.clear();
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    try {
      socket.on('error', () => undefined); // the session reports it; never an uncaught 'error'
      if (this.sessions.size >= this.maxConnections) {
        this.options.logger?.warn({ max: this.maxConnections }, 'FastAGI: too many sessions, connection refused');
        socket.destroy();
        return;
      }
      const session = new AgiSession(socket, {
        commandTimeoutMs: this.options.commandTimeoutMs ?? 1000,
        ...(this.options.timers ? { timers: this.options.timers } : {}),
      });
      this.sessions.add(session);
      void this.run(session).finally(() => {
        this.sessions.delete(session);
        session.close();
      });
    } catch (err) {
      this.options.logger?.error({ err }, 'FastAGI: could not accept a connection');
      socket.destroy();
    }
  }

  private async run(session: AgiSession): Promise<void> {
    const log = this.options.logger;
    try {
      const env = await session.readEnvironment(this.options.environmentTimeoutMs ?? 2000);
      const name = scriptName(env);
      const script = this.scripts.get(name);
      if (!script) {
        log?.warn({ script: name, channel: env['agi_channel'] }, 'FastAGI: unknown script name, session ended');
        return;
      }
      await script(session, env);
    } catch (err) {
      if (isBridgeError(err, 'AGI_HANGUP')) log?.debug('FastAGI: caller hung up during the session');
      else if (isBridgeError(err, 'AGI_TIMEOUT')) log?.warn({ err }, 'FastAGI: Asterisk did not answer in time');
      else log?.warn({ err }, 'FastAGI session failed');
    }
  }
}
