import { gsanSchema, selfServiceSchema } from '../../../src/config/schema.js';
import { createGsanClient } from '../../../src/gsan/gsan-client.js';
import { CustomerLookup } from '../../../src/hubsoft/customers.js';
import { silentLogger, type Logger } from '../../../src/log/logger.js';
import { FastAgiServer } from '../../../src/ivr/fastagi-server.js';
import { registerSelfService, type SelfService } from '../../../src/ivr/self-service/register.js';
import type { Tts } from '../../../src/ivr/tts.js';
import type { SelfServiceDeps } from '../../../src/ivr/self-service/types.js';
import { testClient, testConfig } from '../../hubsoft/helpers.js';
import { FakeAgiClient } from '../../support/fake-agi-client.js';
import { FAKE_GSAN_KEY, startFakeGsan, type FakeGsan } from '../../support/fake-gsan.js';
import { startFakeHubsoft, type FakeHubsoft } from '../../support/fake-hubsoft.js';
import { selfServiceClients } from '../../support/sample-clients.js';

export interface Harness {
  readonly hubsoft: FakeHubsoft;
  readonly gsan: FakeGsan;
  readonly server: FastAgiServer;
  readonly selfService: SelfService;
  readonly port: number;
  /** Runs one AGI(agi://.../script,linkedid,...args) session as Asterisk would; resolves with the variables set. */
  call(script: string, callerId: string, linkedid: string, ...args: string[]): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly selfService?: Record<string, unknown>;
  readonly now?: () => number;
  readonly tts?: Tts;
  readonly logger?: Logger;
  readonly gsanTimeoutMs?: number;
  /** state.dir of the self-service state; absent: memory only. A second harness on the same dir is a restart. */
  readonly stateDir?: string;
  /** hubsoft-call-end's way to the outbox (the daemon wires crm.prepareTicketEdit + DurableDispatch.submit). */
  readonly onCallEnd?: SelfServiceDeps['onCallEnd'];
  /** An existing fake HubSoft (a restart keeps HubSoft); closed by the harness only when it started it. */
  readonly hubsoft?: FakeHubsoft;
}

/** The FastAGI server with the self-service commands, against a fake HubSoft and a fake GSAN, all on 127.0.0.1. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const hubsoft = options.hubsoft ?? (await startFakeHubsoft({ clients: selfServiceClients() }));
  const gsan = await startFakeGsan();
  const config = testConfig(hubsoft);
  const logger = options.logger ?? silentLogger();
  const api = testClient(config, options.now);
  const customers = new CustomerLookup({ client: api, config: config.lookup, logger });
  const server = new FastAgiServer({ host: '127.0.0.1', port: 0, logger, commandTimeoutMs: 2000 });
  const selfService = registerSelfService(server, {
    config: selfServiceSchema.parse({ deadlineMs: 3000, ...options.selfService }),
    api,
    lookup: (callerId) => customers.lookup(callerId),
    gsan: createGsanClient(gsanSchema.parse({ url: gsan.url, key: FAKE_GSAN_KEY, requestTimeoutMs: options.gsanTimeoutMs ?? 2000 })),
    tts: options.tts ?? null,
    defaultAreaCode: '37',
    logger,
    ...(options.now ? { now: options.now } : {}),
    ...(options.stateDir ? { stateDir: options.stateDir, fsync: false } : {}),
    ...(options.onCallEnd ? { onCallEnd: options.onCallEnd } : {}),
  });
  await selfService.ready;
  const { port } = await server.start();
  return {
    hubsoft,
    gsan,
    server,
    selfService,
    port,
    call: (script, callerId, linkedid, ...args) => runAgi(port, script, callerId, linkedid, args),
    close: async () => {
      await server.stop();
      await selfService.flush();
      await Promise.all([options.hubsoft ? undefined : hubsoft.close(), gsan.close()]);
    },
  };
}

export async function runAgi(port: number, script: string, callerId: string, linkedid: string, args: readonly string[]): Promise<Record<string, string>> {
  const env = FakeAgiClient.environment(script, callerId, linkedid);
  args.forEach((arg, i) => (env[`agi_arg_${i + 2}`] = arg));
  const agi = await FakeAgiClient.connect(port, env);
  await agi.finished;
  return variablesOf(agi.commands);
}

/** SET VARIABLE NAME "value" lines -> { NAME: value }, in order. */
export function variablesOf(commands: readonly string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of commands) {
    const m = /^SET VARIABLE ([A-Za-z0-9_]+) "((?:[^"\\]|\\.)*)"$/.exec(line);
    if (m) vars[m[1]!] = m[2]!.replace(/\\(.)/g, '$1');
  }
  return vars;
}
