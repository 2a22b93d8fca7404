import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';

export type { Logger };

/** Every path where a secret can sit, at any depth we log. */
export const REDACT_PATHS = [
  'password',
  'secret',
  'clientSecret',
  'client_secret',
  'token',
  'access_token',
  'refresh_token',
  'authorization',
  'Authorization',
  '*.password',
  '*.secret',
  '*.clientSecret',
  '*.client_secret',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.authorization',
  '*.Authorization',
  '*.headers.authorization',
  '*.*.password',
  '*.*.secret',
  '*.*.clientSecret',
  '*.*.client_secret',
  '*.*.access_token',
  '*.*.authorization',
];

export interface LoggerSettings {
  level?: string;
  pretty?: boolean;
  /** Strings that must never appear in a log line (configured secrets); masked wherever they show up. */
  secrets?: readonly string[];
  destination?: DestinationStream;
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const secrets = (settings.secrets ?? []).filter((s) => s.length >= 4);
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    base: { name: 'hubsoft-pbx-bridge' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  };
  if (secrets.length > 0) {
    // A secret can still hide in free text (an error message, a URL): mask it there too.
    options.hooks = { streamWrite: (line: string) => maskSecrets(line, secrets) };
  }
  if (settings.destination) return pino(options, settings.destination);
  if (settings.pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { destination: 2 } } });
  }
  return pino(options);
}

export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)])) {
      if (form) out = out.split(form).join('[redacted]');
    }
  }
  return out;
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
