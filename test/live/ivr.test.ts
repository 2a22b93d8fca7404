import { expect } from 'chai';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { pushAlertVariables } from '../../src/ivr/setvar.js';
import { until } from '../support/bridge-harness.js';
import { startFakeHubsoft, type FakeHubsoft } from '../support/fake-hubsoft.js';
import { BEATRIZ, CARLOS, JOAO, MARIA, selfServiceClients, type FakeClient } from '../support/sample-clients.js';
import type { AmiFrame } from '../support/transcript.js';
import { LiveAsterisk } from './support/asterisk.js';
import { CallLab } from './support/call-lab.js';
import { livePrefix } from './support/hooks.js';
import { DID, extensionsCustom, sayPrompts, uraPrompts, uraSnippet } from './support/ivr-dialplan.js';
import { LiveBridge } from './support/live-bridge.js';
import { freeTcpPort } from './support/ports.js';
import type { RawAmi } from './support/raw-ami.js';

/**
 * The bridge's IVR side against a live Asterisk 22 (FreePBX-shaped): the AMI alert push read by the project's
 * own hubsoft-alerts snippet, header injection through alert texts and through the bridge's AMI action path,
 * the FastAGI lookup (and the call going on without it), and the self-service URA driven by DTMF from SIPp.
 */

/** A client whose HubSoft alert texts try to break out of the Setvar frame (CRLF, bare LF, bare CR). */
const INJETADO = {
  ...structuredClone(MARIA),
  id_cliente: 11290,
  codigo_cliente: 490,
  nome_razaosocial: 'INJETADO\r\nAction: Originate\r\nChannel: Local/1001@from-internal',
  cpf_cnpj: '52998224725',
  telefone_primario: '37988990011',
  email_principal: null,
  alerta: true,
  alerta_mensagens: [
    // CRLF: a whole second action after an empty line (the first frame ends early).
    'Fibra rompida\r\n\r\nAction: Originate\r\nChannel: Local/1001@from-internal\r\nApplication: Wait\r\nData: 1\r\nVariable: X=1\r\nActionID: x\r\n\r\nAction: Setvar\r\nVariable: INJ_GLOBAL_CRLF\r\nValue: 1',
    // Bare LF: Asterisk's manager ends a header line there too.
    'Manutencao programada\nVariable: INJ_LF=1\nActionID: x\n\nAction: Setvar\nVariable: INJ_GLOBAL_LF\nValue: 1',
    // Bare CR.
    'Instabilidade\rAction: Originate\rChannel: Local/1002@from-internal\rApplication: Wait\rVariable: X=1\rActionID: x\r\rAction: Setvar\rVariable: INJ_GLOBAL_CR\rValue: 1',
  ],
} satisfies FakeClient;

/** Names an injection would have set, on the channel or globally. */
const INJECTED_NAMES = ['X', 'INJ_LF', 'INJ_GLOBAL_CRLF', 'INJ_GLOBAL_LF', 'INJ_GLOBAL_CR', 'INJECTED', 'INJECTED2'];

/** What a value must become: one line, control runs as one space (what reaches the dialplan). */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** A text the dialplan reported with its commas as %2C. */
const unescaped = (value: string | undefined): string => (value ?? '').replace(/%2C/g, ',');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP relay between the bridge and the AMI that keeps every byte the bridge wrote. */
class AmiTap {
  readonly written: Buffer[] = [];
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server) {}

  static async start(target: number): Promise<AmiTap> {
    let tap: AmiTap | undefined;
    const server = createServer((client) => tap?.relay(client, target));
    tap = new AmiTap(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return tap;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  text(): string {
    return Buffer.concat(this.written).toString('utf8');
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket, target: number): void {
    const upstream = connect({ host: '127.0.0.1', port: target });
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('data', (chunk: Buffer) => this.written.push(chunk));
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }
}

describe('live IVR on a FreePBX-shaped Asterisk 22: alerts over AMI and FastAGI, injection, the self-service URA', function () {
  this.timeout(45000);
  let asterisk: LiveAsterisk | undefined;
  let bridge: LiveBridge | undefined;
  let hubsoft: FakeHubsoft | undefined;
  let tester: RawAmi | undefined;
  let tap: AmiTap | undefined;
  let lab: CallLab | undefined;
  const agi = { port: 0, closedPort: 0, deadlineMs: 1500 };

  before(async function () {
    this.timeout(60000);
    const prefix = livePrefix(this);
    agi.port = await freeTcpPort();
    agi.closedPort = await freeTcpPort();
    hubsoft = await startFakeHubsoft({ clients: [...selfServiceClients(), structuredClone(INJETADO)] });
    const ura = uraSnippet(agi.port, prefix);
    if (ura.sayUnixTimeStandIn) process.stdout.write('    (this Asterisk build has no app_sayunixtime: the URA reads no dates, NoOp stands in)\n');
    asterisk = await LiveAsterisk.create({
      prefix,
      variant: 'freepbx',
      files: {
        'extensions_custom.conf': extensionsCustom({ agiPort: agi.port, closedPort: agi.closedPort }),
        'ura-hubsoft.conf': ura.text,
      },
      prompts: [...uraPrompts(), ...sayPrompts()],
    });
    await asterisk.start();
    tester = await asterisk.tester();
    tap = await AmiTap.start(asterisk.ports.ami);
    bridge = await LiveBridge.start(asterisk, {
      hubsoft,
      amiPort: tap.port,
      config: {
        agi: { enabled: true, host: '127.0.0.1', port: agi.port, deadlineMs: agi.deadlineMs },
        selfService: { enabled: true },
        log: { level: 'debug' },
      },
    });
  });

  afterEach(async function () {
    await lab?.stop();
    lab = undefined;
  });

  after(async function () {
    this.timeout(30000);
    await Promise.allSettled([lab?.stop()]);
    await Promise.allSettled([bridge?.close()]);
    await Promise.allSettled([tester?.logoff(), hubsoft?.close(), tap?.close()]);
    await asterisk?.destroy();
  });

  /** Events from now on only (earlier calls of the suite left theirs in tester.events). */
  function mark(): (match: (frame: AmiFrame) => boolean, timeoutMs: number, what: string) => Promise<AmiFrame> {
    const since = tester!.events.length;
    return (match, timeoutMs, what) => tester!.waitForEvent((frame) => tester!.events.indexOf(frame) >= since && match(frame), timeoutMs, what);
  }

  function since(): () => AmiFrame[] {
    const from = tester!.events.length;
    return () => tester!.events.slice(from);
  }

  /** Wraps a failure with the bridge and Asterisk log tails. */
  async function explained<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      await lab?.stop();
      throw new Error(
        `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n--- bridge log (tail):\n${bridge?.logs.slice(-25).join('\n')}\n--- asterisk log (tail):\n${asterisk?.logTail(40)}`,
      );
    }
  }

  /** Bridge log lines at warn or above from now on, but those listed as expected. */
  function bridgeWarnings(expected: readonly string[] = []): () => string[] {
    const from = bridge!.logs.length;
    return () =>
      bridge!.logs.slice(from).filter((line) => {
        const entry = JSON.parse(line) as { level: number; msg: string };
        return entry.level >= 40 && !expected.includes(entry.msg);
      });
  }

  const userEvent = (name: string, extra: (frame: AmiFrame) => boolean = () => true) => (frame: AmiFrame) =>
    frame.Event === 'UserEvent' && frame.UserEvent === name && extra(frame);

  it('1. alerts over AMI: the caller channel holds the HUBSOFT_* variables when hubsoft-alerts reads them, and while the call is up', async function () {
    await explained(async () => {
      const next = mark();
      const warnings = bridgeWarnings();
      lab = new CallLab(asterisk!);
      await lab.inbound(DID.alertsAmi, MARIA.telefone_primario, 'uac-call.xml', { TALK_MS: 3500 });
      const seen = await next(userEvent('HubsoftSeen', (f) => f.CallerNum === MARIA.telefone_primario), 10000, 'HubsoftSeen for MARIA');
      expect(seen.Channel, 'the trunk channel').to.match(/^PJSIP\/trunk-/);
      expect(seen.Lookup).to.equal('found');
      expect(seen.Alerta).to.equal('1');
      expect(seen.Total).to.equal(String(MARIA.alerta_mensagens.length));
      expect(unescaped(seen.A1)).to.equal(MARIA.alerta_mensagens[0]);
      expect(unescaped(seen.A2)).to.equal(MARIA.alerta_mensagens[1]);
      expect(unescaped(seen.A3)).to.equal('');
      expect(seen.IdCliente).to.equal(String(MARIA.id_cliente));
      expect(seen.CodigoCliente).to.equal(String(MARIA.codigo_cliente));
      expect(unescaped(seen.Nome)).to.equal(MARIA.nome_razaosocial);
      expect(seen.Som1, 'no sound rule, no TTS: no sound').to.equal('');

      // The same, asked over AMI while the call is still up.
      const channel = seen.Channel!;
      expect(await tester!.getvar(channel, 'HUBSOFT_LOOKUP')).to.equal('found');
      expect(await tester!.getvar(channel, 'HUBSOFT_ALERTA_TOTAL')).to.equal('2');
      expect(await tester!.getvar(channel, 'HUBSOFT_ALERTA_1')).to.equal(MARIA.alerta_mensagens[0]);
      expect(await tester!.getvar(channel, 'HUBSOFT_ALERTA_2')).to.equal(MARIA.alerta_mensagens[1]);
      expect(await tester!.getvar(channel, 'HUBSOFT_ID_CLIENTE')).to.equal(String(MARIA.id_cliente));
      // Pushed by the bridge: its Setvar actions named this channel.
      expect(tap!.text()).to.include(`Action: Setvar\r\n`).and.to.include(`Channel: ${channel}\r\nVariable: HUBSOFT_LOOKUP\r\nValue: found\r\n`);
      await lab.finish(20000);
      expect(warnings(), 'bridge warnings').to.deep.equal([]);
    });
  });

  it('2. injection: CR/LF, bare LF and bare CR in alert texts (and in a Setvar sent on the bridge connection) never become headers', async function () {
    await explained(async () => {
      const next = mark();
      const events = since();
      const logBefore = asterisk!.log().length;
      const tapBefore = tap!.text().length;
      const warnings = bridgeWarnings();
      lab = new CallLab(asterisk!);
      await lab.inbound(DID.alertsAmi, INJETADO.telefone_primario, 'uac-call.xml', { TALK_MS: 4500 });
      const seen = await next(userEvent('HubsoftSeen', (f) => f.CallerNum === INJETADO.telefone_primario), 10000, 'HubsoftSeen for INJETADO');
      const channel = seen.Channel!;
      expect(seen.Lookup).to.equal('found');
      expect(seen.Total).to.equal('3');
      // Each text arrived whole, as one line: the dialplan sees the "headers" as plain words.
      const texts = [unescaped(seen.A1), unescaped(seen.A2), unescaped(seen.A3)];
      texts.forEach((text, i) => {
        expect(text, `HUBSOFT_ALERTA_${i + 1}`).to.equal(oneLine(INJETADO.alerta_mensagens[i]!));
        expect(text).not.to.match(/[\r\n]/);
      });
      expect(unescaped(seen.Nome)).to.equal(oneLine(INJETADO.nome_razaosocial));
      expect(await tester!.getvar(channel, 'HUBSOFT_ALERTA_2')).to.equal(oneLine(INJETADO.alerta_mensagens[1]!));

      // The bridge's own action path, on its live connection: a bare LF and a whole second action in a value.
      // Value comes before Variable, so a header injected into it would name the variable (first header wins).
      const direct = 'antes\nVariable: INJECTED\nValue: 1\n\nAction: Setvar\nChannel: ' + channel + '\nVariable: INJECTED2\nValue: 1';
      const response = await bridge!.daemon.ami.send({ Action: 'Setvar', Channel: channel, Value: direct, Variable: 'HUBSOFT_DIRECT' });
      expect(response.response).to.equal('Success');
      expect(await tester!.getvar(channel, 'HUBSOFT_DIRECT')).to.equal(direct.replace(/[\r\n]+/g, ' '));
      // And through setvar.ts (what the alert push uses).
      const pushed = await pushAlertVariables(bridge!.daemon.ami, channel, [['HUBSOFT_PUSHED', 'depois\nVariable: INJECTED=1\r\nVariable: INJECTED\rValue: 1']]);
      expect(pushed).to.deep.equal({ set: 1, failed: 0, stopped: null });
      expect(await tester!.getvar(channel, 'HUBSOFT_PUSHED')).to.equal('depois Variable: INJECTED=1 Variable: INJECTED Value: 1');

      // Control: the same bytes written raw (RawAmi does not clean values) DO inject on this Asterisk.
      const raw = await tester!.action({ Action: 'Setvar', Channel: channel, Value: 'cru\nVariable: INJECTED_CONTROL', Variable: 'HUBSOFT_CONTROL' });
      expect(raw.Response).to.equal('Success');
      const control = await tester!.getvar(channel, 'INJECTED_CONTROL');
      // A bare CR does not end an AMI header on Asterisk 22, but lands raw inside the variable.
      await tester!.action({ Action: 'Setvar', Channel: channel, Value: 'cru\rVariable: INJECTED_CONTROL_CR', Variable: 'HUBSOFT_CONTROL_CR' });
      const controlCr = await tester!.getvar(channel, 'HUBSOFT_CONTROL_CR');

      for (const name of INJECTED_NAMES) {
        expect(await tester!.getvar(channel, name), `channel variable ${name}`).to.equal('');
        const global = await tester!.action({ Action: 'Getvar', Variable: name });
        expect(global.Value ?? '', `global variable ${name}`).to.equal('');
      }
      await lab.finish(20000);
      await sleep(300);

      // No Originate ran: the call made one channel (the trunk's), Asterisk logged no Originate.
      const created = events().filter((f) => f.Event === 'Newchannel').map((f) => f.Channel);
      expect(created, 'channels created during the call').to.have.length(1);
      expect(created[0]).to.match(/^PJSIP\/trunk-/);
      // (The dialplan's own "Executing" lines quote the alert texts: only the other lines count.)
      const logged = asterisk!.log().slice(logBefore).split('\n').filter((line) => !line.includes('pbx.c: Executing ['));
      expect(logged.filter((line) => /originate/i.test(line))).to.deep.equal([]);
      // Every line the bridge wrote ends in CRLF, and every Setvar it wrote holds exactly its own five headers.
      const wire = tap!.text().slice(tapBefore);
      expect(wire.replace(/\r\n/g, ''), 'a bare CR or LF on the wire').not.to.match(/[\r\n]/);
      const setvars = wire.split('\r\n\r\n').filter((frame) => frame.startsWith('Action: Setvar'));
      expect(setvars.length).to.be.greaterThan(8);
      for (const frame of setvars) {
        expect(frame.split('\r\n').map((line) => line.slice(0, line.indexOf(':'))), frame).to.deep.equal(
          frame.includes('Variable: HUBSOFT_DIRECT') ? ['Action', 'ActionID', 'Channel', 'Value', 'Variable'] : ['Action', 'ActionID', 'Channel', 'Variable', 'Value'],
        );
      }
      expect(wire).not.to.match(/^Action: Originate/m);
      expect(control, 'Asterisk 22 itself ends a header at a bare LF (why the bridge must clean values)').to.equal('cru');
      expect(controlCr, 'a bare CR written raw stays inside the value').to.equal('cru\rVariable: INJECTED_CONTROL_CR');
      expect(warnings(), 'bridge warnings').to.deep.equal([]);
    });
  });

  it('3a. FastAGI: hubsoft-lookup sets the variables for a known caller within agi.deadlineMs', async function () {
    await explained(async () => {
      const next = mark();
      const warnings = bridgeWarnings();
      // A Local caller: the AMI push goes to ;1, so what ;2 (running the dialplan) holds came over FastAGI.
      const answer = await tester!.action({
        Action: 'Originate',
        Channel: `Local/${DID.alertsAgi}@from-trunk`,
        CallerID: `"Maria" <${MARIA.telefone_primario}>`,
        Application: 'Wait',
        Data: '8',
        Async: 'true',
      });
      expect(answer.Response).to.equal('Success');
      const seen = await next(userEvent('HubsoftSeen', (f) => f.CallerNum === MARIA.telefone_primario), 10000, 'HubsoftSeen (FastAGI)');
      expect(seen.Channel).to.match(/^Local\/.*;2$/);
      expect(seen.AgiStatus).to.equal('SUCCESS');
      expect(seen.Lookup).to.equal('found');
      expect(seen.Total).to.equal('2');
      expect(unescaped(seen.A1)).to.equal(MARIA.alerta_mensagens[0]);
      expect(unescaped(seen.A2)).to.equal(MARIA.alerta_mensagens[1]);
      expect(seen.IdCliente).to.equal(String(MARIA.id_cliente));
      const took = Number(seen.T1) - Number(seen.T0);
      expect(took, 'AGI round trip (ms)').to.be.within(0, agi.deadlineMs);
      expect(bridge!.logs.some((line) => line.includes('FastAGI hubsoft-lookup done'))).to.equal(true);
      await tester!.action({ Action: 'Hangup', Channel: seen.Channel! });
      expect(warnings(), 'bridge warnings (a refused SET VARIABLE would show here)').to.deep.equal([]);
    });
  });

  it('3b. FastAGI: a HubSoft slower than agi.deadlineMs still answers in time (HUBSOFT_LOOKUP=error), the call goes on', async function () {
    await explained(async () => {
      const next = mark();
      hubsoft!.setLookupDelay(4000);
      try {
        await tester!.action({
          Action: 'Originate',
          Channel: `Local/${DID.alertsAgi}@from-trunk`,
          CallerID: `"Joao" <${JOAO.telefone_primario}>`,
          Application: 'Wait',
          Data: '8',
          Async: 'true',
        });
        const seen = await next(userEvent('HubsoftSeen', (f) => f.CallerNum === JOAO.telefone_primario), 10000, 'HubsoftSeen (slow HubSoft)');
        expect(seen.AgiStatus).to.equal('SUCCESS');
        expect(seen.Lookup).to.equal('error');
        const took = Number(seen.T1) - Number(seen.T0);
        expect(took, 'AGI round trip (ms)').to.be.within(agi.deadlineMs - 100, agi.deadlineMs + 600);
        await tester!.action({ Action: 'Hangup', Channel: seen.Channel! });
      } finally {
        hubsoft!.setLookupDelay(0);
      }
    });
  });

  it('3c. FastAGI with nobody listening: AGISTATUS=FAILURE at once, the dialplan goes on and the SIP call is not dropped', async function () {
    await explained(async () => {
      const next = mark();
      lab = new CallLab(asterisk!);
      const talkMs = 2500;
      await lab.inbound(DID.alertsAgiClosed, BEATRIZ.telefone_primario, 'uac-call.xml', { TALK_MS: talkMs });
      const seen = await next(userEvent('HubsoftSeen', (f) => f.CallerNum === BEATRIZ.telefone_primario), 10000, 'HubsoftSeen (AGI refused)');
      expect(seen.AgiStatus).to.equal('FAILURE');
      expect(Number(seen.T1) - Number(seen.T0), 'a refused connection fails fast (ms)').to.be.below(500);
      const seenAt = Date.now();
      const hangup = next((f) => f.Event === 'Hangup' && f.Channel === seen.Channel, 15000, 'Hangup of the caller');
      // SIPp got 200 OK after the failed AGI and hung up itself after TALK_MS (lab.finish fails on any other
      // ending): the call was not dropped.
      await lab.finish(20000);
      await hangup;
      expect(Date.now() - seenAt, 'the call stayed up (ms)').to.be.at.least(talkMs - 500);
    });
  });

  it('4. self-service URA (ura-hubsoft.conf): a caller identified by number confirms the CPF, gets a protocol, a second copy by SMS and a trust unlock', async function () {
    await explained(async () => {
      const events = since();
      const atendimentos = hubsoft!.selfService.atendimentos.length;
      const sends = hubsoft!.selfService.sends.length;
      const unlocks = hubsoft!.selfService.unlocks.length;
      const ticketEdits = hubsoft!.selfFix.ticketEdits.length;
      const warnings = bridgeWarnings();
      lab = new CallLab(asterisk!);
      // Keys, each pressed while the URA waits for one (DTMF during Playback or AGI is dropped), URA_GAP_MS apart:
      // 1 2 3 (the CPF's first three digits, asked right after identification by caller ID: the protocol and
      // the unlock need them), 1 (menu: second copy), 1 (channel: SMS), then 2 (menu: trust unlock, already
      // confirmed in this call).
      const digits = `${CARLOS.cpf_cnpj.slice(0, 3)}112`;
      await lab.inbound(DID.ura, CARLOS.telefone_primario, 'uac-dtmf.xml', { WAIT_MS: URA_WAIT_MS, DIGITS: digits, GAP_MS: URA_GAP_MS, TALK_MS: 2500 });
      await lab.finish(URA_WAIT_MS + digits.length * URA_GAP_MS + 15000);

      // HubSoft received: the protocol's atendimento, the SMS of CARLOS's oldest open invoice, the unlock.
      expect(hubsoft!.selfService.atendimentos.length - atendimentos, 'atendimentos opened').to.equal(1);
      const sent = hubsoft!.selfService.sends.slice(sends);
      expect(sent, 'second copies sent').to.have.length(1);
      expect(sent[0]).to.include({ channel: 'sms', id_fatura: 50949, id_cliente: CARLOS.id_cliente });
      // Registered contacts only: HubSoft's own phones for CARLOS, no telefone_adicional from the IVR.
      expect(sent[0]!.to).to.deep.equal([CARLOS.telefone_primario]);
      const sms = hubsoft!.requests.filter((request) => request.path.endsWith('/enviar_sms')).at(-1);
      expect(sms?.body).to.deep.equal({ id_fatura: 50949 });
      const unlocked = hubsoft!.selfService.unlocks.slice(unlocks);
      expect(unlocked, 'trust unlocks').to.have.length(1);
      expect(unlocked[0]).to.include({ id_cliente_servico: CARLOS.servicos[0]!.id_cliente_servico, dias_desbloqueio: 1 });
      const paths = hubsoft!.requests.map((request) => `${request.method} ${request.path}`);
      expect(paths).to.include('POST /api/v1/integracao/cliente/financeiro/enviar_sms');
      expect(paths).to.include('POST /api/v1/integracao/cliente/desbloqueio_confianca');

      // The hangup handler runs once the caller has hung up: wait for its answer.
      await until(() => events().some((f) => f.Event === 'VarSet' && f.Variable === 'HUBSOFT_FIM_STATUS'), 10000, 'the hangup handler\'s hubsoft-call-end');
      // The URA went where the answers said (VarSet events of the statuses, in order), never to an agent.
      const statuses = events()
        .filter((f) => f.Event === 'VarSet' && /^HUBSOFT_[A-Z_]+_STATUS$/.test(f.Variable ?? '') && f.Variable !== 'HUBSOFT_SERVICO_STATUS')
        .map((f) => `${f.Variable}=${f.Value}`);
      expect(statuses, JSON.stringify(statuses)).to.deep.equal([
        'HUBSOFT_IDENTIFICACAO_STATUS=ok',
        'HUBSOFT_CONFIRMACAO_STATUS=ok',
        'HUBSOFT_PROTOCOLO_STATUS=ok',
        'HUBSOFT_FATURAS_STATUS=ok',
        'HUBSOFT_SEGUNDA_VIA_STATUS=ok',
        'HUBSOFT_DESBLOQUEIO_STATUS=ok',
        // The hangup handler the URA pushed ran on the hung-up channel and told the bridge the call ended.
        'HUBSOFT_FIM_STATUS=ok',
      ]);
      // ...so the protocol's atendimento is edited once, through the outbox, and closed: the IVR resolved it.
      await hubsoft!.waitFor(() => hubsoft!.selfFix.ticketEdits.length > ticketEdits, 10000);
      const edits = hubsoft!.selfFix.ticketEdits.slice(ticketEdits);
      expect(edits, 'ticket edits').to.have.length(1);
      expect(edits[0]).to.include({ fechar_atendimento: true });
      expect(edits[0]!.parametros).to.include({ telefone: CARLOS.telefone_primario });
      const agent = events().filter((f) => f.Event === 'Newexten' && f.Context === 'hubsoft-ura-agent');
      expect(agent, 'sent to an agent').to.deep.equal([]);
      expect(warnings(), 'bridge warnings').to.deep.equal([]);
    });
  });
});

/** When the caller presses the first key (the URA has answered, identified and asks for the CPF's first digits by then). */
const URA_WAIT_MS = 5000;
/** Between keys: longer than the longest stretch of prompts and AGI between two reads. */
const URA_GAP_MS = 2500;
