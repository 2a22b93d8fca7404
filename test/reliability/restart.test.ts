import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Daemon } from '../../src/cli/daemon.js';
import { createLogger, silentLogger } from '../../src/log/logger.js';
import { Outbox } from '../../src/outbox/outbox.js';
import { AmiScript } from '../support/ami-script.js';
import { startHarness, until, type Harness } from '../support/bridge-harness.js';
import { asTranscript, callerOf, missedCalls, ringingCalls } from './support/calls.js';

interface Arrival {
  readonly route: 'notificar' | 'cancelar';
  readonly telefone: string;
}

/** harness.play() for another daemon on the same fake Asterisk: replays, then waits for a marker event. */
async function playOn(harness: Harness, daemon: Daemon, transcript: ReturnType<typeof asTranscript>): Promise<void> {
  let seen = false;
  const listener = (event: { event: string; marker?: string }) => {
    if (event.event === 'HarnessSync' && event.marker === 'restarted') seen = true;
  };
  daemon.ami.on('event', listener);
  try {
    await harness.ami.replay(transcript);
    harness.ami.send({ Event: 'HarnessSync', Privilege: 'call,all', Marker: 'restarted' });
    await until(() => seen, 5000, 'the restarted bridge to read the events');
  } finally {
    daemon.ami.off('event', listener);
  }
}

function arrivals(harness: Harness, from = 0): Arrival[] {
  return harness.hubsoft.requests
    .slice(from)
    .filter((r) => r.path.includes('/pbx/ligacao/'))
    .map((r) => ({ route: r.path.endsWith('cancelar') ? 'cancelar' : 'notificar', telefone: String((r.body as Record<string, unknown>).telefone) }));
}

describe('reliability: stop and restart with windows open and a backlog (fake Asterisk over TCP, fake HubSoft over HTTP)', function () {
  this.timeout(20_000);
  let harness: Harness | undefined;
  let extra: Daemon | undefined;
  let dir: string | undefined;

  afterEach(async () => {
    await extra?.stop(200);
    await harness?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    harness = undefined;
    extra = undefined;
    dir = undefined;
  });

  it('SIGTERM while an agent rings: that window gets its cancelar before the stop resolves', async () => {
    harness = await startHarness({ config: { calls: { reringGraceMs: 5000 } } });
    const { hubsoft, daemon } = harness;
    const s = new AmiScript({ startEpoch: 1796000000, noise: false, firstUniqueid: 100 });
    const [ringing, inGrace] = ringingCalls(s, ['1001', '1002'], 800);
    await harness.play(asTranscript(s.drain()));
    await until(() => hubsoft.windows.size === 2, 5000, 'two windows');
    // The second ring's leg ends: it waits out the (long) re-ring grace, its cancel not sent yet.
    inGrace!.dial.timeout();
    await harness.play(asTranscript(s.drain()));
    expect(daemon.bridge.tracker.stats().pendingGraces).to.equal(1);

    const { left } = await daemon.stop();
    expect(left).to.equal(0);
    expect(hubsoft.windows.size, 'both windows closed before stop() resolved').to.equal(0);
    const cancels = arrivals(harness).filter((a) => a.route === 'cancelar').map((a) => a.telefone);
    expect(cancels.sort()).to.deep.equal([ringing!.caller, inGrace!.caller].sort());
  });

  it('300 missed calls while HubSoft is down, SIGTERM, restart with HubSoft up: a new call’s notificar beats the backlog, all 300 cancelars arrive once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bridge-restart-'));
    harness = await startHarness({
      config: {
        notify: { concurrency: 4, retryInitialMs: 10, retryMaxMs: 50, retryDeadlineMs: 300 },
        state: { dir, outbox: { fsync: false, backlogInFlight: 2 } },
      },
    });
    const { hubsoft, daemon, ami } = harness;
    hubsoft.failNext(1_000_000, 'status503');
    await harness.play(missedCalls(300));
    await until(
      () => {
        const tracker = daemon.bridge.tracker.stats();
        const path = daemon.bridge.callPath.stats();
        return tracker.liveCalls === 0 && tracker.pendingGraces === 0 && path.waitingForLookup === 0 && daemon.durable.stats().staging === 0;
      },
      10_000,
      'every call over and its cancel journaled',
    );
    await daemon.stop(100);
    const downRequests = hubsoft.requests.length;

    // Restart on the same state dir; HubSoft is back but slow enough that the backlog takes a while.
    hubsoft.clearFailures();
    hubsoft.setDelay(5);
    extra = new Daemon({ config: harness.config, logger: silentLogger() });
    await extra.start();
    await ami.waitForLogin(5000, 2);
    expect(extra.durable.stats().replayed).to.be.at.least(300);

    const s = new AmiScript({ startEpoch: 1796000500, noise: false, firstUniqueid: 50_000 });
    const [fresh] = ringingCalls(s, ['1002'], 5000);
    const rungAt = Date.now();
    await playOn(harness, extra, asTranscript(s.drain()));
    await until(() => arrivals(harness!, downRequests).some((a) => a.route === 'notificar' && a.telefone === fresh!.caller), 5000, 'the new call’s notificar');
    const notifiedIn = Date.now() - rungAt;
    const before = arrivals(harness, downRequests);
    const at = before.findIndex((a) => a.telefone === fresh!.caller);
    const cancelsBefore = before.slice(0, at).filter((a) => a.route === 'cancelar').length;
    expect(cancelsBefore, 'the backlog had not drained when the live notificar arrived').to.be.below(300);
    expect(notifiedIn, 'the live notificar did not wait for the backlog').to.be.below(1000);

    await until(() => arrivals(harness!, downRequests).filter((a) => a.route === 'cancelar').length >= 300, 15_000, 'the backlog to drain');
    const after = arrivals(harness, downRequests);
    const counts = new Map<string, number>();
    for (const a of after) if (a.route === 'cancelar') counts.set(a.telefone, (counts.get(a.telefone) ?? 0) + 1);
    const expected = Array.from({ length: 300 }, (_, i) => callerOf(i));
    expect([...counts.keys()].sort()).to.deep.equal(expected);
    expect([...counts.values()].every((n) => n === 1), 'each cancelar once').to.equal(true);
    expect(hubsoft.windows.get(`ramal:1002|${fresh!.caller}`), 'the live window is open').to.not.equal(undefined);
  });

  it('state dir unwritable at start: the daemon runs without durability, says so (errno, /healthz, metric), and picks the journal up once the dir is writable', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bridge-rodir-'));
    // A regular file where the state dir's parent should be: mkdir fails with ENOTDIR, also for root.
    const blocker = join(dir, 'var-lib');
    writeFileSync(blocker, 'not a directory');
    const stateDir = join(blocker, 'state');
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', destination: new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }) });
    harness = await startHarness({
      logger,
      config: { health: { enabled: true, port: 0 }, state: { dir: stateDir, outbox: { fsync: false, reopenEveryMs: 50 } } },
    });
    const { daemon, hubsoft } = harness;
    const port = daemon.healthPort()!;
    const errorLine = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.level === 50 && String(l.msg).includes('WITHOUT DURABILITY'));
    expect(errorLine, lines.join('')).to.not.equal(undefined);
    expect(errorLine).to.include({ errno: 'ENOTDIR' });
    expect(daemon.durable.durable).to.equal(false);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).to.equal(503);
    expect(await health.text()).to.include('DELIVERY_NOT_DURABLE');
    expect(await daemon.metrics.registry.getSingleMetricAsString('hubsoft_bridge_outbox_durable')).to.match(/^hubsoft_bridge_outbox_durable 0$/m);

    // Calls still go through, unjournaled.
    await harness.play(missedCalls(1, '1001', 7000));
    await harness.settle();
    expect(daemon.durable.stats().unjournaled).to.be.greaterThan(0);

    // The operator fixes it: a directory where the file was, holding a journal with a missed call left by an older run.
    rmSync(blocker);
    mkdirSync(stateDir, { recursive: true });
    const old = await Outbox.open({ dir: join(stateDir, 'outbox'), logger: silentLogger(), maxAgeMs: { notify: 60_000, cancel: 86_400_000 }, fsync: false });
    await old.append({ kind: 'cancel', key: 'ramal:1003|37999111222', createdAt: Date.now(), route: 'cancelar', body: { ramal: '1003', telefone: '37999111222' } });
    await old.close();

    await until(() => daemon.durable.durable, 5000, 'the journal to be opened');
    await until(() => hubsoft.requests.some((r) => r.path.endsWith('/cancelar') && (r.body as Record<string, unknown>).telefone === '37999111222'), 5000, 'the journaled cancel');
    await harness.settle();
    expect(daemon.delivery.health().up).to.equal(true);
    expect(await daemon.metrics.registry.getSingleMetricAsString('hubsoft_bridge_outbox_durable')).to.match(/^hubsoft_bridge_outbox_durable 1$/m);
    const journaledBefore = daemon.durable.stats().journaled;
    await harness.play(missedCalls(1, '1002', 7100));
    await harness.settle();
    expect(daemon.durable.stats().journaled, 'new requests are journaled again').to.be.greaterThan(journaledBefore);
  });
});
