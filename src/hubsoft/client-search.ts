import { BridgeError, isBridgeError } from '../errors.js';
import { chooseClient, parseClientes, type Choice } from './client-parse.js';
import { isSamePhone } from './phone.js';
import type { ClientSummary } from './types.js';

export const CLIENTE_PATH = 'api/v1/integracao/cliente';

/** The one thing a phone search needs from the HTTP side (HubsoftClient fits). */
export interface ApiGetter {
  get(path: string, searchParams: Readonly<Record<string, string | number>>): Promise<Record<string, unknown>>;
}

/** What one search term gave: clients of the caller's number, none, or a failure. Never a rejection. */
export type TermAnswer =
  | { readonly kind: 'hit'; readonly clients: readonly ClientSummary[]; readonly choice: Choice }
  | { readonly kind: 'miss'; /** Clients HubSoft returned whose phones are not the caller's. */ readonly foreign: number }
  | { readonly kind: 'error'; readonly error: unknown };

export interface TermSearch {
  readonly client: ApiGetter;
  /** The caller's national number (normalisePhone().national): every client kept has it among its phones. */
  readonly caller: string;
  readonly defaultAreaCode?: string;
  readonly limit: number;
  /** Entries without a usable id_cliente were dropped. */
  readonly onDropped?: (term: string, dropped: number) => void;
}

const PHONE_FIELDS = ['telefone_primario', 'telefone_secundario', 'telefone_terciario'] as const;
/** "Nenhum cliente encontrado", "Cliente não encontrado", "Não foram encontrados clientes"... (not Laravel's "Not Found" of a wrong URL). */
const NO_RESULT_MSG = /n[aã]o\s+(?:foi\s+|foram\s+)?encontrad|nenhum\w*\s+(?:\w+\s+)?encontrad|nenhum\s+cliente|nenhum\s+resultado/i;

/**
 * HubSoft's "no client" said as an error: some versions answer an empty search with
 * {"status":"error","msg":"Nenhum cliente encontrado","clientes":[]} (HTTP 200), others with a 404 and such a msg.
 * Other refusals (422 with field errors, 5xx, HTML) are real errors.
 */
export function isNoResultAnswer(error: unknown): boolean {
  if (!isBridgeError(error)) return false;
  const msg = typeof error.details.msg === 'string' ? error.details.msg : '';
  const emptyList = error.details.clientes === 0;
  if (error.code === 'HUBSOFT_STATUS_ERROR') return emptyList || NO_RESULT_MSG.test(msg);
  return error.code === 'HUBSOFT_HTTP' && Number(error.details.status) === 404 && (emptyList || NO_RESULT_MSG.test(msg));
}

/**
 * GET /api/v1/integracao/cliente?busca=telefone for one term. termo_busca is free text: HubSoft may return a
 * client in another city with the same last digits, so only clients with the caller's number among their phones count.
 */
export async function searchTerm(search: TermSearch, term: string): Promise<TermAnswer> {
  let body: Record<string, unknown>;
  try {
    body = await search.client.get(CLIENTE_PATH, { busca: 'telefone', termo_busca: term, limit: search.limit });
  } catch (error) {
    return isNoResultAnswer(error) ? { kind: 'miss', foreign: 0 } : { kind: 'error', error: named(error, term) };
  }
  const list = body.clientes;
  if (!Array.isArray(list)) {
    return { kind: 'error', error: new BridgeError('HUBSOFT_BAD_RESPONSE', `HubSoft client search for ${term} answered without a "clientes" list`) };
  }
  const callers = list.filter((entry) => hasPhone(entry, search.caller, search.defaultAreaCode));
  const parsed = parseClientes({ clientes: callers })!;
  if (parsed.dropped > 0) search.onDropped?.(term, parsed.dropped);
  const choice = chooseClient(parsed.clients);
  return choice ? { kind: 'hit', clients: parsed.clients, choice } : { kind: 'miss', foreign: list.length - callers.length };
}

function hasPhone(entry: unknown, caller: string, defaultAreaCode: string | undefined): boolean {
  if (entry === null || typeof entry !== 'object') return false;
  const raw = entry as Record<string, unknown>;
  return PHONE_FIELDS.some((field) => typeof raw[field] === 'string' && isSamePhone(caller, raw[field], defaultAreaCode));
}

/** The failure says which search term it was about; code and details stay as they were. */
function named(error: unknown, term: string): unknown {
  if (!isBridgeError(error)) return error;
  return new BridgeError(error.code, `client search for ${term}: ${error.message}`, { ...error.details, term });
}
