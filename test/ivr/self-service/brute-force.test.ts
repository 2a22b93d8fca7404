import { expect } from 'chai';
import { startHarness, type Harness } from './harness.js';
import { capturingLogger } from '../../support/capturing-logger.js';

const CARLOS_PHONE = '37998001122';

/**
 * Issue 13: the confirmation digits brute-forced over FastAGI, each guess in a session with a fresh linkedid
 * (any local process, or a caller spoofing caller ID over many calls). The failures are counted per client and
 * per calling number per day, not per linkedid.
 */
describe('ivr/self-service: brute force of the confirmation digits', function () {
  this.timeout(60000);
  let h: Harness;
  afterEach(() => h.close());

  it('200 FastAGI sessions with fresh linkedids: at most the daily cap of attempts is checked, no unlock', async () => {
    const { logger, lines } = capturingLogger();
    h = await startHarness({ logger, selfService: { confirmFailuresPerClientPerDay: 5 } });
    const reasons: string[] = [];
    const guess = async (i: number): Promise<void> => {
      const linkedid = `attack-${i}`;
      await h.call('hubsoft-identify', CARLOS_PHONE, linkedid);
      // 100..299: the right digits (123) come 24th, well past the cap.
      const vars = await h.call('hubsoft-confirm', CARLOS_PHONE, linkedid, String(100 + i));
      reasons.push(vars.HUBSOFT_CONFIRMACAO_REASON ?? '');
      if (vars.HUBSOFT_CONFIRMACAO_STATUS === 'ok') await h.call('hubsoft-unlock', CARLOS_PHONE, linkedid);
    };
    // Eight sessions at a time: the cap must hold when guesses race.
    for (let i = 0; i < 200; i += 8) await Promise.all(Array.from({ length: 8 }, (_, k) => guess(i + k)));

    expect(reasons).to.have.length(200);
    expect(new Set(reasons)).to.deep.equal(new Set(['wrong_digits', 'too_many_attempts']));
    expect(reasons.filter((r) => r === 'wrong_digits').length, 'guesses answered wrong_digits').to.be.at.most(5);
    expect(h.hubsoft.requests.filter((r) => r.path.endsWith('/desbloqueio_confianca'))).to.have.length(0);
    const attempts = lines.filter((l) => String(l.msg).startsWith('self-service confirmation'));
    expect(attempts.filter((l) => l.result === 'wrong'), 'attempts checked (logged)').to.have.length(5);
    expect(attempts.filter((l) => l.result === 'confirmed')).to.have.length(0);
    expect(attempts.every((l) => l.caller === CARLOS_PHONE)).to.equal(true);
    // The right digits afterwards, in yet another call: still refused today.
    await h.call('hubsoft-identify', CARLOS_PHONE, 'attack-last');
    expect(await h.call('hubsoft-confirm', CARLOS_PHONE, 'attack-last', '123')).to.include({ HUBSOFT_CONFIRMACAO_STATUS: 'denied', HUBSOFT_CONFIRMACAO_REASON: 'too_many_attempts' });
  });

  it('a new linkedid does not reset the failure count (per client)', async () => {
    h = await startHarness({ selfService: { confirmFailuresPerClientPerDay: 4 } });
    await h.call('hubsoft-identify', CARLOS_PHONE, 'n1');
    await h.call('hubsoft-confirm', CARLOS_PHONE, 'n1', '000');
    expect(await h.call('hubsoft-confirm', CARLOS_PHONE, 'n1', '001')).to.include({ HUBSOFT_CONFIRMACAO_REASON: 'wrong_digits', HUBSOFT_CONFIRMACAO_RESTANTES: '1' });
    await h.call('hubsoft-identify', CARLOS_PHONE, 'n2');
    expect(await h.call('hubsoft-confirm', CARLOS_PHONE, 'n2', '002')).to.include({ HUBSOFT_CONFIRMACAO_REASON: 'wrong_digits', HUBSOFT_CONFIRMACAO_RESTANTES: '1' });
    expect(await h.call('hubsoft-confirm', CARLOS_PHONE, 'n2', '003')).to.include({ HUBSOFT_CONFIRMACAO_REASON: 'too_many_attempts', HUBSOFT_CONFIRMACAO_RESTANTES: '0' });
    await h.call('hubsoft-identify', CARLOS_PHONE, 'n3');
    expect(await h.call('hubsoft-confirm', CARLOS_PHONE, 'n3', '123')).to.include({ HUBSOFT_CONFIRMACAO_REASON: 'too_many_attempts' });
  });

  it('the calling number has its own daily cap', async () => {
    h = await startHarness({ selfService: { confirmFailuresPerClientPerDay: 20, confirmFailuresPerCallerPerDay: 2 } });
    for (const linkedid of ['k1', 'k2']) {
      await h.call('hubsoft-identify', CARLOS_PHONE, linkedid);
      await h.call('hubsoft-confirm', CARLOS_PHONE, linkedid, '000');
    }
    await h.call('hubsoft-identify', CARLOS_PHONE, 'k3');
    expect(await h.call('hubsoft-confirm', CARLOS_PHONE, 'k3', '123')).to.include({ HUBSOFT_CONFIRMACAO_REASON: 'too_many_attempts' });
  });
});
