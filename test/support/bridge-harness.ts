import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { Daemon, type DaemonOptions } from '../../src/cli/daemon.js';
import { createLogger, type Logger } from '../../src/log/logger.js';
import { startFakeAmi, type FakeAmi, type FakeAmiOptions } from './fake-ami.js';
import { FAKE_CREDENTIALS, startFakeHubsoft, type FakeHubsoft, type FakeHubsoftOptions } from './fake-hubsoft.js';
import type { Transcript } from './transcript.js';

/** A whole bridge wired to the fake Asterisk (TCP) and the fake HubSoft (HTTP), all on 127.0.0.1. */
export interface Harness {
  readonly hubsoft: FakeHubsoft;
  readonly ami: FakeAmi;
  readonly daemon: Daemon;
  readonly config: Config;
  /** The notificar/cancelar requests HubSoft received, in arrival order. */
  pbxRequests(): PbxRequest[];
  /** Replays a transcript and waits until the bridge has read every event of it. */
  play(transcript: Transcript): Promise<void>;
  /** Waits until no ring is pending, no request is queued and the tracker holds no call. */
  settle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface PbxRequest {
  readonly route: 'notificar' | 'cancelar';
  readonly body: Record<string, unknown>;
}

export interface HarnessOptions {
  /** Config sections merged over the harness defaults (short grace, no AGI, no health). */
  readonly config?: Record<string, Record<string, unknown>>;
  readonly fakeAmi?: FakeAmiOptions;
  readonly fakeHubsoft?: FakeHubsoftOptions;
  readonly logger?: Logger;
  readonly daemon?: Partial<Pick<DaemonOptions, 'onSent' | 'onOutput' | 'onAlertsPushed'>>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const hubsoft = await startFakeHubsoft(options.fakeHubsoft);
  const ami = await startFakeAmi(options.fakeAmi);
  const base = harnessSections(hubsoft.url, { host: ami.host, port: ami.port, username: 'bridge', secret: 'amisecret' });
  const ownStateDir = options.config?.state?.dir === undefined ? mkdtempSync(join(tmpdir(), 'bridge-harness-')) : null;
  if (ownStateDir) base.state = { ...base.state, dir: ownStateDir };
  for (const [section, values] of Object.entries(options.config ?? {})) {
    base[section] = section === 'state' && ownStateDir ? { ...base[section], ...values, dir: ownStateDir } : { ...base[section], ...values };
  }
  const config = parseConfig(base);
  const logger = options.logger ?? createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
  const daemon = new Daemon({ config, logger, ...options.daemon });
  await daemon.start();
  await ami.waitForLogin(5000);

  let syncs = 0;
  const harness: Harness = {
    hubsoft,
    ami,
    daemon,
    config,
    pbxRequests: () =>
      hubsoft.requests
        .filter((r) => r.path.includes('/pbx/ligacao/'))
        .map((r) => ({ route: r.path.endsWith('notificar') ? 'notificar' : 'cancelar', body: r.body as Record<string, unknown> })),
    async play(transcript) {
      // A marker event after the transcript tells when the bridge has read all of it (the fake applies EventMask).
      const marker = `sync-${++syncs}`;
      let seen = false;
      const listener = (event: { event: string; marker?: string }) => {
        if (event.event === 'HarnessSync' && event.marker === marker) seen = true;
      };
      daemon.ami.on('event', listener);
      try {
        await ami.replay(transcript);
        ami.send({ Event: 'HarnessSync', Privilege: 'call,all', Marker: marker });
        await until(() => seen, 5000, 'the bridge to read the replayed events');
      } finally {
        daemon.ami.off('event', listener);
      }
    },
    async settle(timeoutMs = 5000) {
      await until(() => isIdle(daemon), timeoutMs, 'the bridge to settle');
    },
    async close() {
      await daemon.stop(500);
      await Promise.allSettled([ami.close(), hubsoft.close()]);
      if (ownStateDir) rmSync(ownStateDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** The harness defaults: short grace and retries, no AGI, no health listener, silent log, no fsync. */
export function harnessSections(
  hubsoftUrl: string,
  ami: { host: string; port: number; username: string; secret: string },
): Record<string, Record<string, unknown>> {
  return {
    hubsoft: { url: hubsoftUrl, ...FAKE_CREDENTIALS, requestTimeoutMs: 2000 },
    ami: { ...ami, reconnectInitialMs: 20, reconnectMaxMs: 200 },
    calls: { reringGraceMs: 150 },
    lookup: { defaultAreaCode: '37' },
    notify: { concurrency: 8, intervalCap: 1000, retryInitialMs: 20, retryMaxMs: 100, retryDeadlineMs: 2000, shutdownFlushMs: 1000 },
    agi: { enabled: false },
    health: { enabled: false },
    log: { level: 'silent' },
    // A state dir of its own (the outbox journal lives there), removed on close unless the test gave one.
    state: { outbox: { fsync: false } },
  };
}

/** No ring pending, no request queued, no call followed: everything the bridge saw is done. */
export function isIdle(daemon: Daemon): boolean {
  const tracker = daemon.bridge.tracker.stats();
  const path = daemon.bridge.callPath.stats();
  const durable = daemon.durable.stats();
  return (
    tracker.liveCalls === 0 &&
    tracker.pendingGraces === 0 &&
    path.openRings === 0 &&
    path.waitingForLookup === 0 &&
    durable.staging === 0 &&
    durable.backlog === 0 &&
    durable.inDispatcher === 0 &&
    daemon.dispatcher.size() === 0
  );
}

export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Splits a transcript before the nth frame that matches, keeping the login part in both halves,
 * so a test can pause between them (the fixtures carry no timing, the tracker's grace needs some).
 */
export function splitTranscript(transcript: Transcript, matches: (frame: Readonly<Record<string, string>>) => boolean, nth = 1): [Transcript, Transcript] {
  let seen = 0;
  const at = transcript.frames.findIndex((frame) => matches(frame) && ++seen === nth);
  if (at < 0) throw new Error('splitTranscript: no such frame');
  const loginAt = transcript.frames.findIndex((frame) => 'Response' in frame);
  const head = { banner: transcript.banner, frames: transcript.frames.slice(0, at), lines: transcript.lines.slice(0, at) };
  const tail = {
    banner: transcript.banner,
    frames: [...transcript.frames.slice(0, loginAt + 1), ...transcript.frames.slice(at)],
    lines: [...transcript.lines.slice(0, loginAt + 1), ...transcript.lines.slice(at)],
  };
  return [head, tail];
}
