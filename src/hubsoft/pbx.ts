import { BridgeError } from '../errors.js';
import type { LookupResult, PbxCallBody } from './types.js';

export const NOTIFY_PATH = 'api/v1/integracao/pbx/ligacao/notificar';
export const CANCEL_PATH = 'api/v1/integracao/pbx/ligacao/cancelar';

/** The one thing PbxApi needs from the HTTP side (HubsoftClient fits). */
export interface ApiPoster {
  post(path: string, json: unknown, options?: { signal?: AbortSignal }): Promise<Record<string, unknown>>;
}

const MAX_PARAMS = 20;
const MAX_PARAM_CHARS = 200;
const MAX_LIST_ITEMS = 3;
const MAX_RECORD_FIELDS = 6;

/**
 * POST /pbx/ligacao/notificar and /cancelar (seed 003, chapter 7). HubSoft matches a cancel
 * to its notify on ramal/identificador_interno and telefone: send the same values in both.
 */
export class PbxApi {
  constructor(private readonly client: ApiPoster) {}

  /** Opens the call window for the user of this extension. Resolves with HubSoft's msg. */
  async notify(body: PbxCallBody, options: { signal?: AbortSignal } = {}): Promise<string> {
    return msgOf(await this.client.post(NOTIFY_PATH, validatePbxBody(body), options));
  }

  /** Closes the window (missed call) if it is still open. Resolves with HubSoft's msg. */
  async cancel(body: PbxCallBody, options: { signal?: AbortSignal } = {}): Promise<string> {
    return msgOf(await this.client.post(CANCEL_PATH, validatePbxBody(body), options));
  }
}

export interface PbxTarget {
  readonly ramal?: string;
  readonly identificador_interno?: string;
}

/**
 * The body for one ring: the extension's target, the normalised phone, and the client ids only
 * when exactly one client was chosen (ambiguous: the agent chooses in HubSoft).
 */
export function buildPbxBody(
  target: PbxTarget,
  lookup: Pick<LookupResult, 'status' | 'phone' | 'client'> | null,
  ligacao_params?: PbxCallBody['ligacao_params'],
): PbxCallBody {
  const client = lookup?.status === 'found' ? lookup.client : null;
  return {
    ...(target.ramal !== undefined ? { ramal: target.ramal } : {}),
    ...(target.identificador_interno !== undefined ? { identificador_interno: target.identificador_interno } : {}),
    ...(lookup?.phone && /^\d+$/.test(lookup.phone) ? { telefone: lookup.phone } : {}),
    ...(client ? { id_cliente: client.id_cliente } : {}),
    ...(client && client.codigo_cliente !== null ? { codigo_cliente: client.codigo_cliente } : {}),
    ...(ligacao_params && Object.keys(ligacao_params).length > 0 ? { ligacao_params } : {}),
  };
}

/**
 * Checks a body against the seed's attribute table and returns a clean copy with a fixed key order.
 * ramal and telefone go out as digit strings, not JSON numbers: Laravel's "numeric" rule accepts
 * both, and a string keeps the leading zero of 0800 numbers and never loses precision.
 */
export function validatePbxBody(body: PbxCallBody): PbxCallBody {
  const problems: string[] = [];
  const hasRamal = body.ramal !== undefined;
  const hasId = body.identificador_interno !== undefined;
  if (hasRamal === hasId) problems.push('give exactly one of ramal or identificador_interno');
  if (hasRamal && !/^\d{1,20}$/.test(body.ramal!)) problems.push(`ramal must be digits only (got ${JSON.stringify(body.ramal)})`);
  if (hasId && !/^[A-Za-z0-9]{1,100}$/.test(body.identificador_interno!)) {
    problems.push(`identificador_interno must be alphanumeric (got ${JSON.stringify(body.identificador_interno)})`);
  }
  if (body.telefone !== undefined && !/^\d{1,20}$/.test(body.telefone)) problems.push(`telefone must be digits only (got ${JSON.stringify(body.telefone)})`);
  for (const key of ['id_cliente', 'codigo_cliente'] as const) {
    const value = body[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && value > 0)) problems.push(`${key} must be a positive integer`);
  }
  if (body.codigo_cliente !== undefined && body.id_cliente === undefined) problems.push('codigo_cliente only together with id_cliente');
  if (body.ligacao_params !== undefined) checkParams(body.ligacao_params, problems);
  if (problems.length > 0) {
    throw new BridgeError('HUBSOFT_REQUEST_INVALID', `invalid PBX call body: ${problems.join('; ')}`, { problems });
  }
  return {
    ...(hasRamal ? { ramal: body.ramal } : { identificador_interno: body.identificador_interno }),
    ...(body.telefone !== undefined ? { telefone: body.telefone } : {}),
    ...(body.id_cliente !== undefined ? { id_cliente: body.id_cliente } : {}),
    ...(body.codigo_cliente !== undefined ? { codigo_cliente: body.codigo_cliente } : {}),
    ...(body.ligacao_params !== undefined ? { ligacao_params: body.ligacao_params } : {}),
  };
}

function checkParams(params: unknown, problems: string[]): void {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    problems.push('ligacao_params must be a JSON object');
    return;
  }
  const entries = Object.entries(params);
  if (entries.length > MAX_PARAMS) problems.push(`ligacao_params holds at most ${MAX_PARAMS} keys`);
  for (const [key, value] of entries) {
    const ok = isFlat(value) || (typeof value !== 'string' && isShortList(value));
    if (!ok) problems.push(`ligacao_params.${key} must be a string (<= ${MAX_PARAM_CHARS} chars), number, boolean, or a list of at most ${MAX_LIST_ITEMS} strings or flat records`);
  }
}

function isFlat(value: unknown): boolean {
  return typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value.length <= MAX_PARAM_CHARS);
}

/** The caller context's lists (atendimentos_abertos, ordem_servico): few items, each a string or a small flat record. */
function isShortList(value: unknown): boolean {
  if (!Array.isArray(value) || value.length > MAX_LIST_ITEMS) return false;
  return value.every((item) => {
    if (typeof item === 'string') return item.length <= MAX_PARAM_CHARS;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return false;
    const fields = Object.values(item as Record<string, unknown>);
    return fields.length <= MAX_RECORD_FIELDS && fields.every((f) => f === null || (typeof f !== 'boolean' && isFlat(f)));
  });
}

function msgOf(body: Record<string, unknown>): string {
  return typeof body.msg === 'string' ? body.msg.slice(0, 300) : '';
}
