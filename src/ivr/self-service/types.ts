import type { TicketAfterCall } from '../../bridge/crm-port.js';
import type { SelfServiceConfig } from '../../config/schema.js';
import type { GsanClient } from '../../gsan/gsan-client.js';
import type { HubsoftApi } from '../../hubsoft/api-port.js';
import type { Logger } from '../../log/logger.js';
import type { Timers } from '../agi-session.js';
import type { AgiEnvironment } from '../agi-protocol.js';
import type { CallerLookup } from '../hubsoft-lookup-script.js';
import type { Tts } from '../tts.js';
import type { CallState, CallStates } from './call-state.js';
import type { DailyCounters } from './daily-cap.js';
import type { SelfServiceStateFile } from './state-file.js';

/** What every self-service command sets in <PREFIX><VARIABLE>_STATUS. */
export type CommandStatus = 'ok' | 'denied' | 'notfound' | 'error';

export interface CommandOutcome {
  readonly status: CommandStatus;
  /** Machine-readable why (not_confirmed, daily_cap, ...), '' when ok. Set in <VARIABLE>_REASON. */
  readonly reason?: string;
  /** Text for the caller (HubSoft's or GSAN's msg). Set in <VARIABLE>_MSG, spoken into <VARIABLE>_MSG_SOM with TTS. */
  readonly msg?: string;
  /** Values by suffix (the command's `values`); missing ones are set to ''. */
  readonly values?: Readonly<Record<string, string>>;
}

export interface SelfServiceDeps {
  readonly config: SelfServiceConfig;
  /** The bridge's HubSoft client (authenticated, metered). */
  readonly api: HubsoftApi;
  /** The bridge's cached caller lookup by phone (the same one the ring path and the alerts use). */
  readonly lookup: CallerLookup;
  /** Null/absent when no gsan section is configured. */
  readonly gsan?: GsanClient | null;
  /** Speaks HubSoft's messages (unlock refusal...) into <VARIABLE>_MSG_SOM; absent: no sound, the text stays. */
  readonly tts?: Tts | null;
  /** lookup.defaultAreaCode, to tell whether a local caller ID is a mobile. */
  readonly defaultAreaCode?: string;
  /** alerts.variablePrefix; default HUBSOFT_. */
  readonly variablePrefix?: string;
  /** alerts.maxValueBytes; default 500. */
  readonly maxValueBytes?: number;
  readonly logger?: Logger;
  readonly now?: () => number;
  readonly timers?: Timers;
  /** state.dir: the day's counts and the calls in progress are saved there (self-service.json). Absent: memory only. */
  readonly stateDir?: string;
  /** state.outbox.fsync: fsync each save. Default true. */
  readonly fsync?: boolean;
  /**
   * hubsoft-call-end: hands the ticket's edit to the CRM adapter and the durable outbox (the daemon wires
   * crm.prepareTicketEdit + DurableDispatch.submit). Returns false when nothing was queued. Absent: not sent.
   */
  readonly onCallEnd?: (ticket: TicketAfterCall) => boolean;
}

/** Shared by all commands of one bridge. */
export interface SelfServiceShared {
  readonly deps: SelfServiceDeps;
  /** deps.api behind the self-service queue (selfService.concurrency). */
  readonly api: HubsoftApi;
  readonly calls: CallStates;
  /** The day's counts: `copy:<id_cliente>`, `unlock:<id_cliente>`, `confirm-fail:client:<id>`, `confirm-fail:caller:<number>`. */
  readonly counters: DailyCounters;
  /** Saves calls and counters; a command awaits save() before acting on a count it took. */
  readonly store: SelfServiceStateFile;
}

export interface CommandContext {
  readonly env: AgiEnvironment;
  /** ${CHANNEL(linkedid)}, the first AGI argument (agi_uniqueid when missing). */
  readonly linkedid: string;
  /** The arguments after the linkedid. */
  readonly args: readonly string[];
  readonly callerId: string;
  readonly state: CallState;
  readonly shared: SelfServiceShared;
  readonly log?: Logger;
  /**
   * What to answer if the command outlives selfService.deadlineMs from here on (default: error/timeout), e.g. a
   * second copy already handed to HubSoft: it may arrive.
   */
  late?: CommandOutcome;
  /** Set when the deadline passed and the caller was answered: a command stops before sending anything. */
  overdue?: boolean;
}

export interface SelfServiceCommand {
  /** The FastAGI script name: AGI(agi://127.0.0.1:4573/<name>,${CHANNEL(linkedid)},...). */
  readonly name: string;
  /** Variable stem: <PREFIX><variable>_STATUS, _REASON, _MSG, _MSG_SOM. */
  readonly variable: string;
  /** Value variable suffixes this command sets (each time, '' when it has no value). */
  readonly values: readonly string[];
  /** Its ok (without a REASON) settles the caller's request: the ticket may be closed after the call. */
  readonly resolves?: boolean;
  /** Not written into the call's history (what self-service did). */
  readonly untracked?: boolean;
  run(context: CommandContext): Promise<CommandOutcome>;
}
