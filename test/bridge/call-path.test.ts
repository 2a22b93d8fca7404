import { expect } from 'chai';
import { CallPath, type PathJob } from '../../src/bridge/call-path.js';
import type { CrmPort } from '../../src/bridge/crm-port.js';
import type { CallInfo } from '../../src/calls/types.js';
import type { LookupResult } from '../../src/hubsoft/types.js';
import { silentLogger } from '../../src/log/logger.js';
import { startHarness, until } from '../support/bridge-harness.js';
import { loadFixture } from '../support/transcript.js';

const call: CallInfo = { linkedid: '1795460000.1', callerNumber: '37999912222', callerName: '', did: '', direction: 'inbound', callerChannel: 'PJSIP/trunk-00000001' };
const notFound: LookupResult = { status: 'notfound', raw: '37999912222', phone: '37999912222', candidates: ['37999912222'], clients: [], client: null };

/** A CRM double that prepares an empty request keyed by the extension and sends nothing. */
function keyedCrm(lookupCaller: () => Promise<LookupResult>): CrmPort {
  return {
    lookupCaller,
    prepareRinging: (r) => ({ route: 'notificar', kind: 'notify', key: r.extension, body: {} }),
    prepareStopped: (r) => ({ route: 'cancelar', kind: 'cancel', key: r.extension, body: {} }),
    send: async () => undefined,
    isRetryable: () => false,
  };
}

describe('CallPath: order of a ring key', () => {
  it('an extension rung again while the lookup is still running: notify, its cancel, then the new notify', async () => {
    let answer: (result: LookupResult) => void = () => undefined;
    const lookup = new Promise<LookupResult>((resolve) => (answer = resolve));
    const queued: PathJob[] = [];
    const path = new CallPath({
      crm: keyedCrm(() => lookup),
      queue: { enqueue: (job) => void queued.push(job) },
      logger: silentLogger(),
      lookupBudgetMs: 60_000,
    });
    path.handle([
      { type: 'ringing', call, extension: '1001', context: {}, at: 0 },
      { type: 'stopped', call, extension: '1001', reason: 'missed', at: 1 },
      { type: 'ringing', call, extension: '1001', context: {}, at: 2 },
    ]);
    answer(notFound);
    await until(() => queued.length === 3 && path.stats().waitingForLookup === 0, 2000, 'the requests to be queued');
    expect(queued.map((job) => `${job.request.kind}@${job.createdAt}`)).to.deep.equal(['notify@0', 'cancel@1', 'notify@2']);
  });
});

describe('CallPath: a window is on disk before its notify can reach HubSoft', () => {
  it('the notify is queued only once the ring log has the window (a crash after HubSoft opened it must not lose it)', async () => {
    let written: () => void = () => undefined;
    const durable = new Promise<void>((resolve) => (written = resolve));
    const queued: PathJob[] = [];
    const logged: string[] = [];
    const path = new CallPath({
      crm: keyedCrm(async () => notFound),
      queue: { enqueue: (job) => void queued.push(job) },
      logger: silentLogger(),
      lookupBudgetMs: 60_000,
      ringLog: {
        opened: (key) => {
          logged.push(`opened ${key}`);
          return durable;
        },
        closed: (key) => void logged.push(`closed ${key}`),
      },
    });
    path.handle([{ type: 'ringing', call, extension: '1001', context: {}, at: 0 }]);
    await until(() => logged.length === 1, 2000, 'the window to be logged');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(queued, 'nothing queued while the window is not on disk').to.deep.equal([]);
    expect(path.stats().waitingForLookup).to.equal(1);
    path.handle([{ type: 'stopped', call, extension: '1001', reason: 'missed', at: 1 }]);
    written();
    await until(() => queued.length === 2, 2000, 'the notify and its cancel');
    expect(queued.map((job) => job.request.kind)).to.deep.equal(['notify', 'cancel']);
    expect(logged).to.deep.equal(['opened 1795460000.1/1001', 'closed 1795460000.1/1001']);
  });
});

describe('CallPath: a small lookup.budgetMs against a slow HubSoft (real daemon, fake Asterisk and HubSoft)', function () {
  this.timeout(20_000);

  it('lookup.budgetMs 50 with HubSoft searches taking 1.5 s: the notify goes on time, with the phone and without ids', async () => {
    const harness = await startHarness({ config: { lookup: { budgetMs: 50 } } });
    try {
      harness.hubsoft.setLookupDelay(1500);
      await harness.play(loadFixture('s1_direct_answered'));
      await until(() => harness.pbxRequests().some((r) => r.route === 'notificar'), 5000, 'the notify');
      const requests = harness.hubsoft.requests;
      const firstSearch = requests.find((r) => r.path.endsWith('/cliente'));
      const notify = requests.find((r) => r.path.endsWith('/notificar'));
      expect(firstSearch, 'the caller was looked up').to.not.equal(undefined);
      // The search started before the ring (lookup ahead); the notify left within the budget of the ring,
      // long before HubSoft answered the search (1.5 s). The margin is for a loaded test machine.
      expect(notify!.at - firstSearch!.at, 'ms from the search to the notify').to.be.below(600);
      const body = notify!.body as Record<string, unknown>;
      expect(body.telefone).to.equal('37999912222');
      expect(body).to.not.have.property('id_cliente');
      expect(body).to.not.have.property('codigo_cliente');
      await harness.settle(8000);
    } finally {
      await harness.close();
    }
  });
});
