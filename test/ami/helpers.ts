import type { DestinationStream } from 'pino';
import { amiSchema, type AmiConfig } from '../../src/config/schema.js';
import { createLogger, type Logger } from '../../src/log/logger.js';
import type { AmiConnection, AmiConnectionEvents } from '../../src/ami/connection.js';
import type { AmiEvent } from '../../src/ami/types.js';
import type { FakeAmi } from '../support/fake-ami.js';

export const SECRET = 'amisecret-Zq81';

export function amiConfig(fake: Pick<FakeAmi, 'port'>, overrides: Partial<AmiConfig> = {}): AmiConfig {
  return Object.freeze(
    amiSchema.parse({
      host: '127.0.0.1',
      port: fake.port,
      username: 'bridge',
      secret: SECRET,
      actionTimeoutMs: 1000,
      pingIntervalMs: 60_000,
      pingTimeoutMs: 1000,
      reconnectInitialMs: 20,
      reconnectMaxMs: 80,
      ...overrides,
    }),
  );
}

export interface LogRecord {
  readonly level: number;
  readonly msg: string;
  readonly code?: string;
  readonly retryInMs?: number;
  readonly [key: string]: unknown;
}

/** A real pino logger writing JSON lines into memory; `raw` keeps the exact text. */
export function captureLogger(): { logger: Logger; records: LogRecord[]; raw: string[]; waitFor: (count: (r: LogRecord[]) => boolean, timeoutMs?: number) => Promise<void> } {
  const records: LogRecord[] = [];
  const raw: string[] = [];
  let check: (() => void) | undefined;
  const destination: DestinationStream = {
    write(line: string) {
      raw.push(line);
      records.push(JSON.parse(line) as LogRecord);
      check?.();
    },
  };
  const logger = createLogger({ level: 'debug', destination, secrets: [SECRET] });
  const waitFor = (predicate: (r: LogRecord[]) => boolean, timeoutMs = 3000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        check = undefined;
        reject(new Error(`timed out after ${timeoutMs} ms waiting for log records`));
      }, timeoutMs);
      check = () => {
        if (!predicate(records)) return;
        check = undefined;
        clearTimeout(timer);
        resolve();
      };
      check();
    });
  return { logger, records, raw, waitFor };
}

/** Resolves with the next value of a connection event, or rejects after timeoutMs. */
export function next<K extends keyof AmiConnectionEvents>(
  connection: AmiConnection,
  event: K,
  timeoutMs = 3000,
  accept: (value: AmiConnectionEvents[K]) => boolean = () => true,
): Promise<AmiConnectionEvents[K]> {
  return new Promise((resolve, reject) => {
    const listener = (value: AmiConnectionEvents[K]) => {
      if (!accept(value)) return;
      clearTimeout(timer);
      connection.off(event, listener);
      resolve(value);
    };
    const timer = setTimeout(() => {
      connection.off(event, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for '${String(event)}'`));
    }, timeoutMs);
    connection.on(event, listener);
  });
}

/** Collects 'event's; `until(n)` resolves once n were collected. */
export function collect(connection: AmiConnection): { events: AmiEvent[]; until: (n: number, timeoutMs?: number) => Promise<void> } {
  const events: AmiEvent[] = [];
  let waiter: { n: number; resolve: () => void } | undefined;
  connection.on('event', (event) => {
    events.push(event);
    if (waiter && events.length >= waiter.n) waiter.resolve();
  });
  const until = (n: number, timeoutMs = 3000) =>
    new Promise<void>((resolve, reject) => {
      if (events.length >= n) return resolve();
      const timer = setTimeout(() => reject(new Error(`timed out with ${events.length}/${n} events`)), timeoutMs);
      waiter = {
        n,
        resolve: () => {
          clearTimeout(timer);
          waiter = undefined;
          resolve();
        },
      };
    });
  return { events, until };
}
