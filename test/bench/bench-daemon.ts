import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { AmiConnection } from '../../src/ami/connection.js';
import { fastSessionFactory, NOISE_EVENTS } from '../../src/ami/fast-session.js';
import { librarySessionFactory } from '../support/library-session.js';
import type { AmiSessionFactory } from '../../src/ami/session.js';
import { Daemon } from '../../src/cli/daemon.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log/logger.js';
import { FAKE_CREDENTIALS, startFakeHubsoft, type FakeHubsoft } from '../support/fake-hubsoft.js';

/** Which AMI reader the daemon runs on: ours skipping noise (recommended), ours parsing all, the library's. */
export type SessionKind = 'fast-skip' | 'fast-all' | 'library';

export interface BenchDaemon {
  readonly daemon: Daemon;
  /** The in-process fake HubSoft; undefined when the bench gave the URL of one elsewhere. */
  readonly hubsoft: FakeHubsoft | undefined;
  /** performance.now() of each request's arrival at the fake HubSoft, in arrival order (same index as hubsoft.requests). */
  readonly arrivals: number[];
  close(): Promise<void>;
}

export function sessionFactory(kind: SessionKind): AmiSessionFactory {
  if (kind === 'library') return librarySessionFactory();
  return fastSessionFactory(kind === 'fast-skip' ? { skipEvents: NOISE_EVENTS } : {});
}

/**
 * The real Daemon (AMI connection, tracker, call path, durable dispatcher, HubSoft client, alerts,
 * metrics) against the fake HubSoft in this process. HubSoft's rate limit is raised (default 20/s
 * would make a 500-call storm wait in the queue by design); the outbox journals to a temp dir.
 */
export async function startBenchDaemon(ami: { host: string; port: number }, session: SessionKind, hubsoftUrl?: string): Promise<BenchDaemon> {
  const hubsoft = hubsoftUrl === undefined ? await startFakeHubsoft() : undefined;
  const arrivals: number[] = [];
  if (hubsoft) {
    const push = hubsoft.requests.push.bind(hubsoft.requests);
    hubsoft.requests.push = (...items) => {
      for (let i = 0; i < items.length; i++) arrivals.push(performance.now());
      return push(...items);
    };
  }
  const stateDir = mkdtempSync(join(tmpdir(), 'hpb-bench-'));
  const fsync = (process.env.BENCH_FSYNC ?? '1') !== '0';
  const config = parseConfig({
    hubsoft: { url: hubsoft?.url ?? hubsoftUrl, ...FAKE_CREDENTIALS, requestTimeoutMs: 5000 },
    ami: { host: ami.host, port: ami.port, username: 'bridge', secret: 'amisecret', eventMask: 'on' },
    lookup: { defaultAreaCode: '37' },
    notify: { concurrency: 16, intervalCap: 100_000, maxQueued: 100_000, shutdownFlushMs: 500 },
    agi: { enabled: false },
    health: { enabled: false },
    log: { level: 'silent' },
    state: { dir: stateDir, outbox: { enabled: (process.env.BENCH_OUTBOX ?? '1') !== '0', fsync, maxInMemory: 100_000 } },
  });
  const logger = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
  const daemon = new Daemon({ config, logger });
  // The daemon builds its AmiConnection with the default session (ours, every frame parsed); the
  // bench swaps the factory before start to compare readers. Wiring the noise skip in daemon.ts is
  // one option: createSession: fastSessionFactory({ skipEvents: NOISE_EVENTS, warn }).
  (daemon.ami as unknown as { createSession: AmiSessionFactory }).createSession = sessionFactory(session);
  await daemon.start();
  await waitLoggedIn(daemon.ami);
  return {
    daemon,
    hubsoft,
    arrivals,
    async close() {
      await daemon.stop(200).catch(() => undefined);
      await hubsoft?.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

async function waitLoggedIn(ami: AmiConnection): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (ami.state !== 'logged-in') {
    if (Date.now() > deadline) throw new Error(`bench: AMI not logged in (${ami.state})`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  // Let the Events action and the login listeners finish.
  await new Promise((resolve) => setTimeout(resolve, 50));
}
