import type { LookupResult } from '../hubsoft/types.js';
import type { CallInfo, RingContext, StopReason } from '../calls/types.js';

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
 * The one narrow port between the call path and a CRM, in call-lifecycle verbs.
 * HubSoft is its adapter (bridge/hubsoft-crm.ts); another CRM would be a sibling adapter.
 */
export interface CrmPort {
  lookupCaller(callerNumber: string): Promise<LookupResult>;
  notifyRinging(ring: RingNotice): Promise<void>;
  notifyStopped(ring: RingNotice, reason: StopReason): Promise<void>;
}
