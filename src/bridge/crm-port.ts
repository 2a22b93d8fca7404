import type { LookupResult } from '../hubsoft/types.js';
import type { CallerContext } from '../hubsoft/caller-context.js';
import type { CallInfo, RingContext, StopReason } from '../calls/types.js';
import type { PreparedRequest, RequestSender } from '../outbox/request.js';

/** One ring of one extension, as the CRM sees it. */
export interface RingNotice {
  readonly call: CallInfo;
  readonly extension: string;
  readonly context: RingContext;
  /** The lookup result, or null when it did not finish within the budget. */
  readonly lookup: LookupResult | null;
  readonly at: number;
  /** What HubSoft knows about the caller (open tickets, work orders...), when it came within the budget. */
  readonly callerContext?: CallerContext | null;
}

/** A ticket the self-service IVR opened in a call that ended: what the CRM is told about it (prepareTicketEdit). */
export interface TicketAfterCall {
  readonly linkedid: string;
  /** HubSoft's id of the ticket (what 3.2 PUT edits) and its protocol number. */
  readonly id_atendimento: number;
  readonly protocolo: string;
  /** The caller's number as the channel gave it ('' when withheld), and the number dialled ('' when unknown). */
  readonly callerNumber: string;
  readonly did: string;
  readonly durationSeconds: number;
  /** What self-service did, in order: `<command>:<status>[:<reason>]`. */
  readonly commands: readonly string[];
  /** Built from selfService.recordingUrlTemplate; null when not set. */
  readonly recordingUrl: string | null;
  /** Self-service resolved the request (e.g. a second copy sent, an unlock granted). */
  readonly resolved: boolean;
  /** The caller asked for (or was sent to) an agent. */
  readonly agentRequested: boolean;
  /** Close the ticket: resolved, no agent asked for, and selfService.closeResolvedTickets. */
  readonly close: boolean;
}

/**
 * The one narrow port between the call path and a CRM, in call-lifecycle verbs. The adapter prepares
 * each request (an opaque body and its ordering key); the outbox journals it and hands it back to the
 * adapter's send(): the port is the only way out. HubSoft is one adapter (hubsoft-crm.ts), `crm: none`
 * another (no-crm.ts).
 */
export interface CrmPort extends RequestSender {
  lookupCaller(callerNumber: string): Promise<LookupResult>;
  /** The request that opens the agent's window, or null when this CRM is not told about this ring. */
  prepareRinging(ring: RingNotice): PreparedRequest | null;
  /** The request that closes it (a missed call), or null. */
  prepareStopped(ring: RingNotice, reason: StopReason): PreparedRequest | null;
  /** The request that edits (and maybe closes) the ticket self-service opened, once the call ended; null: not told. */
  prepareTicketEdit?(ticket: TicketAfterCall): PreparedRequest | null;
}
