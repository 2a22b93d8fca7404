/**
 * One self-service call for the demo: CARLOS calls from his mobile, the URA identifies him by caller ID, he
 * confirms the first 3 CPF digits, gets a protocol number (an account change: it needs both), hears his open
 * invoice and asks for the second copy by SMS (sent to his registered phones only). Everything runs for real over 127.0.0.1: a FastAGI server with the self-service commands, Asterisk's side
 * played by FakeAgiClient, the fake HubSoft. Returns each step's variables and what HubSoft received.
 */
import { selfServiceSchema } from '../../src/config/schema.js';
import { CustomerLookup } from '../../src/hubsoft/customers.js';
import { FastAgiServer } from '../../src/ivr/fastagi-server.js';
import { registerSelfService } from '../../src/ivr/self-service/register.js';
import { silentLogger, type Logger } from '../../src/log/logger.js';
import { testClient, testConfig } from '../hubsoft/helpers.js';
import { runAgi } from '../ivr/self-service/harness.js';
import { startFakeHubsoft } from './fake-hubsoft.js';
import type { FakeSend } from './fake-hubsoft-routes.js';
import { CARLOS, selfServiceClients } from './sample-clients.js';

export interface DemoStep {
  readonly agi: string;
  readonly variables: Readonly<Record<string, string>>;
}

export interface SelfServiceDemoResult {
  readonly steps: readonly DemoStep[];
  /** Every API request HubSoft received (the OAuth token request left out), in order. */
  readonly hubsoftReceived: readonly { method: string; path: string; query: Record<string, string>; body: unknown }[];
  readonly sends: readonly FakeSend[];
  readonly protocolForAgent: string | null;
}

export async function playSelfServiceCall(options: { logger?: Logger } = {}): Promise<SelfServiceDemoResult> {
  const logger = options.logger ?? silentLogger();
  const hubsoft = await startFakeHubsoft({ clients: selfServiceClients() });
  const config = testConfig(hubsoft);
  const api = testClient(config);
  const customers = new CustomerLookup({ client: api, config: config.lookup, logger });
  const server = new FastAgiServer({ host: '127.0.0.1', port: 0, logger });
  const selfService = registerSelfService(server, {
    config: selfServiceSchema.parse({}),
    api,
    lookup: (callerId) => customers.lookup(callerId),
    defaultAreaCode: '37',
    logger,
  });
  const { port } = await server.start();
  const linkedid = '1712345678.42';
  const caller = CARLOS.telefone_primario;
  const steps: DemoStep[] = [];
  const step = async (script: string, ...args: string[]): Promise<void> => {
    const variables = await runAgi(port, script, caller, linkedid, args);
    steps.push({ agi: [script, linkedid, ...args].join(','), variables });
  };
  try {
    await step('hubsoft-identify');
    await step('hubsoft-confirm', CARLOS.cpf_cnpj.slice(0, 3));
    await step('hubsoft-protocol', 'segunda via');
    await step('hubsoft-invoices');
    await step('hubsoft-second-copy', 'sms');
    return {
      steps,
      hubsoftReceived: hubsoft.requests.filter((r) => r.path !== '/oauth/token').map((r) => ({ method: r.method, path: r.path, query: { ...r.query }, body: r.body })),
      sends: [...hubsoft.selfService.sends],
      protocolForAgent: selfService.protocolFor(linkedid),
    };
  } finally {
    await server.stop();
    await hubsoft.close();
  }
}
