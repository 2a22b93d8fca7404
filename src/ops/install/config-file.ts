import { parse as parseYaml, stringify } from 'yaml';
import { hubsoftSchema } from '../../config/schema.js';
import { BridgeError } from '../../errors.js';

export interface HubsoftSettings {
  url: string;
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
}

export const HUBSOFT_FIELDS: ReadonlyArray<{ key: keyof HubsoftSettings; env: string; flag: string; prompt: string; secret: boolean }> = [
  { key: 'url', env: 'HUBSOFT_URL', flag: '--hubsoft-url', prompt: 'HubSoft API URL (https://api.yourisp.hubsoft.com.br)', secret: false },
  { key: 'clientId', env: 'HUBSOFT_CLIENT_ID', flag: '--hubsoft-client-id', prompt: 'HubSoft OAuth client_id', secret: false },
  { key: 'clientSecret', env: 'HUBSOFT_CLIENT_SECRET', flag: '--hubsoft-client-secret', prompt: 'HubSoft OAuth client_secret', secret: true },
  { key: 'username', env: 'HUBSOFT_USERNAME', flag: '--hubsoft-username', prompt: 'HubSoft API user e-mail', secret: false },
  { key: 'password', env: 'HUBSOFT_PASSWORD', flag: '--hubsoft-password', prompt: 'HubSoft API user password', secret: true },
];

export interface ConfigFileInput {
  hubsoft: HubsoftSettings;
  ami: { host: string; port: number; username: string; secret: string };
}

/** The config.yaml install writes; only what differs from the schema's defaults, so upgrades get new defaults. */
export function renderConfigFile(input: ConfigFileInput): string {
  const checked = hubsoftSchema.safeParse(input.hubsoft);
  if (!checked.success) {
    const lines = checked.error.issues.map((issue) => `hubsoft.${issue.path.join('.')}: ${issue.message}`);
    throw new BridgeError('INSTALL_FAILED', `the HubSoft settings are invalid:\n  ${lines.join('\n  ')}`);
  }
  const document = {
    hubsoft: { ...input.hubsoft, url: checked.data.url },
    ami: input.ami,
    health: { enabled: true, host: '127.0.0.1', port: 9466 },
    state: { dir: '/var/lib/hubsoft-pbx-bridge' },
  };
  const header = [
    '# hubsoft-pbx-bridge configuration, written by `hubsoft-pbx-bridge install`.',
    '# Holds secrets: keep it mode 0600. Every other key and its default is listed in the README.',
    '# Check it with: hubsoft-pbx-bridge check --config /etc/hubsoft-pbx-bridge/config.yaml',
  ];
  return `${header.join('\n')}\n${stringify(document)}`;
}

export interface ExistingConfig {
  hubsoft: Partial<HubsoftSettings>;
  ami: { username?: string; secret?: string };
}

/** Reads what an existing config.yaml holds; tolerant: a broken file yields empty values. */
export function readExistingConfig(text: string | null): ExistingConfig {
  if (text === null) return { hubsoft: {}, ami: {} };
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch {
    return { hubsoft: {}, ami: {} };
  }
  const section = (name: string): Record<string, unknown> => {
    const value = raw && typeof raw === 'object' ? (raw as Record<string, unknown>)[name] : undefined;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  };
  const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  const hub = section('hubsoft');
  const ami = section('ami');
  const hubsoft: Partial<HubsoftSettings> = {};
  for (const field of HUBSOFT_FIELDS) {
    const value = str(hub[field.key]);
    if (value !== undefined) hubsoft[field.key] = value;
  }
  const result: ExistingConfig = { hubsoft, ami: {} };
  const username = str(ami.username);
  const secret = str(ami.secret);
  if (username !== undefined) result.ami.username = username;
  if (secret !== undefined) result.ami.secret = secret;
  return result;
}
