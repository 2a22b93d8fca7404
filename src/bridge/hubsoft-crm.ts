import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { CustomerLookup } from '../hubsoft/customers.js';
import { buildPbxBody, type PbxApi } from '../hubsoft/pbx.js';
import { normalisePhone } from '../hubsoft/phone.js';
import type { LookupResult, PbxCallBody } from '../hubsoft/types.js';
import type { StopReason } from '../calls/types.js';
import type { CrmPort, RingNotice } from './crm-port.js';
import { resolveTarget } from './extension-map.js';

export interface HubsoftCrmDeps {
  readonly lookup: Pick<CustomerLookup, 'lookup'>;
  readonly pbx: Pick<PbxApi, 'notify' | 'cancel'>;
  readonly config: Pick<Config, 'extensions' | 'lookup'>;
  readonly logger: Logger;
  /** The protocol number the self-service IVR gave this call, if any: passed on to the agent. */
  readonly protocolFor?: (linkedid: string) => string | null;
  /** Called after every PBX request HubSoft accepted (demo and metrics). */
  readonly onSent?: (route: 'notificar' | 'cancelar', body: PbxCallBody, ring: RingNotice, reason?: StopReason) => void;
}

/** HubSoft as the CRM behind the call path: lookup by phone, notificar, cancelar. */
export class HubsoftCrm implements CrmPort {
  constructor(private readonly deps: HubsoftCrmDeps) {}

  lookupCaller(callerNumber: string): Promise<LookupResult> {
    return this.deps.lookup.lookup(callerNumber);
  }

  async notifyRinging(ring: RingNotice): Promise<void> {
    const body = this.bodyFor(ring);
    if (!body) return;
    await this.deps.pbx.notify(body);
    this.deps.onSent?.('notificar', body, ring);
  }

  async notifyStopped(ring: RingNotice, reason: StopReason): Promise<void> {
    const body = this.bodyFor(ring);
    if (!body) return;
    await this.deps.pbx.cancel(body);
    this.deps.onSent?.('cancelar', body, ring, reason);
  }

  /** The same ring always gives the same body: HubSoft matches a cancel to its notify on ramal + telefone. */
  bodyFor(ring: RingNotice): PbxCallBody | null {
    const target = resolveTarget(this.deps.config.extensions, ring.extension);
    if (!target) return null;
    const lookup = ring.lookup ?? this.phoneOnly(ring.call.callerNumber);
    const params = ligacaoParams(ring);
    const protocolo = this.deps.protocolFor?.(ring.call.linkedid);
    if (protocolo) params.protocolo = protocolo;
    return buildPbxBody(target, lookup, params);
  }

  private phoneOnly(callerNumber: string): Pick<LookupResult, 'status' | 'phone' | 'client'> {
    const phone = normalisePhone(callerNumber, { defaultAreaCode: this.deps.config.lookup.defaultAreaCode });
    return { status: 'error', phone: phone.national ?? null, client: null };
  }
}

function ligacaoParams(ring: RingNotice): Record<string, string> {
  const params: Record<string, string> = { linkedid: ring.call.linkedid };
  if (ring.call.did) params.did = ring.call.did;
  if (ring.context.queue) params.queue = ring.context.queue;
  if (ring.context.member) params.member = ring.context.member;
  return params;
}
