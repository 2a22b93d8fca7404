import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { isBridgeError } from '../errors.js';
import { configExposure, secretKeysIn } from '../ops/install/file-modes.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { createHubsoftClient, type HubsoftClient } from '../hubsoft/client.js';
import { createHubsoftHttp } from '../hubsoft/http.js';
import { CLIENTE_PATH, isNoResultAnswer } from '../hubsoft/customers.js';

export interface Output {
  write(text: string): unknown;
}

/** What the steps share: the config, a logger, and what earlier steps built. */
export interface CheckContext {
  readonly config: Config;
  readonly logger: Logger;
  hubsoft?: HubsoftClient;
}

/**
 * One line of `check`. run() resolves with an optional detail for the OK line and throws to fail.
 * Steps whose `needs` failed are skipped. Add steps (e.g. AMI login) by passing extraSteps.
 */
export interface CheckStep {
  readonly name: string;
  readonly needs?: readonly string[];
  run(context: CheckContext): Promise<string | void>;
}

export interface RunCheckOptions {
  /** The validated config, or a loader that may throw CONFIG_INVALID / CONFIG_NOT_FOUND. */
  readonly config: Config | (() => Config);
  readonly logger: Logger;
  readonly out: Output;
  /** Extra steps after the HubSoft ones (the AMI step plugs in here). */
  readonly extraSteps?: readonly CheckStep[];
  /** The config file read (none when the environment gave everything): a WARN line when others can read it. */
  readonly configFile?: string | null;
}

export const hubsoftCheckSteps: readonly CheckStep[] = [
  {
    name: 'HubSoft reachable',
    async run({ config }) {
      // Any HTTP answer from the server root proves DNS, TCP and TLS work.
      const http = createHubsoftHttp(config.hubsoft);
      const response = await http.send({ method: 'GET', path: '' }).finally(() => http.close?.());
      return `${config.hubsoft.url} answered HTTP ${response.statusCode}${reachableMeaning(response.statusCode)}`;
    },
  },
  {
    name: 'HubSoft login',
    needs: ['HubSoft reachable'],
    async run(context) {
      context.hubsoft = createHubsoftClient(context.config.hubsoft, { logger: context.logger });
      await context.hubsoft.auth.authorization();
      return `token for ${context.config.hubsoft.username}`;
    },
  },
  {
    name: 'HubSoft client search',
    needs: ['HubSoft login'],
    async run({ hubsoft, config }) {
      // Proves the API user may read clients (a phone no one has).
      try {
        await hubsoft!.get(CLIENTE_PATH, { busca: 'telefone', termo_busca: '0000000000', limit: 1 });
      } catch (error) {
        // Some HubSoft versions say "no client" as an error: that is an answer, read as "not found".
        if (!isNoResultAnswer(error)) throw error;
        return `GET /${CLIENTE_PATH} allowed (limit ${config.lookup.limit}; HubSoft answers an empty search with an error, read as "not found")`;
      }
      return `GET /${CLIENTE_PATH} allowed (limit ${config.lookup.limit})`;
    },
  },
];

/** Prints OK/FAIL/SKIP per step; exit code 0 when all passed, 1 otherwise. */
export async function runCheck(options: RunCheckOptions): Promise<number> {
  const { out, logger } = options;
  let config: Config;
  try {
    config = typeof options.config === 'function' ? options.config() : options.config;
    out.write(`OK    configuration valid\n`);
    const exposed = options.configFile ? exposedConfigFile(options.configFile) : null;
    if (exposed) out.write(`WARN  config file: ${exposed}\n`);
  } catch (error) {
    out.write(`FAIL  configuration valid: ${describe(error)}\n`);
    return 1;
  }
  const context: CheckContext = { config, logger };
  const failed = new Set<string>();
  for (const step of [...hubsoftCheckSteps, ...(options.extraSteps ?? [])]) {
    const blocker = step.needs?.find((name) => failed.has(name));
    if (blocker) {
      failed.add(step.name);
      out.write(`SKIP  ${step.name} (needs ${blocker})\n`);
      continue;
    }
    try {
      const detail = await step.run(context);
      out.write(`OK    ${step.name}${detail ? `: ${detail}` : ''}\n`);
    } catch (error) {
      failed.add(step.name);
      out.write(`FAIL  ${step.name}: ${describe(error)}\n`);
      logger.debug({ err: error, step: step.name }, 'check step failed');
    }
  }
  context.hubsoft?.close();
  return failed.size === 0 ? 0 : 1;
}

/** Any status proves the server is there; a 404 at the API root is what HubSoft answers, not a wrong URL by itself. */
function reachableMeaning(status: number): string {
  if (status === 404) return ' (the server is up; HubSoft answers 404 at the API root, so this alone is fine: the login below shows whether hubsoft.url is the API address)';
  if (status >= 500) return ' (the server is up but failing: HubSoft or a proxy in front of it)';
  return ' (the server is up)';
}

/** Says how a config file holding secrets is exposed by its mode, or null (private, unreadable, or no secrets). */
function exposedConfigFile(path: string): string | null {
  try {
    const exposure = configExposure(statSync(path).mode);
    const secrets = exposure ? secretKeysIn(readFileSync(path, 'utf8'), parseYaml) : [];
    if (!exposure || secrets.length === 0) return null;
    return `${path} holds secrets (${secrets.join(', ')}) and its ${exposure.text}: chmod 600 it (or chmod 640 and chown root:hubsoft-pbx-bridge)`;
  } catch {
    return null;
  }
}

function describe(error: unknown): string {
  if (isBridgeError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
