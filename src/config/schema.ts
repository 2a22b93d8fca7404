import { z } from 'zod';
import { isLoopbackHost, parseAllowEntry } from '../util/addresses.js';
import { listenPort, ms, nonEmpty, port, regex, seconds, url } from './fields.js';
import { selfServiceSchema } from './self-service-schema.js';

export { selfServiceSchema };

export const hubsoftSchema = z.object({
  url,
  clientId: nonEmpty('OAuth client_id from HubSoft'),
  clientSecret: nonEmpty('OAuth client_secret from HubSoft'),
  username: nonEmpty('HubSoft API user e-mail'),
  password: nonEmpty('HubSoft API user password'),
  connectTimeoutMs: ms(3000),
  requestTimeoutMs: ms(8000),
  retries: z.coerce.number().int().min(0).max(5).default(2),
  /** Renew the token this many seconds before HubSoft says it expires. */
  tokenRenewMarginSeconds: seconds(300),
  tls: z
    .object({
      ca: z.string().min(1).optional(),
      insecure: z.boolean().default(false),
    })
    .prefault({}),
});

export const amiSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: port.default(5038),
  username: nonEmpty('AMI user from manager.conf'),
  secret: nonEmpty('AMI secret from manager.conf'),
  actionTimeoutMs: ms(5000),
  pingIntervalMs: ms(12000),
  pingTimeoutMs: ms(5000),
  reconnectInitialMs: ms(1000),
  reconnectMaxMs: ms(30000),
  /** EventMask sent with the Events action after login. */
  eventMask: z.string().default('call,agent,system'),
});

const extensionTarget = z
  .object({
    ramal: z.string().regex(/^\d+$/, 'must be digits only').optional(),
    identificador_interno: z.string().regex(/^[A-Za-z0-9]+$/, 'must be alphanumeric (HubSoft accepts letters and digits only)').optional(),
    exclude: z.boolean().default(false),
  })
  .refine((v) => !(v.ramal && v.identificador_interno), 'give either ramal or identificador_interno, not both');

export const callsSchema = z.object({
  /** Which endpoints are internal extensions (trunks never match). */
  extensionPattern: regex.default('^[0-9]{2,6}$'),
  /** Contexts through which external calls enter; `*` matches any suffix. */
  inboundContexts: z.array(z.string().min(1)).default(['from-trunk', 'from-trunk-*', 'from-pstn', 'from-did-direct', 'ext-did']),
  notifyInternal: z.boolean().default(false),
  notifyOutbound: z.boolean().default(false),
  /** Hunt groups and follow-me re-dial an extension within this window: keep the same HubSoft window open. */
  reringGraceMs: ms(1500),
  /** Upper bound on calls tracked at once; the oldest is forgotten past it. */
  maxLiveCalls: z.coerce.number().int().positive().default(20000),
  /** A call with no event for this long is forgotten (lost Hangup). */
  idleCallTimeoutMs: ms(6 * 60 * 60 * 1000),
});

export const extensionsSchema = z.record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'extension must be alphanumeric'), extensionTarget).default({});

export const lookupSchema = z.object({
  /** DDD used for 8-9 digit local caller IDs, e.g. "37". */
  defaultAreaCode: z
    .string()
    .regex(/^[1-9][1-9]$/, 'must be a two-digit Brazilian DDD such as "37"')
    .optional(),
  foundTtlSeconds: seconds(300),
  notFoundTtlSeconds: seconds(60),
  maxRequests: z.coerce.number().int().min(1).max(10).default(4),
  limit: z.coerce.number().int().min(1).max(50).default(5),
  /** A notify never waits longer than this for the caller lookup. */
  budgetMs: ms(1500),
  cacheMaxKeys: z.coerce.number().int().positive().default(50000),
});

/** Caller context at call entry (issue 17): open tickets, pending work orders, overdue invoices of a found caller. */
export const contextSchema = z.object({
  /** Four GETs per newly identified caller (cached): HUBSOFT_ATENDIMENTOS... in the IVR, the context in ligacao_params. */
  enabled: z.boolean().default(true),
  /** A client's context is kept this long (short: tickets and visits change during the day). */
  ttlSeconds: seconds(60),
  cacheMaxKeys: z.coerce.number().int().positive().default(20000),
  /** HubSoft's time zone as a UTC offset: its work-order dates are wall times (Brasília -03:00, Manaus -04:00). */
  utcOffset: z.string().regex(/^[+-]\d{2}:\d{2}$/, 'must be a UTC offset such as "-03:00"').default('-03:00'),
});

export const notifySchema = z.object({
  concurrency: z.coerce.number().int().min(1).max(64).default(4),
  /** Rate limit: at most intervalCap requests per intervalMs. */
  intervalMs: ms(1000),
  intervalCap: z.coerce.number().int().min(1).default(20),
  /** A notify older than this is not sent any more (its ring is long over). */
  maxAgeMs: ms(60000),
  /** Retries on network errors and 5xx stop after this long. */
  retryDeadlineMs: ms(30000),
  retryInitialMs: ms(500),
  retryMaxMs: ms(10000),
  /** Over this many waiting requests, new notifies are dropped (cancels are kept). */
  maxQueued: z.coerce.number().int().positive().default(2000),
  /** On SIGTERM: how long queued requests may still be sent before the bridge exits. */
  shutdownFlushMs: ms(5000),
});

const soundRule = z.object({
  match: regex,
  sound: z.string().regex(/^[A-Za-z0-9_/-]+$/, 'may only hold letters, digits, _, / and -'),
});

export const alertsSchema = z.object({
  enabled: z.boolean().default(true),
  variablePrefix: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be upper-case letters, digits and _').default('HUBSOFT_'),
  maxValueBytes: z.coerce.number().int().min(16).max(900).default(500),
  sounds: z.array(soundRule).default([]),
  tts: z
    .object({
      enabled: z.boolean().default(false),
      dir: z.string().default('/var/lib/hubsoft-pbx-bridge/sounds'),
      maxMegabytes: z.coerce.number().positive().default(200),
      voice: z.string().default('pt-br'),
      timeoutMs: ms(5000),
    })
    .prefault({}),
});

const allowEntry = z.string().refine((value) => parseAllowEntry(value) !== null, 'must be an IP address or a CIDR block (192.0.2.10, 10.0.0.0/24)');

export const agiSchema = z
  .object({
    enabled: z.boolean().default(true),
    host: z.string().default('127.0.0.1'),
    port: listenPort.default(4573),
    deadlineMs: ms(1500),
    /** A connection must send its whole environment block within this long, or it is closed. */
    environmentTimeoutMs: z.coerce.number().int().min(100, 'must be at least 100 ms').max(10000, 'must be at most 10000 ms').default(1500),
    /** AGI scripts running at once; a session over this is closed and the call goes on without the bridge. */
    maxSessions: z.coerce.number().int().min(1).max(4096).default(64),
    /** Source addresses allowed to connect; required when host is not a loopback address. */
    allowFrom: z.array(allowEntry).default([]),
  })
  .superRefine((agi, context) => {
    if (!agi.enabled || isLoopbackHost(agi.host) || agi.allowFrom.length > 0) return;
    context.addIssue({
      code: 'custom',
      path: ['allowFrom'],
      message: `is required when agi.host (${agi.host}) is not a loopback address: list the PBX's addresses (e.g. [192.0.2.10]), or set agi.host: 127.0.0.1`,
    });
  });

export const healthSchema = z.object({
  enabled: z.boolean().default(true),
  host: z.string().default('127.0.0.1'),
  port: listenPort.default(9466),
  /** When set, /healthz and /metrics need "Authorization: Bearer <token>". A secret: never logged. */
  token: z.string().min(16, 'must be at least 16 characters').optional(),
});

export const logSchema = z.object({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  pretty: z.boolean().default(false),
});

/** IVR self-service over FastAGI (issue 7): config/asterisk/ura-hubsoft.conf calls these commands. */
/** GSAN (water utilities, seed 002). Absent: the gsan-send-code command answers STATUS error. */
export const gsanSchema = z.object({
  /** Server root, e.g. http://192.168.64.111:8080 (the path below is appended). */
  url,
  /** Company key ("key" in every request). A secret: never logged. */
  key: nonEmpty('company key from GSAN'),
  path: z.string().regex(/^[A-Za-z0-9_/.-]+$/, 'must be a URL path').default('gsan/chatbot/enviarCodigoValidacaoEmailCliente'),
  connectTimeoutMs: ms(3000),
  requestTimeoutMs: ms(8000),
  tls: z.object({ insecure: z.boolean().default(false) }).prefault({}),
});

export const configSchema = z.object({
  hubsoft: hubsoftSchema,
  ami: amiSchema,
  calls: callsSchema.prefault({}),
  extensions: extensionsSchema,
  lookup: lookupSchema.prefault({}),
  context: contextSchema.prefault({}),
  notify: notifySchema.prefault({}),
  alerts: alertsSchema.prefault({}),
  agi: agiSchema.prefault({}),
  health: healthSchema.prefault({}),
  selfService: selfServiceSchema.prefault({}),
  gsan: gsanSchema.optional(),
  log: logSchema.prefault({}),
  /** Where the calls are reported: hubsoft, or none (a dry run: calls followed and logged, nothing sent). */
  crm: z.enum(['hubsoft', 'none']).default('hubsoft'),
  state: z
    .object({
      dir: z.string().default('/var/lib/hubsoft-pbx-bridge'),
      /** Durable journal of HubSoft requests (every cancelar, young notificars) under <dir>/outbox. */
      outbox: z
        .object({
          enabled: z.boolean().default(true),
          /** An undelivered cancelar older than this is dropped with an error log (notificar: notify.maxAgeMs). */
          cancelMaxAgeMs: ms(24 * 60 * 60 * 1000),
          /** Pending journal size above which new notificars are not journaled; cancelars stop at twice this. */
          maxMegabytes: z.coerce.number().positive().default(16),
          /** At most this many requests wait in memory (the dispatcher); the rest wait on disk, in order. */
          maxInMemory: z.coerce.number().int().positive().default(500),
          /** fdatasync each journal write batch (off only for tests or a disk that cannot take it). */
          fsync: z.boolean().default(true),
          /** How often expired records are dropped. */
          expireEveryMs: ms(60_000),
          /** Replayed/requeued requests in flight at once (never more than notify.concurrency - 1: live calls keep a slot). */
          backlogInFlight: z.coerce.number().int().positive().default(2),
          /** While the journal cannot be opened (read-only or full state dir), how often to try again. */
          reopenEveryMs: ms(30_000),
        })
        .prefault({}),
    })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type HubsoftConfig = Config['hubsoft'];
export type AmiConfig = Config['ami'];
export type CallsConfig = Config['calls'];
export type ExtensionsConfig = Config['extensions'];
export type LookupConfig = Config['lookup'];
export type ContextConfig = Config['context'];
export type NotifyConfig = Config['notify'];
export type AlertsConfig = Config['alerts'];
export type AgiConfig = Config['agi'];
export type HealthConfig = Config['health'];
export type OutboxConfig = Config['state']['outbox'];
export type SelfServiceConfig = Config['selfService'];
export type GsanConfig = NonNullable<Config['gsan']>;
