import type { LookupResult } from '../hubsoft/types.js';
import type { PreparedRequest } from '../outbox/request.js';
import type { CrmPort } from './crm-port.js';

/** `crm: none`: the calls are followed and logged, nothing leaves the box (a dry run beside a live PBX). */
export class NoCrm implements CrmPort {
  async lookupCaller(callerNumber: string): Promise<LookupResult> {
    return { status: 'skipped', raw: callerNumber, phone: null, candidates: [], clients: [], client: null, reason: 'crm: none' };
  }

  prepareRinging(): PreparedRequest | null {
    return null;
  }

  prepareStopped(): PreparedRequest | null {
    return null;
  }

  async send(): Promise<void> {}

  isRetryable(): boolean {
    return false;
  }
}

