import type { LookupResult } from '../hubsoft/types.js';
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
}
