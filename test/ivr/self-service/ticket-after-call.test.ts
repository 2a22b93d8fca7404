import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { TicketAfterCall } from '../../../src/bridge/crm-port.js';
import { HubsoftCrm } from '../../../src/bridge/hubsoft-crm.js';
import { notifySchema, type Config } from '../../../src/config/schema.js';
import { CustomerLookup } from '../../../src/hubsoft/customers.js';
import { PbxApi } from '../../../src/hubsoft/pbx.js';
import { silentLogger } from '../../../src/log/logger.js';
import { Delivery } from '../../../src/outbox/delivery.js';
import { testClient, testConfig } from '../../hubsoft/helpers.js';
import { startFakeHubsoft, type FakeHubsoft } from '../../support/fake-hubsoft.js';
import { selfServiceClients } from '../../support/sample-clients.js';
import { startHarness, type Harness } from './harness.js';

const CARLOS_PHONE = '37998001122';
const TEMPLATE = 'https://pbx.example/rec/{uniqueid}.wav';

/**
 * Issue 17 item 5: the ticket self-service opened is edited when the call ends (3.2 PUT), through the daemon's
 * delivery (journal + dispatcher + HubsoftCrm), against the fake HubSoft.
 */
describe('ivr/self-service: the ticket edit after the call (hubsoft-call-end -> outbox -> PUT atendimento)', () => {
  let hubsoft: FakeHubsoft;
  let dir: string;
  let h: Harness | undefined;
  let delivery: Delivery | undefined;
  let crm: HubsoftCrm;
  /** Every job outcome Delivery reported, as the daemon's metrics see it: `<route> <outcome>`. */
  let results: string[] = [];

  const startDelivery = async (): Promise<Delivery> => {
    results = [];
    const base = testConfig(hubsoft);
    const config: Config = {
      ...base,
      notify: notifySchema.parse({ retryInitialMs: 20, retryMaxMs: 40, retryDeadlineMs: 300 }),
      state: { ...base.state, dir, outbox: { ...base.state.outbox, fsync: false } },
    };
    const api = testClient(config);
    const logger = silentLogger();
    crm = new HubsoftCrm({ lookup: new CustomerLookup({ client: api, config: config.lookup, logger }), pbx: new PbxApi(api), config, logger, atendimento: api });
    const d = new Delivery({ config, logger, sender: crm, registry: new Registry(), onResult: (route, outcome) => results.push(`${route} ${outcome}`) });
    await d.start();
    delivery = d;
    h = await startHarness({
      hubsoft,
      stateDir: dir,
      selfService: { recordingUrlTemplate: TEMPLATE },
      onCallEnd: (ticket) => {
        const request = crm.prepareTicketEdit(ticket);
        if (request) d.durable.submit(request, { createdAt: Date.now() });
        return request !== null;
      },
    });
    return d;
  };
  const stop = async (): Promise<void> => {
    await h?.close();
    await delivery?.stop(200);
    h = undefined;
    delivery = undefined;
  };
  /** Identified, confirmed, protocol opened: the ticket of this call. */
  const withTicket = async (linkedid: string): Promise<number> => {
    await h!.call('hubsoft-identify', CARLOS_PHONE, linkedid);
    await h!.call('hubsoft-confirm', CARLOS_PHONE, linkedid, '123');
    expect(await h!.call('hubsoft-protocol', CARLOS_PHONE, linkedid)).to.include({ HUBSOFT_PROTOCOLO_STATUS: 'ok' });
    return hubsoft.selfService.atendimentos.at(-1)!.id_atendimento;
  };
  const puts = () => hubsoft.requests.filter((r) => r.method === 'PUT');

  beforeEach(async () => {
    hubsoft = await startFakeHubsoft({ clients: selfServiceClients() });
    dir = mkdtempSync(join(tmpdir(), 'ticket-edit-'));
  });
  afterEach(async () => {
    await stop();
    await hubsoft.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resolved in the IVR, no agent asked for: one PUT to the id_atendimento with the call facts and fechar_atendimento true', async () => {
    await startDelivery();
    const id = await withTicket('t1');
    expect(await h!.call('hubsoft-second-copy', CARLOS_PHONE, 't1', 'sms')).to.include({ HUBSOFT_SEGUNDA_VIA_STATUS: 'ok' });
    expect(await h!.call('hubsoft-call-end', CARLOS_PHONE, 't1', '0', '08007001234')).to.include({ HUBSOFT_FIM_STATUS: 'ok', HUBSOFT_ATENDIMENTO_FECHAR: '1' });
    await hubsoft.waitFor(() => hubsoft.selfFix.ticketEdits.length === 1);
    const [edit] = hubsoft.selfFix.ticketEdits;
    expect(puts()[0]!.path).to.equal(`/api/v1/integracao/atendimento/${id}`);
    expect(edit).to.deep.include({ id_atendimento: id, fechar_atendimento: true });
    expect(edit!.parametros).to.deep.include({
      origem: 'hubsoft-pbx-bridge',
      linkedid: 't1',
      protocolo: hubsoft.selfService.atendimentos[0]!.protocolo,
      telefone: CARLOS_PHONE,
      did: '08007001234',
      resolvido_na_ura: 'sim',
      pediu_atendente: 'nao',
      // {uniqueid}: agi_uniqueid of the channel that ran hubsoft-call-end (the fake AGI client's).
      url_ligacao: 'https://pbx.example/rec/1712345678.42.wav',
      ura_opcoes: 'identify:ok, confirm:ok, protocol:ok, second-copy:ok',
    });
    expect(edit!.parametros.duracao_segundos).to.be.a('number');
    // A second hubsoft-call-end (h extension and hangup handler both wired): nothing more queued.
    expect(await h!.call('hubsoft-call-end', CARLOS_PHONE, 't1', '0')).to.include({ HUBSOFT_FIM_STATUS: 'ok', HUBSOFT_FIM_REASON: 'already_queued' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(puts()).to.have.length(1);
  });

  it('the ticket stays open when the caller asked for an agent, or when nothing was resolved', async () => {
    await startDelivery();
    await withTicket('t2');
    await h!.call('hubsoft-second-copy', CARLOS_PHONE, 't2', 'sms');
    expect(await h!.call('hubsoft-call-end', CARLOS_PHONE, 't2', '1')).to.include({ HUBSOFT_FIM_STATUS: 'ok', HUBSOFT_ATENDIMENTO_FECHAR: '0' });
    await withTicket('t3');
    await h!.call('hubsoft-invoices', CARLOS_PHONE, 't3');
    expect(await h!.call('hubsoft-call-end', CARLOS_PHONE, 't3', '0')).to.include({ HUBSOFT_FIM_STATUS: 'ok', HUBSOFT_ATENDIMENTO_FECHAR: '0' });
    await hubsoft.waitFor(() => hubsoft.selfFix.ticketEdits.length === 2);
    expect(hubsoft.selfFix.ticketEdits.map((e) => [e.fechar_atendimento, e.parametros.pediu_atendente, e.parametros.resolvido_na_ura])).to.deep.equal([
      [false, 'sim', 'sim'],
      [false, 'nao', 'nao'],
    ]);
  });

  it('no ticket in the call: notfound, nothing queued', async () => {
    await startDelivery();
    await h!.call('hubsoft-identify', CARLOS_PHONE, 't4');
    expect(await h!.call('hubsoft-call-end', CARLOS_PHONE, 't4', '0')).to.include({ HUBSOFT_FIM_STATUS: 'notfound', HUBSOFT_FIM_REASON: 'no_ticket' });
    expect(delivery!.durable.stats().journaled).to.equal(0);
  });

  it('HubSoft down when the call ends, then up: the edit is delivered once', async () => {
    await startDelivery();
    await withTicket('t5');
    hubsoft.failNext(1000, 'status503');
    expect(await h!.call('hubsoft-call-end', CARLOS_PHONE, 't5', '0')).to.include({ HUBSOFT_FIM_STATUS: 'ok' });
    await hubsoft.waitFor(() => puts().length >= 3);
    expect(hubsoft.selfFix.ticketEdits).to.have.length(0);
    hubsoft.clearFailures();
    await hubsoft.waitFor(() => hubsoft.selfFix.ticketEdits.length === 1, 3000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hubsoft.selfFix.ticketEdits).to.have.length(1);
    expect(delivery!.durable.stats().outbox?.pending).to.equal(0);
    expect(results, 'counted under its own route, not as a cancelar').to.include('editar_atendimento sent');
  });

  it('HubSoft down across a bridge restart: the journaled edit is sent after the restart, once', async () => {
    await startDelivery();
    const id = await withTicket('t6');
    hubsoft.failNext(1000, 'status503');
    await h!.call('hubsoft-call-end', CARLOS_PHONE, 't6', '0');
    await hubsoft.waitFor(() => puts().length >= 1);
    await stop(); // the edit is still in the journal
    hubsoft.clearFailures();
    await startDelivery();
    await hubsoft.waitFor(() => hubsoft.selfFix.ticketEdits.length === 1, 3000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hubsoft.selfFix.ticketEdits.map((e) => e.id_atendimento)).to.deep.equal([id]);
    // The restarted IVR remembers the call ended: a late second call-end queues nothing.
    expect(await h!.call('hubsoft-call-end', CARLOS_PHONE, 't6', '0')).to.include({ HUBSOFT_FIM_REASON: 'already_queued' });
  });

  it('a ticket HubSoft refuses to edit (already closed) is not retried and holds nothing up', async () => {
    const d = await startDelivery();
    await withTicket('t7');
    await h!.call('hubsoft-second-copy', CARLOS_PHONE, 't7', 'sms');
    await h!.call('hubsoft-call-end', CARLOS_PHONE, 't7', '0');
    await hubsoft.waitFor(() => hubsoft.selfFix.ticketEdits.length === 1);
    // The same edit again (a replay after a crash between send and ack): HubSoft says the ticket is closed.
    d.durable.submit(crm.prepareTicketEdit(sampleTicket(hubsoft.selfFix.ticketEdits[0]!.id_atendimento))!, { createdAt: Date.now() });
    await hubsoft.waitFor(() => puts().length === 2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(puts()).to.have.length(2);
    expect(d.durable.stats().refused).to.equal(1);
    expect(d.durable.stats().outbox?.pending).to.equal(0);
  });
});

function sampleTicket(id_atendimento: number): TicketAfterCall {
  return {
    linkedid: 'x',
    id_atendimento,
    protocolo: '1',
    callerNumber: CARLOS_PHONE,
    did: '',
    durationSeconds: 1,
    commands: [],
    recordingUrl: null,
    resolved: true,
    agentRequested: false,
    close: true,
  };
}
