import type { Config } from '../config/schema.js';
import { isBridgeError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { CustomerLookup } from '../hubsoft/customers.js';
import { buildPbxBody, type PbxApi } from '../hubsoft/pbx.js';
import { normalisePhone } from '../hubsoft/phone.js';
import type { LigacaoParamValue, LookupResult, PbxCallBody } from '../hubsoft/types.js';
import type { StopReason } from '../calls/types.js';
import type { PreparedRequest } from '../outbox/request.js';
import { isRetryable } from '../outbox/retry.js';
import type { CrmPort, RingNotice, TicketAfterCall } from './crm-port.js';
import type { ApiPutter } from '../hubsoft/atendimento-edit.js';
import { describeTicketEdit, isFinalRefusal, prepareTicketEdit, sendTicketEdit, TICKET_EDIT_ROUTE, type TicketEditBody } from './ticket-edit.js';
import { resolveTarget } from './extension-map.js';
import { CONTEXT_PARAM_KEYS, contextParams } from './context-params.js';

export interface HubsoftCrmDeps {
  readonly lookup: Pick<CustomerLookup, 'lookup' | 'forget'>;
  readonly pbx: Pick<PbxApi, 'notify' | 'cancel'>;
  readonly config: Pick<Config, 'extensions' | 'lookup'>;
  readonly logger: Logger;
  /** The protocol number the self-service IVR gave this call, if any: passed on to the agent. */
  readonly protocolFor?: (linkedid: string) => string | null;
  /** What the self-service IVR did in this call (`<command>:<status>`, oldest first): the path the caller took. */
  readonly historyFor?: (linkedid: string) => readonly string[];
  /** PUT for the ticket edit after a self-service call (ticket-edit.ts); absent: tickets are not edited. */
  readonly atendimento?: ApiPutter;
}

type PbxRoute = 'notificar' | 'cancelar';
/** The IVR path in ligacao_params.ura stays one short line (pbx.ts refuses longer values). */
const URA_PATH_CHARS = 200;
const ID_FIELDS = ['id_cliente', 'codigo_cliente'] as const;

/** HubSoft as the CRM behind the call path: lookup by phone, notificar, cancelar. */
export class HubsoftCrm implements CrmPort {
  constructor(private readonly deps: HubsoftCrmDeps) {}

  lookupCaller(callerNumber: string): Promise<LookupResult> {
    return this.deps.lookup.lookup(callerNumber);
  }

  prepareRinging(ring: RingNotice): PreparedRequest | null {
    return this.prepare('notificar', ring);
  }

  prepareStopped(ring: RingNotice, reason: StopReason): PreparedRequest | null {
    return this.prepare('cancelar', ring, ` (${reason})`);
  }

  prepareTicketEdit(ticket: TicketAfterCall): PreparedRequest | null {
    return this.deps.atendimento ? prepareTicketEdit(ticket) : null;
  }

  /**
   * One attempt. A 422 naming id_cliente/codigo_cliente means the cached client was deleted or merged
   * since the lookup: the same request goes once more without the ids (the window still opens on the
   * phone), and the number's cache entry is dropped.
   */
  async send(request: PreparedRequest, signal: AbortSignal): Promise<void> {
    if (request.route === TICKET_EDIT_ROUTE) {
      if (!this.deps.atendimento) throw new TypeError('HubsoftCrm has no atendimento client for a ticket edit');
      return sendTicketEdit(this.deps.atendimento, request.body as TicketEditBody, signal);
    }
    const body = request.body as PbxCallBody;
    try {
      await this.post(request.route, body, signal);
    } catch (error) {
      if (refusesParams(error, body)) {
        // Once per request: the window matters more than the context; the cancel still matches (ramal + telefone).
        this.deps.logger.warn({ route: request.route, ramal: body.ramal }, 'HubSoft refused the caller context in ligacao_params: sent again without it');
        const params = Object.fromEntries(Object.entries(body.ligacao_params ?? {}).filter(([k]) => !(CONTEXT_PARAM_KEYS as readonly string[]).includes(k)));
        return this.send({ ...request, body: { ...body, ligacao_params: params } }, signal);
      }
      const stale = staleIdFields(error);
      if (stale.length === 0 || !hasIds(body)) throw error;
      this.deps.logger.warn({ route: request.route, fields: stale, ramal: body.ramal }, 'HubSoft no longer knows the cached client: sent again without the client ids');
      if (body.telefone) this.deps.lookup.forget(body.telefone);
      const { id_cliente: _id, codigo_cliente: _codigo, ...withoutIds } = body;
      await this.post(request.route, withoutIds, signal);
    }
  }

  /**
   * HubSoft mid-update answers 200 {"status":"error"} with no field named, or a 200 that is not JSON:
   * both are retried (up to the request's maximum age). Only a refusal that names fields is permanent
   * (the rule lives in outbox/retry.ts).
   */
  isRetryable(error: unknown): boolean {
    return !isFinalRefusal(error) && isRetryable(error);
  }

  describe(request: PreparedRequest): string {
    if (request.route === TICKET_EDIT_ROUTE) return describeTicketEdit(request);
    const body = request.body as Partial<PbxCallBody> | null;
    return `${request.route} ${body?.ramal ?? body?.identificador_interno ?? '?'} ${body?.telefone ?? 'withheld'}`;
  }

  /** The same ring always gives the same body: HubSoft matches a cancel to its notify on ramal + telefone. */
  bodyFor(ring: RingNotice): PbxCallBody | null {
    const target = resolveTarget(this.deps.config.extensions, ring.extension);
    if (!target) return null;
    const lookup = ring.lookup ?? this.phoneOnly(ring.call.callerNumber);
    const params = ligacaoParams(ring);
    const protocolo = this.deps.protocolFor?.(ring.call.linkedid);
    if (protocolo) params.protocolo = protocolo;
    const ura = this.deps.historyFor?.(ring.call.linkedid) ?? [];
    if (ura.length > 0) params.ura = ura.join(', ').slice(0, URA_PATH_CHARS);
    return buildPbxBody(target, lookup, params);
  }

  private prepare(route: PbxRoute, ring: RingNotice, suffix = ''): PreparedRequest | null {
    const body = this.bodyFor(ring);
    if (!body) return null;
    const kind = route === 'notificar' ? 'notify' : 'cancel';
    return { route, kind, key: matchKey(body), body, describe: `${route} ${ring.extension} ${ring.call.callerNumber || 'withheld'}${suffix}` };
  }

  private async post(route: string, body: PbxCallBody, signal: AbortSignal): Promise<void> {
    if (route === 'notificar') await this.deps.pbx.notify(body, { signal });
    else if (route === 'cancelar') await this.deps.pbx.cancel(body, { signal });
    else throw new TypeError(`HubsoftCrm cannot send a "${route}" request`);
  }

  private phoneOnly(callerNumber: string): Pick<LookupResult, 'status' | 'phone' | 'client'> {
    const phone = normalisePhone(callerNumber, { defaultAreaCode: this.deps.config.lookup.defaultAreaCode });
    return { status: 'error', phone: phone.national ?? null, client: null };
  }
}

/** What HubSoft pairs a cancelar with its notificar on (there is no call id): the lane key. */
export function matchKey(body: Pick<PbxCallBody, 'ramal' | 'identificador_interno' | 'telefone'>): string {
  const target = body.ramal !== undefined ? `ramal:${body.ramal}` : `id:${body.identificador_interno ?? ''}`;
  return `${target}|${body.telefone ?? ''}`;
}

function fieldsOf(error: { details: Readonly<Record<string, unknown>> }): string[] {
  const fields = error.details.fields;
  return Array.isArray(fields) ? fields.filter((f): f is string => typeof f === 'string') : [];
}

function staleIdFields(error: unknown): string[] {
  if (!isBridgeError(error) || (error.code !== 'HUBSOFT_HTTP' && error.code !== 'HUBSOFT_STATUS_ERROR')) return [];
  const fields = fieldsOf(error);
  return fields.length > 0 && fields.every((f) => (ID_FIELDS as readonly string[]).includes(f)) ? fields : [];
}

function hasIds(body: PbxCallBody): boolean {
  return body.id_cliente !== undefined || body.codigo_cliente !== undefined;
}

function ligacaoParams(ring: RingNotice): Record<string, LigacaoParamValue> {
  const params: Record<string, LigacaoParamValue> = { linkedid: ring.call.linkedid };
  if (ring.call.did) params.did = ring.call.did;
  if (ring.context.queue) params.queue = ring.context.queue;
  if (ring.context.member) params.member = ring.context.member;
  return { ...params, ...contextParams(ring.callerContext) };
}

/** A refusal naming only ligacao_params fields (the seeds do not document ligacao_params): the context is the suspect. */
function refusesParams(error: unknown, body: PbxCallBody): boolean {
  if (!isBridgeError(error) || (error.code !== 'HUBSOFT_HTTP' && error.code !== 'HUBSOFT_STATUS_ERROR')) return false;
  const fields = fieldsOf(error);
  const params = body.ligacao_params ?? {};
  return fields.length > 0 && fields.every((f) => f.startsWith('ligacao_params')) && CONTEXT_PARAM_KEYS.some((k) => k in params);
}
