import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { pino } from 'pino';
import { encodeEntry } from '../../src/outbox/outbox-codec.js';
import { JOURNAL_FILE, Outbox, type OutboxInput, type OutboxOptions } from '../../src/outbox/outbox.js';
import { isBridgeError } from '../../src/errors.js';
import type { Logger } from '../../src/log/logger.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

function captureLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const text of chunk.toString('utf8').split('\n')) if (text) lines.push(JSON.parse(text) as LogLine);
      callback();
    },
  });
  const logger: Logger = pino({ level: 'debug' }, stream);
  return { logger, lines };
}

function cancel(n: number, createdAt = 1_000): OutboxInput {
  return { kind: 'cancel', key: `call-${n}/1001`, createdAt, route: 'cancelar', body: { ramal: '1001', telefone: `3799999${n}`, id_cliente: n } };
}

function notify(n: number, createdAt = 1_000): OutboxInput {
  return { kind: 'notify', key: `call-${n}/1001`, createdAt, route: 'notificar', body: { ramal: '1001', telefone: `3799999${n}`, id_cliente: n } };
}

async function appendOk(outbox: Outbox, input: OutboxInput): Promise<string> {
  const result = await outbox.append(input);
  if (!result.ok) throw new Error(`append refused: ${result.reason}`);
  return result.record.id;
}

const keys = (outbox: Outbox) => outbox.pending().map((record) => record.key);

describe('Outbox', () => {
  let dir: string;
  let now: number;
  let open: (extra?: Partial<OutboxOptions>) => Promise<Outbox>;
  let opened: Outbox[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hpb-outbox-'));
    now = 1_000;
    opened = [];
    const { logger } = captureLogger();
    open = async (extra = {}) => {
      const outbox = await Outbox.open({ dir, logger, clock: () => now, maxAgeMs: { notify: MINUTE, cancel: DAY }, fsync: false, ...extra });
      opened.push(outbox);
      return outbox;
    };
  });

  afterEach(async () => {
    for (const outbox of opened) await outbox.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps appended, unacknowledged records across a reopen, in append order', async () => {
    const first = await open({ fsync: true });
    const ids = [];
    for (let n = 0; n < 6; n++) ids.push(await appendOk(first, n % 2 ? notify(n) : cancel(n)));
    expect(await first.ack(ids[1]!)).to.equal(true);
    expect(await first.ack(ids[4]!)).to.equal(true);
    expect(await first.ack(ids[4]!)).to.equal(false);
    expect(await first.ack('no-such-id')).to.equal(false);
    expect(keys(first)).to.deep.equal(['call-0/1001', 'call-2/1001', 'call-3/1001', 'call-5/1001']);
    await first.close();

    const second = await open();
    expect(second.pending().map((record) => record.id)).to.deep.equal([ids[0], ids[2], ids[3], ids[5]]);
    expect(second.pending()[2]).to.deep.equal({ id: ids[3], ...notify(3) });
    expect(second.stats()).to.include({ pending: 4, corrupt: 0, expired: 0 });
  });

  it('stage(): the record is pending at once, an ack before its line is written holds across a reopen', async () => {
    const first = await open({ fsync: true });
    const staged = first.stage(notify(1));
    const kept = first.stage(notify(2));
    if (!staged.ok || !kept.ok) throw new Error('stage refused');
    expect(first.has(staged.record.id)).to.equal(true);
    expect(await first.ack(staged.record.id)).to.equal(true);
    await Promise.all([staged.written, kept.written]);
    expect(first.stats()).to.include({ appended: 2, acked: 1, pending: 1 });
    await first.close();

    const second = await open();
    expect(second.pending().map((record) => record.id)).to.deep.equal([kept.record.id]);
  });

  it('gives ids that keep increasing across a reopen even when the clock goes back', async () => {
    now = 5_000;
    const first = await open();
    const a = await appendOk(first, cancel(1));
    await first.close();
    now = 4_000;
    const second = await open();
    const b = await appendOk(second, cancel(2));
    expect(b).to.not.equal(a);
    expect(Number(b.split('-')[0])).to.be.greaterThan(Number(a.split('-')[0]));
  });

  it('shares one write among appends made in the same tick', async () => {
    const outbox = await open({ fsync: true });
    const results = await Promise.all(Array.from({ length: 100 }, (_, n) => outbox.append(cancel(n))));
    expect(results.every((result) => result.ok)).to.equal(true);
    expect(outbox.stats().writes).to.be.at.most(2);
    expect(keys(outbox)).to.deep.equal(Array.from({ length: 100 }, (_, n) => `call-${n}/1001`));
  });

  it('ignores a torn last line, and appends cleanly after it', async () => {
    const first = await open();
    await appendOk(first, cancel(1));
    await appendOk(first, cancel(2));
    await first.close();
    const torn = encodeEntry({ t: 'rec', id: '9-9', ...cancel(3) });
    await appendFile(join(dir, JOURNAL_FILE), torn.subarray(0, torn.length - 7));

    const { logger, lines } = captureLogger();
    const second = await open({ logger });
    expect(keys(second)).to.deep.equal(['call-1/1001', 'call-2/1001']);
    expect(second.stats().corrupt).to.equal(1);
    expect(lines.some((line) => line.level === 40 && /incomplete last line/.test(line.msg))).to.equal(true);
    await appendOk(second, cancel(4));
    await second.close();

    const third = await open();
    expect(keys(third)).to.deep.equal(['call-1/1001', 'call-2/1001', 'call-4/1001']);
    expect(third.stats().corrupt).to.equal(0);
  });

  it('skips garbage and checksum failures in the middle and keeps every later record', async () => {
    const scribbled = encodeEntry({ t: 'rec', id: '1-2', ...cancel(2) });
    const flip = scribbled.length - 5;
    scribbled.writeUInt8(scribbled.readUInt8(flip) ^ 0x01, flip);
    await writeFile(
      join(dir, JOURNAL_FILE),
      Buffer.concat([
        encodeEntry({ t: 'hdr', v: 1 }),
        encodeEntry({ t: 'rec', id: '1-1', ...cancel(1) }),
        Buffer.from('\u0000\u0001 not a journal line at all \xff\n', 'latin1'),
        scribbled,
        encodeEntry({ t: 'rec', id: '1-3', ...notify(3) }),
        Buffer.from('0badc0de {"t":"rec"}\n'),
        encodeEntry({ t: 'ack', id: '1-1' }),
        encodeEntry({ t: 'rec', id: '1-4', ...cancel(4) }),
      ]),
    );
    const { logger, lines } = captureLogger();
    const outbox = await open({ logger });
    expect(outbox.pending().map((record) => record.id)).to.deep.equal(['1-3', '1-4']);
    expect(outbox.stats().corrupt).to.equal(3);
    expect(lines.filter((line) => line.level === 40 && /corrupt journal line/.test(line.msg))).to.have.length(3);
    expect(JSON.stringify(lines)).to.not.include('3799999');
  });

  it('drops records older than their maximum age on open, with one summary log line and a counter', async () => {
    const first = await open();
    await appendOk(first, notify(1, 1_000));
    await appendOk(first, cancel(2, 1_000));
    await appendOk(first, notify(3, 50_000));
    await first.close();

    now = 1_000 + MINUTE + 1;
    const { logger, lines } = captureLogger();
    const second = await open({ logger });
    expect(keys(second)).to.deep.equal(['call-2/1001', 'call-3/1001']);
    expect(second.stats().expired).to.equal(1);
    const summaries = lines.filter((line) => line.level >= 40);
    expect(summaries).to.have.length(1);
    expect(summaries[0]).to.deep.include({ dropped: 1, byRoute: { notificar: 1 }, oldestAgeMs: MINUTE + 1 });
    await second.close();

    now = 1_000 + DAY + 1;
    const third = await open();
    expect(keys(third)).to.deep.equal([]);
    expect(third.stats().expired).to.equal(2);
  });

  it('a bulk drop is one summary line (counts per route, oldest and newest age); each record at debug', async () => {
    const first = await open();
    for (let n = 0; n < 300; n += 1) await appendOk(first, notify(n, 1_000 + n));
    for (let n = 0; n < 5; n += 1) await appendOk(first, cancel(1000 + n, 2_000));
    await first.close();
    now = 2_000 + DAY + 1;
    const { logger, lines } = captureLogger();
    const second = await open({ logger });
    const loud = lines.filter((line) => line.level >= 40);
    expect(loud).to.have.length(1);
    expect(loud[0]).to.deep.include({ level: 50, dropped: 305, byRoute: { notificar: 300, cancelar: 5 }, oldestAgeMs: DAY + 1001, newestAgeMs: DAY + 1 });
    expect(lines.filter((line) => line.level === 20)).to.have.length(305);
    await second.close();
  });

  it('expires pending records at run time and never brings them back', async () => {
    const first = await open();
    await appendOk(first, cancel(1, 1_000));
    await appendOk(first, cancel(2, 2_000));
    now = 1_000 + DAY + 500;
    expect(first.expire()).to.equal(1);
    expect(keys(first)).to.deep.equal(['call-2/1001']);
    await first.close();
    const second = await open({ maxAgeMs: { notify: MINUTE, cancel: 10 * DAY } });
    expect(keys(second)).to.deep.equal(['call-2/1001']);
  });

  it('compacts past the threshold: pending records and their order survive, the file shrinks', async () => {
    const outbox = await open({ compactMinBytes: 4096 });
    const ids: string[] = [];
    for (let n = 0; n < 200; n++) ids.push(await appendOk(outbox, n % 2 ? notify(n) : cancel(n)));
    const full = outbox.stats().bytes;
    for (let n = 0; n < 200; n++) if (n % 10 !== 0) await outbox.ack(ids[n]!);
    const expected = ids.filter((_, n) => n % 10 === 0);
    expect(outbox.stats().compactions).to.be.greaterThan(0);
    expect(outbox.stats().bytes).to.be.lessThan(full / 2);
    expect(outbox.pending().map((record) => record.id)).to.deep.equal(expected);
    expect((await stat(join(dir, JOURNAL_FILE))).size).to.equal(outbox.stats().bytes);
    await outbox.close();

    const reopened = await open();
    expect(reopened.pending().map((record) => record.id)).to.deep.equal(expected);
    expect(reopened.stats().corrupt).to.equal(0);
  });

  it('compacts on request while appends and acks are in flight, without losing or duplicating any', async () => {
    const outbox = await open({ fsync: true });
    const ids = await Promise.all(Array.from({ length: 30 }, (_, n) => appendOk(outbox, cancel(n))));
    const acks = ids.filter((_, n) => n % 3 !== 0).map((id) => outbox.ack(id));
    const more = Array.from({ length: 10 }, (_, n) => appendOk(outbox, cancel(100 + n)));
    await Promise.all([outbox.compact(), ...acks, ...more]);
    const expected = keys(outbox);
    expect(expected).to.have.length(20);
    await outbox.close();
    const reopened = await open();
    expect(keys(reopened)).to.deep.equal(expected);
  });

  it('keeps journaling when a compaction fails, and compacts once it can', async () => {
    const { logger, lines } = captureLogger();
    const outbox = await open({ logger });
    const ids = [];
    for (let n = 0; n < 5; n++) ids.push(await appendOk(outbox, cancel(n)));
    await outbox.ack(ids[0]!);
    // A directory where the temp file goes makes the rewrite fail before anything is renamed.
    await mkdir(join(dir, 'journal.jsonl.compact'));
    let error: unknown;
    await outbox.compact().catch((caught: unknown) => (error = caught));
    expect(error).to.be.instanceOf(Error);
    expect(lines.some((line) => line.level === 50 && /compaction failed/.test(line.msg))).to.equal(true);
    await appendOk(outbox, cancel(5));
    await outbox.ack(ids[1]!);
    await rm(join(dir, 'journal.jsonl.compact'), { recursive: true });
    await outbox.compact();
    expect(outbox.stats().compactions).to.equal(1);
    await appendOk(outbox, cancel(6));
    const expected = keys(outbox);
    expect(expected).to.deep.equal(['call-2/1001', 'call-3/1001', 'call-4/1001', 'call-5/1001', 'call-6/1001']);
    await outbox.close();
    expect(keys(await open())).to.deep.equal(expected);
  });

  it('refuses notifies past maxBytes, keeps accepting cancels until hardMaxBytes', async () => {
    const { logger, lines } = captureLogger();
    const outbox = await open({ logger, maxBytes: 2_000, hardMaxBytes: 4_000 });
    let accepted = 0;
    while ((await outbox.append(notify(accepted))).ok) accepted++;
    expect(accepted).to.be.greaterThan(3);
    expect(await outbox.append(notify(999))).to.deep.equal({ ok: false, reason: 'full' });
    let cancels = 0;
    while ((await outbox.append(cancel(cancels))).ok) cancels++;
    expect(cancels).to.be.greaterThan(3);
    expect(await outbox.append(cancel(999))).to.deep.include({ ok: false, reason: 'hard-full' });
    const stats = outbox.stats();
    expect(stats.pendingBytes).to.be.at.most(4_000);
    expect(stats).to.include({ refusedNotify: 2, refusedCancel: 2 });
    expect(lines.some((line) => line.level === 50 && /hard limit/.test(line.msg))).to.equal(true);

    const first = outbox.pending()[0]!;
    await outbox.ack(first.id);
    expect((await outbox.append(cancel(1000))).ok).to.equal(true);
  });

  it('makes room by expiring old records before refusing', async () => {
    const outbox = await open({ maxBytes: 1_000 });
    while ((await outbox.append(notify(0, now))).ok);
    now += MINUTE + 1;
    expect((await outbox.append(notify(1, now))).ok).to.equal(true);
    expect(outbox.stats().expired).to.be.greaterThan(0);
  });

  it('refuses a record larger than maxRecordBytes, and rejects malformed input', async () => {
    const outbox = await open({ maxRecordBytes: 512 });
    const big = { ...cancel(1), body: { ramal: '1001', telefone: 'x'.repeat(1_000) } };
    expect(await outbox.append(big)).to.deep.equal({ ok: false, reason: 'too-large' });
    const bad = { ...cancel(2), kind: 'other' } as unknown as OutboxInput;
    let error: unknown;
    await outbox.append(bad).catch((caught: unknown) => (error = caught));
    expect(error).to.be.instanceOf(TypeError);
    const id = await appendOk(outbox, cancel(3));
    await outbox.append({ ...cancel(4), id }).catch((caught: unknown) => (error = caught));
    expect(String(error)).to.match(/already pending/);
  });

  it('answers closed after close()', async () => {
    const outbox = await open();
    await outbox.close();
    expect(await outbox.append(cancel(1))).to.deep.equal({ ok: false, reason: 'closed' });
  });

  it('refuses to open a journal written in a format version it does not know', async () => {
    await writeFile(join(dir, JOURNAL_FILE), Buffer.concat([encodeEntry({ t: 'hdr', v: 99 }), encodeEntry({ t: 'rec', id: '1-1', ...cancel(1) })]));
    let error: unknown;
    await open().catch((caught: unknown) => (error = caught));
    expect(isBridgeError(error, 'OUTBOX_UNAVAILABLE')).to.equal(true);
    expect(await readFile(join(dir, JOURNAL_FILE), 'utf8')).to.include('call-1/1001');
  });

  it('matches a model under any sequence of appends, acks, bursts, compactions, torn tails and reopens', async function () {
    this.timeout(30_000);
    type Op =
      | { t: 'append'; cancel: boolean }
      | { t: 'ack'; pick: number }
      | { t: 'ackUnknown' }
      | { t: 'burst'; n: number; acks: number }
      | { t: 'compact' }
      | { t: 'reopen' }
      | { t: 'tear'; bytes: Uint8Array };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { arbitrary: fc.record({ t: fc.constant('append' as const), cancel: fc.boolean() }), weight: 4 },
      { arbitrary: fc.record({ t: fc.constant('ack' as const), pick: fc.nat() }), weight: 3 },
      fc.record({ t: fc.constant('ackUnknown' as const) }),
      fc.record({ t: fc.constant('burst' as const), n: fc.integer({ min: 1, max: 12 }), acks: fc.integer({ min: 0, max: 12 }) }),
      fc.record({ t: fc.constant('compact' as const) }),
      fc.record({ t: fc.constant('reopen' as const) }),
      fc.record({ t: fc.constant('tear' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }).map((b) => b.map((x) => (x === 10 ? 11 : x))) }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const runDir = join(dir, `run-${run++}`);
        const options = { compactMinBytes: 512, dir: runDir };
        let outbox = await open(options);
        let model: string[] = [];
        let n = 0;
        const input = (cancelKind: boolean) => (cancelKind ? cancel(n++) : notify(n++));
        for (const step of ops) {
          if (step.t === 'append') model.push(await appendOk(outbox, input(step.cancel)));
          else if (step.t === 'ack' && model.length > 0) {
            const id = model[step.pick % model.length]!;
            model = model.filter((other) => other !== id);
            expect(await outbox.ack(id)).to.equal(true);
          } else if (step.t === 'ackUnknown') expect(await outbox.ack('0-unknown')).to.equal(false);
          else if (step.t === 'burst') {
            const appends = Array.from({ length: step.n }, (_, i) => outbox.append(input(i % 2 === 0)));
            const acked = model.slice(0, step.acks);
            const acks = acked.map((id) => outbox.ack(id));
            const results = await Promise.all(appends);
            await Promise.all(acks);
            model = model.slice(acked.length).concat(results.map((r) => (r.ok ? r.record.id : 'refused')));
          } else if (step.t === 'compact') await outbox.compact();
          else if (step.t === 'reopen' || step.t === 'tear') {
            await outbox.close();
            if (step.t === 'tear') await appendFile(join(runDir, JOURNAL_FILE), step.bytes);
            outbox = await open(options);
          }
          expect(outbox.pending().map((record) => record.id)).to.deep.equal(model);
        }
        await outbox.close();
        const last = await open(options);
        expect(last.pending().map((record) => record.id)).to.deep.equal(model);
        await last.close();
      }),
      { seed: 6006, numRuns: Number(process.env.FC_RUNS ?? 40) },
    );
  });

  it('survives kill -9 mid-burst: acknowledged records never come back, unacknowledged ones come back once', async function () {
    this.timeout(20_000);
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/outbox-child.ts', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const appended: string[] = [];
    const ackIntent = new Set<string>();
    const acked = new Set<string>();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let partial = '';
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        const [tag, id] = line.split(' ');
        if (tag === 'A' && id) appended.push(id);
        else if (tag === 'a' && id) ackIntent.add(id);
        else if (tag === 'K' && id) acked.add(id);
      }
      if (!killed && appended.length >= 1_500) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal })),
    );
    expect(exit.signal, stderr).to.equal('SIGKILL');

    const outbox = await open();
    const pending = outbox.pending().map((record) => record.id);
    expect(new Set(pending).size).to.equal(pending.length);
    const pendingSet = new Set(pending);
    for (const id of appended) {
      if (!ackIntent.has(id)) expect(pendingSet.has(id), `unacknowledged ${id} lost`).to.equal(true);
    }
    for (const id of acked) expect(pendingSet.has(id), `acknowledged ${id} replayed`).to.equal(false);
    // Append order is id order here (one process, one clock): replay must keep it.
    const order = pending.map((id) => Number(id.split('-')[1]));
    expect(order).to.deep.equal([...order].sort((a, b) => a - b));
    for (const record of outbox.pending()) {
      expect(record.id.endsWith(`-${(record.body as { seq: number }).seq}`)).to.equal(true);
    }
    expect(acked.size).to.be.greaterThan(0);
  });
});
