import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeAmi, type FakeAmi } from '../support/fake-ami.js';
import { FAKE_CREDENTIALS, startFakeHubsoft, type FakeHubsoft } from '../support/fake-hubsoft.js';
import { AmiScript } from '../support/ami-script.js';
import { until } from '../support/bridge-harness.js';
import { asTranscript, channelRows, missedCalls, ringingCalls } from './support/calls.js';

interface JournalView {
  /** route + telefone of every record ever appended, by id. */
  readonly records: Map<string, string>;
  readonly acked: Set<string>;
}

/** Reads the journal line by line (no compaction ran: it stays small), keeping complete lines only. */
function readJournal(file: string): JournalView {
  const records = new Map<string, string>();
  const acked = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    let entry: { t?: string; id?: string; route?: string; body?: { telefone?: string }; why?: string };
    try {
      entry = JSON.parse(line.slice(9)) as typeof entry;
    } catch {
      continue; // header-less, torn tail
    }
    if (entry.t === 'rec' && entry.id) records.set(entry.id, `${entry.route}/${entry.body?.telefone}`);
    if (entry.t === 'ack' && entry.id && entry.why === undefined) acked.add(entry.id);
  }
  return { records, acked };
}

/** The child daemon's config: the fakes, short retries and grace, a durable (fsynced) outbox in `dir`/state. */
function writeChildConfig(dir: string, hubsoft: FakeHubsoft, ami: FakeAmi, extra: { lookup?: object; outbox?: object } = {}): string {
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      hubsoft: { url: hubsoft.url, ...FAKE_CREDENTIALS, requestTimeoutMs: 2000 },
      ami: { host: ami.host, port: ami.port, username: 'bridge', secret: 'amisecret', reconnectInitialMs: 20, reconnectMaxMs: 200 },
      calls: { reringGraceMs: 100 },
      lookup: { defaultAreaCode: '37', ...extra.lookup },
      notify: { concurrency: 4, intervalCap: 1000, retryInitialMs: 20, retryMaxMs: 100 },
      agi: { enabled: false },
      health: { enabled: false },
      log: { level: 'silent' },
      state: { dir: join(dir, 'state'), outbox: { fsync: true, ...extra.outbox } },
    }),
  );
  return file;
}

function startChild(configFile: string): { child: ChildProcess; ready: Promise<void>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/reliability/support/daemon-child.ts', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('READY')) resolve();
    });
    void exited.then((code) => reject(new Error(`daemon child exited (${code}) before READY: ${stderr.slice(0, 2000)}`)));
  });
  return { child, ready, exited };
}

describe('reliability: the bridge killed with SIGKILL mid-burst and restarted (daemon in a child process)', function () {
  this.timeout(60_000);
  let hubsoft: FakeHubsoft;
  let ami: FakeAmi;
  let dir: string;

  before(async () => {
    hubsoft = await startFakeHubsoft();
    ami = await startFakeAmi({ uptimeSeconds: 3600 });
    dir = mkdtempSync(join(tmpdir(), 'bridge-crash-'));
  });
  after(async () => {
    await Promise.allSettled([ami.close(), hubsoft.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('every acknowledged record is delivered exactly once, every unacknowledged one at least once', async () => {
    const configFile = writeChildConfig(dir, hubsoft, ami, { lookup: { maxRequests: 1 }, outbox: { maxInMemory: 50 } });
    hubsoft.setDelay(3); // a backlog builds up: the kill lands while requests are queued and in flight

    const first = startChild(configFile);
    await first.ready;
    await ami.waitForLogin(10_000, 1);
    const burst = ami.replay(missedCalls(200));
    await hubsoft.waitFor((requests) => requests.filter((r) => r.path.endsWith('/cancelar')).length >= 40, 30_000);
    first.child.kill('SIGKILL');
    await first.exited;
    await burst.catch(() => undefined);

    const journal = readJournal(join(dir, 'state', 'outbox', 'journal.jsonl'));
    const unacked = [...journal.records].filter(([id]) => !journal.acked.has(id)).map(([, what]) => what);
    const acked = [...journal.records].filter(([id]) => journal.acked.has(id)).map(([, what]) => what);
    expect(acked.length, 'some records were acknowledged before the kill').to.be.greaterThan(0);
    expect(unacked.length, 'some records were still pending at the kill').to.be.greaterThan(0);

    const sent = (): Map<string, number> => {
      const counts = new Map<string, number>();
      for (const r of hubsoft.requests) {
        if (!r.path.includes('/pbx/ligacao/')) continue;
        const what = `${r.path.endsWith('cancelar') ? 'cancelar' : 'notificar'}/${String((r.body as { telefone?: string }).telefone)}`;
        counts.set(what, (counts.get(what) ?? 0) + 1);
      }
      return counts;
    };

    const second = startChild(configFile);
    await second.ready;
    await hubsoft.waitFor(() => {
      const counts = sent();
      return unacked.every((what) => (counts.get(what) ?? 0) >= 1);
    }, 30_000);
    second.child.kill('SIGTERM');
    expect(await second.exited).to.equal(0);

    const counts = sent();
    for (const what of acked) expect(counts.get(what), `${what} (acknowledged)`).to.equal(1);
    for (const what of unacked) expect(counts.get(what) ?? 0, `${what} (unacknowledged)`).to.be.at.least(1);
    // After the clean stop nothing is left to send.
    const after = readJournal(join(dir, 'state', 'outbox', 'journal.jsonl'));
    expect([...after.records.keys()].filter((id) => !after.acked.has(id))).to.deep.equal([]);
  });
});

describe('reliability: kill -9 while agents ring, restart: the windows it left open (daemon in a child process)', function () {
  this.timeout(30_000);
  let hubsoft: FakeHubsoft;
  let ami: FakeAmi;
  let dir: string;
  let running: ReturnType<typeof startChild> | undefined;

  before(async () => {
    hubsoft = await startFakeHubsoft();
    ami = await startFakeAmi({ uptimeSeconds: 3600 });
    dir = mkdtempSync(join(tmpdir(), 'bridge-kill-rings-'));
  });
  after(async () => {
    running?.child.kill('SIGKILL');
    await Promise.allSettled([ami.close(), hubsoft.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const routesOf = (telefone: string): string[] =>
    hubsoft.requests.filter((r) => r.path.includes('/pbx/ligacao/') && (r.body as { telefone?: string }).telefone === telefone).map((r) => r.path.split('/').pop()!);

  it('3 calls end while the bridge is down: their windows are closed once after login; a call still ringing keeps its window', async () => {
    const configFile = writeChildConfig(dir, hubsoft, ami);
    running = startChild(configFile);
    await running.ready;
    await ami.waitForLogin(10_000, 1);
    const s = new AmiScript({ startEpoch: 1796100000, noise: false, firstUniqueid: 3000 });
    const calls = ringingCalls(s, ['1001', '1002', '1003', '1004'], 9000);
    await ami.replay(asTranscript(s.drain()));
    await hubsoft.waitFor(() => hubsoft.windows.size === 4, 10_000);

    running.child.kill('SIGKILL');
    await running.exited;
    // While the bridge is down three callers give up; the fourth still rings.
    const [ended1, ended2, ended3, still] = calls as [(typeof calls)[0], (typeof calls)[0], (typeof calls)[0], (typeof calls)[0]];
    for (const c of [ended1, ended2, ended3]) c.call.wait(1000).callerCancel(c.dial);
    s.drain();
    ami.setChannels(channelRows([still]));
    const asked = ami.actions.filter((a) => a.action.toLowerCase() === 'coreshowchannels').length;

    running = startChild(configFile);
    await running.ready;
    await ami.waitForLogin(10_000, 2);
    await ami.waitForAction('CoreShowChannels', 10_000, asked + 1);
    await hubsoft.waitFor(() => hubsoft.windows.size === 1, 10_000);
    // Longer than the re-ring grace: nothing else arrives for the ringing call, nothing twice for the others.
    await new Promise((resolve) => setTimeout(resolve, 400));
    for (const c of [ended1, ended2, ended3]) {
      const routes = routesOf(c.caller);
      expect(routes.at(-1), c.caller).to.equal('cancelar');
      expect(routes.filter((r) => r === 'cancelar'), `${c.caller} closed once`).to.have.length(1);
    }
    expect(routesOf(still.caller).filter((r) => r === 'cancelar'), 'the ringing call keeps its window').to.have.length(0);
    expect([...hubsoft.windows.keys()]).to.deep.equal([`ramal:1004|${still.caller}`]);

    // The restarted bridge follows that call: when it ends unanswered its window closes.
    still.call.wait(2000);
    still.dial.timeout();
    still.call.endInDialplan();
    await ami.replay(asTranscript(s.drain()));
    await until(() => routesOf(still.caller).includes('cancelar'), 5000, 'the fourth window to close');
    expect(hubsoft.windows.size).to.equal(0);
    expect(routesOf(still.caller).filter((r) => r === 'cancelar')).to.have.length(1);

    running.child.kill('SIGTERM');
    expect(await running.exited).to.equal(0);
    running = undefined;
  });
});
