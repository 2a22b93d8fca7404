import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeAmi, type FakeAmi } from '../support/fake-ami.js';
import { FAKE_CREDENTIALS, startFakeHubsoft, type FakeHubsoft } from '../support/fake-hubsoft.js';
import { missedCalls } from './support/calls.js';

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
    const configFile = join(dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        hubsoft: { url: hubsoft.url, ...FAKE_CREDENTIALS, requestTimeoutMs: 2000 },
        ami: { host: ami.host, port: ami.port, username: 'bridge', secret: 'amisecret', reconnectInitialMs: 20, reconnectMaxMs: 200 },
        calls: { reringGraceMs: 100 },
        lookup: { defaultAreaCode: '37', maxRequests: 1 },
        notify: { concurrency: 4, intervalCap: 1000, retryInitialMs: 20, retryMaxMs: 100 },
        agi: { enabled: false },
        health: { enabled: false },
        log: { level: 'silent' },
        state: { dir: join(dir, 'state'), outbox: { fsync: true, maxInMemory: 50 } },
      }),
    );
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
