import type { NotifyConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { Lane } from './lanes.js';
import type { Timers } from './retry.js';

/** The dispatcher's contract: what a job is, how it can end, what the dispatcher is given and reports. */
export type JobKind = 'notify' | 'cancel';

export interface DispatchJob {
  /** Jobs with the same key (the adapter's ordering key) run one after another, in enqueue order. */
  readonly key: string;
  readonly kind: JobKind;
  /** Live jobs take free slots before backlog ones (lanes.ts). Default live. */
  readonly lane?: Lane;
  /** When the event behind the job happened (clock time); a notify older than notify.maxAgeMs is not sent. */
  readonly createdAt: number;
  /** One attempt. The signal aborts on the attempt timeout and on shutdown; pass it to the HTTP client. */
  readonly run: (signal: AbortSignal) => Promise<void>;
  /** Human-readable line for logs, e.g. "notificar 1001 37999990000". */
  readonly describe?: string;
  /** The CRM route (notificar, cancelar, editar_atendimento), for metrics; default: the kind's PBX route. */
  readonly route?: string;
  /** Position in the global order (journal order); jobs held during an outage resume by it. Default: enqueue order. */
  readonly order?: number;
}

/**
 * sent: HubSoft accepted it. failed: a final error (4xx, status "error") or retries ran out.
 * dropped-stale: a notify older than maxAgeMs when its turn came. dropped-overflow: a notify refused
 * because the queue was full. dropped-shutdown: refused or abandoned by drain() (not delivered).
 */
export type JobOutcome = 'sent' | 'failed' | 'dropped-stale' | 'dropped-overflow' | 'dropped-shutdown';

export interface JobResultInfo {
  /** Attempts made (0 when the job was dropped before its first). */
  readonly attempts: number;
  /** The last error, for 'failed'. */
  readonly error?: unknown;
}

export interface DispatcherOptions {
  readonly config: NotifyConfig;
  readonly logger: Logger;
  readonly clock: () => number;
  /** For the retry backoff, the attempt timeout and drain(); p-queue's rate limiter uses the global timers. */
  readonly timers?: Timers;
  readonly random?: () => number;
  /**
   * Called once per job with how it ended. For 'failed', info.error is the last error: isRetryable(info.error)
   * tells "gave up at the retry deadline" (worth keeping for a later replay) from "HubSoft refused it".
   */
  readonly onResult?: (job: DispatchJob, outcome: JobOutcome, info: JobResultInfo) => void;
  /** One attempt that has not settled after this long counts as HUBSOFT_TIMEOUT (retryable). Default 30 s. */
  readonly attemptTimeoutMs?: number;
  /**
   * Outage mode: after a retryable failure only one job (the probe) keeps trying, with its backoff; every
   * other job waits without attempting, and once HubSoft answers they resume in `order`. This keeps a
   * backlog from hammering a down HubSoft and makes the catch-up start in journal order. Default false.
   */
  readonly holdDuringOutage?: boolean;
  /** Which failures are worth another attempt (the adapter's rule). Default: retry.ts isRetryable. */
  readonly isRetryable?: (error: unknown) => boolean;
}

export interface DispatcherStats {
  /** Jobs accepted and not finished (waiting, running or waiting for a retry). */
  readonly size: number;
  /** Attempts holding a concurrency slot right now. */
  readonly running: number;
  /** Jobs sleeping before their next attempt (they hold no slot but block their key). */
  readonly retryWaiting: number;
  /** Keys with unfinished jobs. */
  readonly keys: number;
  /** In outage mode (holdDuringOutage): HubSoft failed and has not answered since. */
  readonly outage: boolean;
  /** Jobs waiting for the outage to end. */
  readonly held: number;
  readonly enqueued: number;
  readonly sent: number;
  readonly failed: number;
  readonly retries: number;
  readonly droppedStale: number;
  readonly droppedOverflow: number;
  readonly droppedShutdown: number;
}
