import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { BridgeError } from '../errors.js';
import { configSchema, type Config } from './schema.js';
import { describeIssue, unknownKeys } from './strict.js';

export const DEFAULT_CONFIG_PATH = '/etc/hubsoft-pbx-bridge/config.yaml';

/** Environment variables that override the file; tools outside the repo rely on these names. */
export const ENV_OVERRIDES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['HUBSOFT_URL', ['hubsoft', 'url']],
  ['HUBSOFT_CLIENT_ID', ['hubsoft', 'clientId']],
  ['HUBSOFT_CLIENT_SECRET', ['hubsoft', 'clientSecret']],
  ['HUBSOFT_USERNAME', ['hubsoft', 'username']],
  ['HUBSOFT_PASSWORD', ['hubsoft', 'password']],
  ['AMI_HOST', ['ami', 'host']],
  ['AMI_PORT', ['ami', 'port']],
  ['AMI_USERNAME', ['ami', 'username']],
  ['AMI_SECRET', ['ami', 'secret']],
  ['LOG_LEVEL', ['log', 'level']],
];

const REQUIRED_BY_ENV = ['HUBSOFT_URL', 'HUBSOFT_CLIENT_ID', 'HUBSOFT_CLIENT_SECRET', 'HUBSOFT_USERNAME', 'HUBSOFT_PASSWORD', 'AMI_USERNAME', 'AMI_SECRET'];

export interface LoadOptions {
  /** Path given with --config. */
  path?: string;
  env?: NodeJS.ProcessEnv;
  /** Read a file; injectable for tests. */
  readFile?: (path: string) => string;
}

export interface LoadedConfig {
  config: Config;
  /** The file that was read, or null when the environment gave everything. */
  source: string | null;
}

export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const readFile = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const explicitPath = options.path ?? env.HUBSOFT_BRIDGE_CONFIG;
  const path = explicitPath ?? DEFAULT_CONFIG_PATH;
  const envIsEnough = REQUIRED_BY_ENV.every((name) => Boolean(env[name]));

  let raw: unknown = {};
  let source: string | null = path;
  try {
    raw = parseYaml(readFile(path)) ?? {};
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    if (missing && !explicitPath && envIsEnough) {
      source = null;
    } else if (missing) {
      throw new BridgeError('CONFIG_NOT_FOUND', `${path}: no such file. Pass --config FILE, set HUBSOFT_BRIDGE_CONFIG, or set ${REQUIRED_BY_ENV.join(', ')}.`);
    } else {
      throw new BridgeError('CONFIG_INVALID', `${path}: ${(error as Error).message}`);
    }
  }
  return { config: parseConfig(applyEnv(raw, env)), source };
}

/** Validates a plain object (from YAML or a test) and returns the frozen config. */
export function parseConfig(raw: unknown): Config {
  const result = configSchema.safeParse(raw);
  const lines = [...unknownKeys(configSchema, raw), ...(result.success ? [] : result.error.issues.map((issue) => describeIssue(issue, raw)))];
  if (!result.success || lines.length > 0) {
    throw new BridgeError('CONFIG_INVALID', `invalid configuration:\n  ${lines.join('\n  ')}`, { issues: lines });
  }
  return deepFreeze(result.data as Config);
}

function applyEnv(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new BridgeError('CONFIG_INVALID', 'invalid configuration: the file must hold a YAML mapping (hubsoft:, ami:, ...)');
  }
  const merged = structuredClone(raw) as Record<string, unknown>;
  for (const [name, [section, key]] of ENV_OVERRIDES) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const current = merged[section!];
    const target = current && typeof current === 'object' ? (current as Record<string, unknown>) : {};
    target[key!] = value;
    merged[section!] = target;
  }
  return merged;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}
