import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { expectedHubsoft, type FixtureName } from '../support/expected-flows.js';
import { splitTranscript, startHarness, type Harness, type PbxRequest } from '../support/bridge-harness.js';
import { loadFixture } from '../support/transcript.js';

/** Per ramal+telefone, the routes in order: all the dispatcher guarantees across concurrent rings. */
function perRing(requests: readonly { route: string; ramal?: unknown; telefone?: unknown }[]): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const r of requests) (groups[`${String(r.ramal)}/${String(r.telefone ?? '')}`] ??= []).push(r.route);
  return groups;
}

function flatten(requests: readonly PbxRequest[]) {
  return requests.map((r) => ({ route: r.route, ramal: r.body.ramal, telefone: r.body.telefone }));
}

/** Fixtures whose meaning depends on a gap longer than the re-ring grace: where to pause. */
const PAUSES: Partial<Record<FixtureName, { before: (frame: Readonly<Record<string, string>>) => boolean; nth: number }>> = {
  queue_rrmemory_rering: { before: (f) => f.Event === 'AgentCalled' && (f.Interface ?? '').includes('1002'), nth: 1 },
};

describe('call flows end to end (fake Asterisk over TCP -> bridge -> fake HubSoft over HTTP)', function () {
  this.timeout(20000);
  let harness: Harness;

  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness.close();
  });

  for (const [name, expected] of Object.entries(expectedHubsoft) as [FixtureName, (typeof expectedHubsoft)[FixtureName]][]) {
    const file = new URL(`../fixtures/ami/${name}.ami`, import.meta.url);
    it(`${name}: HubSoft receives exactly the expected notificar/cancelar`, async function () {
      expect(existsSync(file), `fixture ${name}.ami is missing: a flow without its transcript proves nothing`).to.equal(true);
      const before = harness.pbxRequests().length;
      const pause = PAUSES[name];
      if (pause) {
        // The agent is rung again well after the re-ring grace: a new window, not the old one.
        const [head, tail] = splitTranscript(loadFixture(name), pause.before, pause.nth);
        await harness.play(head);
        await new Promise((resolve) => setTimeout(resolve, harness.config.calls.reringGraceMs * 2));
        await harness.play(tail);
      } else {
        await harness.play(loadFixture(name));
      }
      await harness.settle();
      const got = flatten(harness.pbxRequests().slice(before));
      expect(perRing(got)).to.deep.equal(perRing(expected));
      expect(harness.daemon.bridge.tracker.stats().liveCalls).to.equal(0);
    });
  }

  it('ids go with a found client: the sample client calling in gets id_cliente, codigo_cliente and call context', async () => {
    // A fresh bridge: Asterisk never reuses a Linkedid, so the tracker ignores a replayed call it already ended.
    const fresh = await startHarness();
    try {
      await fresh.play(loadFixture('s4c_queue_localmembers_answered'));
      await fresh.settle();
      const notify = fresh.pbxRequests().find((r) => r.route === 'notificar' && r.body.ramal === '1001');
      expect(notify?.body).to.include({ ramal: '1001', telefone: '37999912222' });
      expect(notify?.body).to.have.property('id_cliente').that.is.a('number');
      expect(notify?.body).to.have.property('codigo_cliente').that.is.a('number');
      expect(notify?.body.ligacao_params).to.deep.equal({
        linkedid: '1795457156.15',
        did: '3732220702',
        queue: 'suporte-local',
        member: 'Local/1001@from-queue/n',
        // The caller context (context.enabled): the sample client has no open ticket, work order or overdue invoice.
        status_servico: 'habilitado',
      });
      const cancel = fresh.pbxRequests().find((r) => r.route === 'cancelar');
      expect(cancel?.body).to.deep.equal(notify?.body, 'a cancel repeats its notify');
    } finally {
      await fresh.close();
    }
  });
});

describe('ordering under load: a cancel never reaches HubSoft before its notify was answered', function () {
  this.timeout(30000);

  it('concurrency 8, HubSoft answering slowly, every flow at once', async () => {
    const harness = await startHarness({ config: { notify: { concurrency: 8 } } });
    try {
      harness.hubsoft.setDelay(40);
      const names = (Object.keys(expectedHubsoft) as FixtureName[]).filter((name) => !PAUSES[name]);
      for (const name of names) await harness.play(loadFixture(name));
      await harness.settle(20000);
      const pbx = harness.hubsoft.requests.filter((r) => r.path.includes('/pbx/ligacao/'));
      const notifies = new Map<string, number>();
      let cancels = 0;
      let inFlightPeak = 0;
      for (const request of pbx) {
        const body = request.body as { ramal: string; telefone?: string; ligacao_params: { linkedid: string } };
        const key = `${body.ligacao_params.linkedid}/${body.ramal}`;
        if (request.path.endsWith('notificar')) notifies.set(key, request.at);
        else {
          cancels += 1;
          const notifiedAt = notifies.get(key);
          expect(notifiedAt, `cancel of ${key} without an earlier notify`).to.be.a('number');
          expect(request.at - notifiedAt!, `cancel of ${key} overtook its notify's answer`).to.be.at.least(40);
        }
        inFlightPeak = Math.max(inFlightPeak, pbx.filter((r) => r.at <= request.at && r.at + 40 > request.at).length);
      }
      expect(cancels).to.be.greaterThan(10);
      expect(inFlightPeak, 'requests overlapped: the queue really ran concurrently').to.be.greaterThan(1);
    } finally {
      await harness.close();
    }
  });
});
