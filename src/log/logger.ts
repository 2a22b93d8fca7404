import { fstatSync } from 'node:fs';
import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';
import { lineRedactor } from './redact.js';

export { maskSecrets } from './redact.js';

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
  /**
   * Stdout is the systemd journal: each line starts with its syslog priority (<3> error ... <7> debug) so
   * `journalctl -p err` filters. Default: no destination given and stdout is the stream JOURNAL_STREAM names.
   */
  journal?: boolean;
}

/** pino level -> syslog priority, as journald reads a "<N>" line prefix (sd-daemon.h). */
const SYSLOG_PRIORITY: Readonly<Record<number, number>> = { 60: 2, 50: 3, 40: 4, 30: 6, 20: 7, 10: 7 };

/** systemd sets JOURNAL_STREAM=<dev>:<inode> of the journal stream; it is stdout only if fd 1 is that very file. */
export function stdoutIsJournal(env: NodeJS.ProcessEnv = process.env, stdoutStat: () => { dev: number; ino: number } = () => fstatSync(1)): boolean {
  const match = /^(\d+):(\d+)$/.exec(env.JOURNAL_STREAM ?? '');
  if (!match) return false;
  try {
    const { dev, ino } = stdoutStat();
    return String(dev) === match[1] && String(ino) === match[2];
  } catch {
    return false;
  }
}

export function withSyslogPriority(line: string): string {
  const level = /^\{"level":(\d+)/.exec(line)?.[1];
  return `<${SYSLOG_PRIORITY[Number(level)] ?? 6}>${line}`;
}

/** Every logger of one createLogger() call, children included: pino children keep their level of birth. */
const FAMILY = Symbol('hubsoft-pbx-bridge.logger-family');
type Family = Set<WeakRef<Logger>>;

/** Sets the level of `logger` and of every child made from the same createLogger() root (SIGHUP reload). */
export function setLogLevel(logger: Logger, level: string): void {
  const family = (logger as Logger & { [FAMILY]?: Family })[FAMILY];
  logger.level = level;
  if (!family) return;
  for (const ref of family) {
    const member = ref.deref();
    if (member) member.level = level;
    else family.delete(ref);
  }
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const secrets = (settings.secrets ?? []).filter((s) => s.length >= 4);
  const family: Family = new Set();
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    onChild: (child) => void family.add(new WeakRef(child)),
    base: { name: 'hubsoft-pbx-bridge' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  };
  // A secret can still hide in free text (an upstream echo in an error message, a URL): mask every line.
  const redact = lineRedactor(secrets);
  const journal = settings.journal ?? (!settings.destination && !settings.pretty && stdoutIsJournal());
  options.hooks = { streamWrite: journal ? (line: string) => withSyslogPriority(redact(line)) : redact };
  return withFamily(pinoFor(options, { ...settings, pretty: settings.pretty && !journal }), family);
}

function pinoFor(options: LoggerOptions, settings: LoggerSettings): Logger {
  if (settings.destination) return pino(options, settings.destination);
  if (settings.pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { destination: 2 } } });
  }
  return pino(options);
}

/** Children are made with Object.create(parent): they find the family through the prototype. */
function withFamily(root: Logger, family: Family): Logger {
  Object.defineProperty(root, FAMILY, { value: family });
  return root;
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
