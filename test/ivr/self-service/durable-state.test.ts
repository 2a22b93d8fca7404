import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DailyCounters } from '../../../src/ivr/self-service/daily-cap.js';
import { fakeClock } from '../../hubsoft/helpers.js';
import { startHarness, type Harness } from './harness.js';
import { capturingLogger } from '../../support/capturing-logger.js';

const CARLOS_PHONE = '37998001122';

/** Issue 14 item 3: the day's caps and the calls in progress survive a restart (a new self-service on the same state.dir). */
describe('ivr/self-service: state on disk (state.dir/self-service.json)', () => {
  let dir: string;
  let h: Harness | undefined;
  // 15:00 UTC = 12:00 in Sao Paulo: the day ends 12 hours later.
  let clock = fakeClock(Date.UTC(2024, 2, 12, 15, 0, 0));
  const caps = { dailyCapPerClient: 1, unlocksPerClientPerDay: 1, confirmFailuresPerClientPerDay: 2 };
  const restart = async (selfService: Record<string, unknown> = caps, logger?: ReturnType<typeof capturingLogger>['logger']) => {
    await h?.close();
    h = await startHarness({ now: clock.now, stateDir: dir, selfService, ...(logger ? { logger } : {}) });
    return h;
  };
  beforeEach(() => {
    clock = fakeClock(Date.UTC(2024, 2, 12, 15, 0, 0));
    dir = mkdtempSync(join(tmpdir(), 'self-service-state-'));
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('second copies, unlocks and failed confirmations hold across a restart; the call in progress too', async () => {
    let a = await restart();
    await a.call('hubsoft-identify', CARLOS_PHONE, 'a1');
    expect(await a.call('hubsoft-confirm', CARLOS_PHONE, 'a1', '999')).to.include({ HUBSOFT_CONFIRMACAO_REASON: 'wrong_digits' });
    expect(await a.call('hubsoft-confirm', CARLOS_PHONE, 'a1', '123')).to.include({ HUBSOFT_CONFIRMACAO_STATUS: 'ok' });
    expect(await a.call('hubsoft-second-copy', CARLOS_PHONE, 'a1', 'sms')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'ok' });
    expect(await a.call('hubsoft-unlock', CARLOS_PHONE, 'a1')).to.include({ HUBSOFT_DESBLOQUEIO_STATUS: 'ok' });
    const protocol = (await a.call('hubsoft-protocol', CARLOS_PHONE, 'a1')).HUBSOFT_PROTOCOLO;

    a = await restart();
    // The call in progress: still identified and confirmed, what it was sent, its protocol.
    expect(a.selfService.protocolFor('a1')).to.equal(protocol);
    expect(await a.call('hubsoft-second-copy', CARLOS_PHONE, 'a1', 'sms')).to.include({ HUBSOFT_SEGUNDA_VIA_REASON: 'already_sent' });
    expect(await a.call('hubsoft-unlock', CARLOS_PHONE, 'a1')).to.include({ HUBSOFT_DESBLOQUEIO_STATUS: 'denied', HUBSOFT_DESBLOQUEIO_REASON: 'daily_cap' });
    // A new call the same day: the caps were not reset.
    await a.call('hubsoft-identify', CARLOS_PHONE, 'b1');
    expect(await a.call('hubsoft-second-copy', CARLOS_PHONE, 'b1', 'email')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'denied', HUBSOFT_SEGUNDA_VIA_REASON: 'daily_cap' });
    expect(await a.call('hubsoft-confirm', CARLOS_PHONE, 'b1', '998')).to.include({ HUBSOFT_CONFIRMACAO_REASON: 'too_many_attempts', HUBSOFT_CONFIRMACAO_RESTANTES: '0' });

    a = await restart();
    await a.call('hubsoft-identify', CARLOS_PHONE, 'c1');
    expect(await a.call('hubsoft-confirm', CARLOS_PHONE, 'c1', '123')).to.include({ HUBSOFT_CONFIRMACAO_STATUS: 'denied', HUBSOFT_CONFIRMACAO_REASON: 'too_many_attempts' });
    expect(a.hubsoft.selfService.sends).to.have.length(0);
    expect(a.hubsoft.selfService.unlocks).to.have.length(0);

    // The next Sao Paulo day (00:00 UTC-3 = 03:00 UTC) starts from zero; the calls of yesterday have expired.
    clock.advance(12 * 3600 * 1000 + 1000);
    a = await restart();
    expect(a.selfService.protocolFor('a1')).to.equal(null);
    await a.call('hubsoft-identify', CARLOS_PHONE, 'd1');
    expect(await a.call('hubsoft-confirm', CARLOS_PHONE, 'd1', '123')).to.include({ HUBSOFT_CONFIRMACAO_STATUS: 'ok' });
    expect(await a.call('hubsoft-second-copy', CARLOS_PHONE, 'd1', 'sms')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'ok' });
    expect(await a.call('hubsoft-unlock', CARLOS_PHONE, 'd1')).to.include({ HUBSOFT_DESBLOQUEIO_STATUS: 'ok' });
  });

  it('holds the counts of the Sao Paulo day (UTC-3) and no digits typed', async () => {
    const day = Math.floor((clock.now() - 3 * 3600 * 1000) / 86_400_000);
    const a = await restart();
    await a.call('hubsoft-identify', CARLOS_PHONE, 'e1');
    await a.call('hubsoft-confirm', CARLOS_PHONE, 'e1', '987');
    await a.selfService.flush();
    const saved = JSON.parse(readFileSync(join(dir, 'self-service.json'), 'utf8')) as { counters: unknown[]; calls: unknown[] };
    expect(saved.counters).to.deep.equal([
      ['confirm-fail:client:11208', day, 1],
      [`confirm-fail:caller:${CARLOS_PHONE}`, day, 1],
    ]);
    expect(JSON.stringify(saved)).not.to.include('987');
  });

  it('a state dir that cannot be written: logged once, the IVR goes on in memory', async () => {
    const blocked = join(dir, 'not-a-dir');
    writeFileSync(blocked, 'x');
    const { logger, lines } = capturingLogger();
    h = await startHarness({ now: clock.now, stateDir: join(blocked, 'state'), logger });
    await h.call('hubsoft-identify', CARLOS_PHONE, 'f1');
    expect(await h.call('hubsoft-confirm', CARLOS_PHONE, 'f1', '123')).to.include({ HUBSOFT_CONFIRMACAO_STATUS: 'ok' });
    expect(await h.call('hubsoft-second-copy', CARLOS_PHONE, 'f1', 'sms')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'ok' });
    await h.selfService.flush();
    expect(lines.filter((l) => String(l.msg).startsWith('self-service state cannot be saved'))).to.have.length(1);
  });

  it('a damaged file is ignored with an error, and the IVR starts clean', async () => {
    writeFileSync(join(dir, 'self-service.json'), '{"v":1,"counters":[');
    const { logger, lines } = capturingLogger();
    const a = await restart(caps, logger);
    expect(await a.call('hubsoft-identify', CARLOS_PHONE, 'g1')).to.include({ HUBSOFT_IDENTIFICACAO_STATUS: 'ok' });
    expect(lines.filter((l) => String(l.msg).includes('damaged'))).to.have.length(1);
  });

  it('DailyCounters stays bounded: other days go first, then the least recently counted', () => {
    const day = fakeClock(Date.UTC(2024, 2, 12, 15));
    const counters = new DailyCounters({ now: day.now, maxEntries: 3 });
    counters.add('old');
    day.advance(24 * 3600 * 1000);
    for (const key of ['a', 'b', 'c', 'd']) counters.add(key);
    expect(counters.entries().map(([key]) => key)).to.deep.equal(['b', 'c', 'd']);
    expect(counters.used('old')).to.equal(0);
  });
});
