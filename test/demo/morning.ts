/**
 * `npm run demo`: a scripted morning at a provider's call centre, played by the fake Asterisk
 * (AMI over TCP) to the real bridge, with the fake HubSoft (HTTP) answering, all on 127.0.0.1.
 * Prints every request HubSoft accepted as one line, the alert variables set on callers'
 * channels, then a summary. Exits 0 when HubSoft received exactly what the script expects.
 */
import { AmiScript, type CallFlow } from '../support/ami-script.js';
import type { Frame } from '../support/ami-script/frame.js';
import { startHarness } from '../support/bridge-harness.js';
import type { PbxCallBody } from '../../src/hubsoft/types.js';
import type { RingNotice } from '../../src/bridge/crm-port.js';
import type { StopReason } from '../../src/calls/types.js';
import { MARIA, JOAO, ANA, MERCEARIA, BEATRIZ, CARLOS, selfServiceClients } from '../support/sample-clients.js';
import { playSelfServiceCall } from '../support/self-service-demo.js';

/** Script time runs this many times faster than the clock (a 20 s ring takes 0.2 s). */
const SPEED = 100;
const MORNING_START = Date.UTC(2026, 10, 23, 11, 0, 0); // 08:00 in Brasília (UTC-3)

interface Scene {
  readonly title: string;
  readonly at: number;
  readonly build: (s: AmiScript, at: number) => void;
}

function inbound(s: AmiScript, from: string, at: number, did = '3732220001', ext = '1001'): CallFlow {
  const call = s.inboundCall({ from, did, at });
  call.goto('ext-local', ext, `Chamada para ramal ${ext} de ${from}`);
  return call;
}

const scenes: Scene[] = [
  {
    title: 'JOAO calls 1001 directly; Ana answers',
    at: 60_000,
    build(s, at) {
      const call = inbound(s, `0${JOAO.telefone_primario}`, at);
      const dial = call.dial(['1001']);
      call.wait(4000);
      const { bridge, leg } = dial.answer('1001');
      call.startTalk(bridge, leg.chan).talkFor(30_000).hangup();
    },
  },
  {
    title: 'MARIA (fibre-cut alerts) calls 1002; nobody answers',
    at: 120_000,
    build(s, at) {
      const call = inbound(s, `+55${MARIA.telefone_primario}`, at, '3732220002', '1002');
      const dial = call.dial(['1002']);
      call.wait(20_000);
      dial.timeout();
      call.endInDialplan();
    },
  },
  {
    title: 'A phone shared by two clients (one with an active service) rings group 600; Bruno answers',
    at: 180_000,
    build(s, at) {
      const call = s.inboundCall({ from: ANA.telefone_primario, did: '3732220600', at });
      call.goto('ext-group', '600', 'Grupo de toque 600');
      const dial = call.dial(['1001', '1002']);
      call.wait(5000);
      const { bridge, leg } = dial.answer('1002');
      call.startTalk(bridge, leg.chan).talkFor(20_000).hangup();
    },
  },
  {
    title: 'A caller waits in queue "suporte" and gives up',
    at: 240_000,
    build(s, at) {
      const call = s.inboundCall({ from: MERCEARIA.telefone_primario, did: '3732220700', at });
      const queue = s.queue(call, { name: 'suporte', number: '700', strategy: 'ringall', members: 'local' });
      queue.ring(['1001', '1002']);
      call.wait(12_000);
      queue.abandon();
    },
  },
  {
    title: 'An anonymous caller rings 1001 and hangs up',
    at: 300_000,
    build(s, at) {
      const call = inbound(s, 'anonymous', at);
      const dial = call.dial(['1001']);
      call.wait(6000);
      call.callerCancel(dial);
    },
  },
  {
    title: 'Two calls at once: JOAO to 1001 (answered), an unknown number to 1002 (missed)',
    at: 360_000,
    build(s, at) {
      const first = inbound(s, JOAO.telefone_primario, at);
      const firstDial = first.dial(['1001']);
      const second = inbound(s, '31988887777', at + 1000, '3732220002', '1002');
      const secondDial = second.dial(['1002']);
      first.wait(3000);
      const { bridge, leg } = firstDial.answer('1001');
      first.startTalk(bridge, leg.chan).talkFor(15_000).hangup();
      second.wait(15_000);
      secondDial.timeout();
      second.endInDialplan();
    },
  },
  {
    title: 'BEATRIZ (open ticket, technician visit tomorrow at 10) calls 1001; nobody answers',
    at: 380_000,
    build(s, at) {
      const call = inbound(s, BEATRIZ.telefone_primario, at);
      const dial = call.dial(['1001']);
      call.wait(8000);
      dial.timeout();
      call.endInDialplan();
    },
  },
  {
    title: 'CARLOS (service blocked, invoices overdue) is routed by HUBSOFT_ROUTE=blocked to the finance queue; 1002 answers',
    at: 400_000,
    build(s, at) {
      const call = s.inboundCall({ from: CARLOS.telefone_primario, did: '3732220701', at });
      const queue = s.queue(call, { name: 'financeiro', number: '701', strategy: 'ringall', members: 'local' });
      queue.ring(['1002']);
      call.wait(4000);
      queue.answer('1002');
      call.wait(20_000);
      queue.complete();
    },
  },
];

/** What HubSoft must receive, per ramal + telefone, for the demo to pass. */
const EXPECTED: Record<string, string[]> = {
  [`1001/${JOAO.telefone_primario}`]: ['notificar', 'notificar'],
  [`1002/${MARIA.telefone_primario}`]: ['notificar', 'cancelar'],
  [`1001/${ANA.telefone_primario}`]: ['notificar', 'cancelar'],
  [`1002/${ANA.telefone_primario}`]: ['notificar'],
  [`1001/${MERCEARIA.telefone_primario}`]: ['notificar', 'cancelar'],
  [`1002/${MERCEARIA.telefone_primario}`]: ['notificar', 'cancelar'],
  '1001/': ['notificar', 'cancelar'],
  '1002/31988887777': ['notificar', 'cancelar'],
  [`1001/${BEATRIZ.telefone_primario}`]: ['notificar', 'cancelar'],
  [`1002/${CARLOS.telefone_primario}`]: ['notificar'],
};

/** The caller-context variables the IVR gets (issue 17), printed per caller. */
const CONTEXT_VARIABLES = /^HUBSOFT_(ATENDIMENTOS|PROTOCOLO_ABERTO|OS_\w+|SERVICO_STATUS|FATURAS_VENCIDAS|ROUTE)$/;

const clock = (offsetMs: number): string => new Date(MORNING_START + offsetMs - 3 * 3600_000).toISOString().slice(11, 19);

async function main(): Promise<number> {
  const started = Date.now();
  const scriptTime = () => (Date.now() - started) * SPEED;
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const received: string[] = [];
  const contextParams = new Map<string, Record<string, unknown>>();

  const onSent = (route: 'notificar' | 'cancelar', body: PbxCallBody, ring: RingNotice, reason?: StopReason) => {
    const who = ring.lookup?.client?.nome_razaosocial ?? (ring.lookup?.status === 'ambiguous' ? `${ring.lookup.clients.length} clients (agent chooses)` : ring.lookup?.status ?? 'lookup pending');
    const why = route === 'notificar' ? 'ringing' : reason;
    const target = body.ramal ? `ramal ${body.ramal}` : `id ${body.identificador_interno}`;
    print(`  ${clock(scriptTime())}  ${route.padEnd(9)}  ${target.padEnd(11)}  telefone ${(body.telefone ?? '(withheld)').padEnd(12)}  ${who}  [${why}]`);
    received.push(`${body.ramal}/${body.telefone ?? ''}:${route}`);
    const params = body.ligacao_params ?? {};
    if (route === 'notificar' && ('ordem_servico' in params || 'atendimentos_abertos' in params || params.status_servico === 'bloqueado')) contextParams.set(who, params);
  };

  const harness = await startHarness({
    config: { calls: { reringGraceMs: 1500 / SPEED * 10 }, alerts: { enabled: true } },
    daemon: { onSent },
    fakeHubsoft: { clients: selfServiceClients() },
  });

  print('hubsoft-pbx-bridge demo: a morning at the call centre');
  print(`  fake Asterisk  127.0.0.1:${harness.ami.port} (AMI)   fake HubSoft  ${harness.hubsoft.url}`);
  print('');

  const s = new AmiScript({ startEpoch: Math.floor(MORNING_START / 1000) });
  for (const scene of scenes) scene.build(s, scene.at);
  const frames = s.frames().sort((a, b) => a.at - b.at);

  let scene = 0;
  for (const frame of frames) {
    while (scene < scenes.length && scenes[scene]!.at <= frame.at) {
      await sleepUntil(started, scenes[scene]!.at / SPEED);
      print(`${clock(scenes[scene]!.at)}  ${scenes[scene]!.title}`);
      scene += 1;
    }
    await sleepUntil(started, frame.at / SPEED);
    harness.ami.send((frame as Frame).fields);
  }
  await harness.settle(10_000);

  print('');
  print('Alert variables the bridge set on callers\' channels (the IVR plays HUBSOFT_ALERTA_*):');
  for (const v of harness.ami.variables) {
    if (/^HUBSOFT_(NOME|ALERTA_\d+|ALERTA_SOM_\d+|LOOKUP)$/.test(v.variable)) print(`  ${v.channel}  ${v.variable}=${v.value}`);
  }

  print('');
  print('Caller context the IVR got before HUBSOFT_LOOKUP (a FreePBX line routes on HUBSOFT_ROUTE):');
  const byChannel = new Map<string, Map<string, string>>();
  for (const v of harness.ami.variables) if (v.channel) (byChannel.get(v.channel) ?? byChannel.set(v.channel, new Map()).get(v.channel)!).set(v.variable, v.value);
  const seen = { visit: false, blocked: false };
  for (const [channel, vars] of byChannel) {
    const shown = [...vars].filter(([name]) => CONTEXT_VARIABLES.test(name));
    if (shown.length === 0 || !['visit-scheduled', 'blocked'].includes(vars.get('HUBSOFT_ROUTE') ?? '')) continue;
    print(`  ${channel}  ${vars.get('HUBSOFT_NOME') ?? ''}`);
    print(`    ${shown.map(([k, v]) => `${k}=${v}`).join('  ')}`);
    print(`    IVR: ${sayContext(vars)}`);
    if (vars.get('HUBSOFT_ROUTE') === 'visit-scheduled' && vars.get('HUBSOFT_OS_QUANDO') === 'amanha') seen.visit = true;
    if (vars.get('HUBSOFT_ROUTE') === 'blocked') seen.blocked = true;
  }
  print('The agent\'s window (ligacao_params of the notify):');
  for (const [who, params] of contextParams) print(`  ${who}: ${JSON.stringify(params)}`);

  print('');
  print('08:07:00  CARLOS calls the self-service IVR (URA) and asks for a second copy of his invoice by SMS:');
  const selfService = await playSelfServiceCall();
  for (const step of selfService.steps) {
    const shown = Object.entries(step.variables).filter(([name, value]) => value !== '' && /STATUS|PROTOCOLO$|TOTAL|FATURA_VALOR$|VENCIMENTO_DATA|CANAL/.test(name));
    print(`  AGI(agi://127.0.0.1/${step.agi})  ${shown.map(([k, v]) => `${k}=${v}`).join('  ')}`);
  }
  print('  HubSoft received:');
  for (const request of selfService.hubsoftReceived) {
    const query = new URLSearchParams(request.query).toString();
    print(`    ${request.method} ${request.path}${query ? `?${query}` : ''}${request.body ? `  ${JSON.stringify(request.body)}` : ''}`);
  }
  const smsSent = selfService.sends.some((send) => JSON.stringify(send).includes('sms'));

  const got: Record<string, string[]> = {};
  for (const entry of received) {
    const [key, route] = entry.split(':') as [string, string];
    (got[key] ??= []).push(route);
  }
  const ok = JSON.stringify(sortKeys(got)) === JSON.stringify(sortKeys(EXPECTED)) && smsSent && seen.visit && seen.blocked;
  const tracker = harness.daemon.bridge.tracker.stats();
  print('');
  print(
    `Summary: ${received.filter((r) => r.endsWith('notificar')).length} notificar, ${received.filter((r) => r.endsWith('cancelar')).length} cancelar, ` +
      `${harness.hubsoft.tokensIssued()} OAuth token(s), calls still tracked: ${tracker.liveCalls}, second copy by SMS: ${smsSent ? 'sent' : 'NOT sent'}, ` +
      `windows left open for answered calls: ${harness.hubsoft.windows.size}. ${ok ? 'As expected.' : 'NOT as expected:'}`,
  );
  if (!ok) print(JSON.stringify({ expected: sortKeys(EXPECTED), got: sortKeys(got) }, null, 2));
  await harness.close();
  return ok && tracker.liveCalls === 0 ? 0 : 1;
}

/** What the dialplan example in the README makes of the variables (SayUnixTime says the hour). */
function sayContext(vars: ReadonlyMap<string, string>): string {
  if (vars.get('HUBSOFT_ROUTE') === 'blocked') return `"seu acesso está bloqueado" -> Goto(ext-queues,701,1) (finance queue; ${vars.get('HUBSOFT_FATURAS_VENCIDAS') ?? '?'} overdue invoices)`;
  const digits = vars.get('HUBSOFT_OS_DATA_DIGITOS') ?? '';
  const day = vars.get('HUBSOFT_OS_QUANDO') === 'amanha' ? 'amanhã' : vars.get('HUBSOFT_OS_QUANDO') === 'hoje' ? 'hoje' : `${digits.slice(0, 2)}/${digits.slice(2, 4)}`;
  return `"sua visita técnica está agendada para ${day} às ${Number(digits.slice(8, 10))} horas" (your technician visit is scheduled for ${day === 'amanhã' ? 'tomorrow' : day} at ${Number(digits.slice(8, 10))})`;
}

function sortKeys(record: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

async function sleepUntil(started: number, offsetMs: number): Promise<void> {
  const wait = started + offsetMs - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
