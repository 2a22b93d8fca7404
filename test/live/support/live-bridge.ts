import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Daemon } from '../../../src/cli/daemon.js';
import { parseConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/log/logger.js';
import { harnessSections, isIdle, until } from '../../support/bridge-harness.js';
import { startFakeHubsoft, type FakeHubsoft } from '../../support/fake-hubsoft.js';
import { BRIDGE_AMI, type LiveAsterisk } from './asterisk.js';

/** What HubSoft received for the call windows, flattened the way the expectations are written. */
export interface WindowRequest {
  readonly route: 'notificar' | 'cancelar';
  readonly ramal: unknown;
  readonly telefone: unknown;
  readonly id_cliente?: unknown;
  readonly linkedid?: unknown;
}

export interface LiveBridgeOptions {
  /** Config sections merged over the test defaults. */
  readonly config?: Record<string, Record<string, unknown>>;
  /** A HubSoft shared with an earlier bridge (a restart); a new fake otherwise, closed with the bridge. */
  readonly hubsoft?: FakeHubsoft;
  /** A state dir shared with an earlier bridge (a restart); a temp one otherwise, removed with the bridge. */
  readonly stateDir?: string;
  /** Connect here instead of Asterisk's AMI port (a proxy that can cut the link). */
  readonly amiPort?: number;
}

/** The whole bridge (the daemon as `run` builds it) on the live Asterisk's AMI, reporting to the fake HubSoft. */
export class LiveBridge {
  private constructor(
    /** The bridge's log lines (JSON), for a failing test to show. */
    readonly logs: readonly string[],
    readonly daemon: Daemon,
    readonly config: Config,
    readonly hubsoft: FakeHubsoft,
    readonly stateDir: string,
    private readonly owned: { hubsoft: boolean; stateDir: boolean },
  ) {}

  static async start(asterisk: LiveAsterisk, options: LiveBridgeOptions = {}): Promise<LiveBridge> {
    const hubsoft = options.hubsoft ?? (await startFakeHubsoft());
    const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'live-bridge-state-'));
    const sections = harnessSections(hubsoft.url, { host: '127.0.0.1', port: options.amiPort ?? asterisk.ports.ami, ...BRIDGE_AMI });
    sections.log = { level: 'info' };
    // The production re-ring grace (1.5 s): hunt groups and queues re-ring on the PBX's own clock.
    sections.calls = {};
    for (const [section, values] of Object.entries(options.config ?? {})) sections[section] = { ...sections[section], ...values };
    sections.state = { ...sections.state, dir: stateDir };
    const config = parseConfig(sections);
    const lines: string[] = [];
    const logger = createLogger({
      level: config.log.level,
      destination: new Writable({
        write: (chunk: Buffer, _encoding, done) => {
          lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
          done();
        },
      }),
    });
    const daemon = new Daemon({ config, logger });
    const bridge = new LiveBridge(lines, daemon, config, hubsoft, stateDir, { hubsoft: options.hubsoft === undefined, stateDir: options.stateDir === undefined });
    await daemon.start();
    try {
      await until(() => daemon.ami.state === 'logged-in', 10000, `the bridge to log in to the live AMI (log tail:\n${lines.slice(-10).join('\n')})`);
    } catch (error) {
      await bridge.close();
      throw error;
    }
    return bridge;
  }

  /** notificar/cancelar HubSoft received so far, in arrival order. */
  windows(): WindowRequest[] {
    return this.hubsoft.requests
      .filter((request) => request.path.includes('/pbx/ligacao/'))
      .map((request) => {
        const body = request.body as Record<string, unknown>;
        const params = (body.ligacao_params ?? {}) as Record<string, unknown>;
        return {
          route: request.path.endsWith('notificar') ? ('notificar' as const) : ('cancelar' as const),
          ramal: body.ramal,
          telefone: body.telefone,
          ...(body.id_cliente !== undefined ? { id_cliente: body.id_cliente } : {}),
          linkedid: params.linkedid,
        };
      });
  }

  /** Waits until the bridge follows no call and has nothing left to send. */
  async idle(timeoutMs = 15000): Promise<void> {
    try {
      await until(() => isIdle(this.daemon), timeoutMs, 'the bridge to be idle');
    } catch (error) {
      const { daemon } = this;
      const state = {
        tracker: daemon.bridge.tracker.stats(),
        callPath: daemon.bridge.callPath.stats(),
        durable: daemon.durable.stats(),
        dispatcher: daemon.dispatcher.size(),
        windows: this.windows(),
      };
      throw new Error(`${String(error)}: ${JSON.stringify(state)}\nlog tail:\n${this.logs.slice(-15).join('\n')}`);
    }
  }

  /** Stops the daemon (as SIGTERM does), keeping HubSoft and the state dir for a restart. */
  async stop(): Promise<void> {
    await this.daemon.stop(2000);
  }

  async close(): Promise<void> {
    await this.stop();
    if (this.owned.hubsoft) await this.hubsoft.close();
    if (this.owned.stateDir) rmSync(this.stateDir, { recursive: true, force: true });
  }
}
