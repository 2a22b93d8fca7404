import type { SearchParams } from './client.js';
import { toId } from './client-record.js';
import { isRecord } from './http.js';
import { BridgeError } from '../errors.js';

/** Seed 003 section 4.2: a client's tickets (GET, busca + termo_busca). */
export const CLIENT_TICKETS_PATH = 'api/v1/integracao/cliente/atendimento';
/** Seed 003 section 4.11: a client's work orders (GET, busca + termo_busca, status). */
export const CLIENT_WORK_ORDERS_PATH = 'api/v1/integracao/cliente/ordem_servico';

/** busca values both routes accept (4.2 also takes protocolo, 4.11 numero_ordem_servico: not used here). */
export type ContextBusca = 'codigo_cliente' | 'cpf_cnpj';
/** The 4.11 status values that are still open ("finalizado" is the third). One value per request. */
export const PENDING_WORK_ORDER_STATUSES = ['pendente', 'aguardando_agendamento'] as const;
export type PendingWorkOrderStatus = (typeof PENDING_WORK_ORDER_STATUSES)[number];

export interface ContextGetter {
  get(path: string, searchParams: SearchParams): Promise<Record<string, unknown>>;
}

export interface OpenTicket {
  readonly id_atendimento: number | null;
  readonly protocolo: string;
  /** As HubSoft sends it (DD/MM/YYYY). */
  readonly data_cadastro: string;
  readonly tipo_atendimento: string;
}

export interface WorkOrder {
  readonly numero_ordem_servico: string;
  readonly tipo: string;
  readonly status: PendingWorkOrderStatus;
  /** As HubSoft sends it (DD/MM/YYYY HH:MM:SS, HubSoft's local time); '' when absent. */
  readonly data_inicio_programado: string;
  /** The protocol of the ticket the order belongs to (4.11 `atendimento.protocolo`), null when none. */
  readonly protocolo: string | null;
}

/** Most entries read from one answer: the answer is untrusted input. */
const MAX_ENTRIES = 50;

/**
 * The client's open tickets, newest first (apenas_pendente=sim, order_by data_cadastro desc, limit 50: the
 * count is exact up to 50). A ticket with a data_fechamento is left out whatever HubSoft says.
 */
export async function fetchOpenTickets(api: ContextGetter, busca: ContextBusca, termo: string): Promise<OpenTicket[]> {
  const body = await api.get(CLIENT_TICKETS_PATH, {
    busca,
    termo_busca: termo,
    apenas_pendente: 'sim',
    order_by: 'data_cadastro',
    order_type: 'desc',
    limit: MAX_ENTRIES,
  });
  if (!Array.isArray(body.atendimentos)) throw new BridgeError('HUBSOFT_BAD_RESPONSE', 'HubSoft cliente/atendimento answered without an "atendimentos" list');
  const tickets: OpenTicket[] = [];
  for (const raw of body.atendimentos.slice(0, MAX_ENTRIES)) {
    if (!isRecord(raw) || (raw.data_fechamento !== null && raw.data_fechamento !== undefined && raw.data_fechamento !== '')) continue;
    const protocolo = oneLine(raw.protocolo, 30);
    if (!protocolo) continue;
    tickets.push({
      id_atendimento: toId(raw.id_atendimento),
      protocolo,
      data_cadastro: oneLine(raw.data_cadastro, 30),
      tipo_atendimento: oneLine(raw.tipo_atendimento, 100),
    });
  }
  // HubSoft's data_cadastro is a day: newest day first, HubSoft's order within a day (stable sort).
  const day = (t: OpenTicket): string => dayKey(t.data_cadastro);
  return tickets.sort((a, b) => day(b).localeCompare(day(a)));
}

/** The client's work orders in one status (order_by data_inicio_programado asc, limit 20). */
export async function fetchWorkOrders(api: ContextGetter, busca: ContextBusca, termo: string, status: PendingWorkOrderStatus): Promise<WorkOrder[]> {
  const body = await api.get(CLIENT_WORK_ORDERS_PATH, {
    busca,
    termo_busca: termo,
    status,
    order_by: 'data_inicio_programado',
    order_type: 'asc',
    limit: 20,
  });
  if (!Array.isArray(body.ordens_servico)) throw new BridgeError('HUBSOFT_BAD_RESPONSE', 'HubSoft cliente/ordem_servico answered without an "ordens_servico" list');
  const orders: WorkOrder[] = [];
  for (const raw of body.ordens_servico.slice(0, MAX_ENTRIES)) {
    // The status asked for; an order HubSoft returns in another one (finalizado) is not pending.
    if (!isRecord(raw) || raw.status !== status) continue;
    const numero = oneLine(raw.numero_ordem_servico, 30);
    if (!numero) continue;
    const atendimento = isRecord(raw.atendimento) ? raw.atendimento : null;
    orders.push({
      numero_ordem_servico: numero,
      tipo: oneLine(raw.tipo, 100),
      status,
      data_inicio_programado: oneLine(raw.data_inicio_programado, 30),
      protocolo: atendimento ? oneLine(atendimento.protocolo, 30) || null : null,
    });
  }
  return orders;
}

/**
 * A HubSoft date-time in HubSoft's wall time -> epoch seconds: `DD/MM/YYYY HH:MM[:SS]` (what 4.2/4.11 send) or
 * `YYYY-MM-DD HH:MM[:SS]`; `utcOffsetMinutes` is HubSoft's zone (-180 for Brasília). Null for anything else.
 */
export function parseWallDateTime(value: string, utcOffsetMinutes: number): number | null {
  const parts = wallParts(value);
  if (!parts) return null;
  const [y, mo, d, h, mi] = parts;
  const ms = Date.UTC(y, mo - 1, d, h, mi, 0);
  const check = new Date(ms);
  if (check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1 || h > 23 || mi > 59) return null;
  return Math.floor((ms - utcOffsetMinutes * 60_000) / 1000);
}

/** [year, month, day, hour, minute] of a wall date-time, or null. */
export function wallParts(value: string): [number, number, number, number, number] | null {
  const text = value.trim();
  const br = /^(\d{2})\/(\d{2})\/(\d{4})[ T](\d{2}):(\d{2})(?::\d{2})?$/.exec(text);
  if (br) return [Number(br[3]), Number(br[2]), Number(br[1]), Number(br[4]), Number(br[5])];
  const iso = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(text);
  return iso ? [Number(iso[1]), Number(iso[2]), Number(iso[3]), Number(iso[4]), Number(iso[5])] : null;
}

/** "19/06/2018" -> "20180619" (sortable); '' when not a date. */
function dayKey(value: string): string {
  const br = /^(\d{2})\/(\d{2})\/(\d{4})/.exec(value);
  if (br) return `${br[3]}${br[2]}${br[1]}`;
  const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  return iso ? `${iso[1]}${iso[2]}${iso[3]}` : '';
}

// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** One line of text (controls -> spaces), at most `max` characters; '' when not a string or number. */
function oneLine(value: unknown, max: number): string {
  if (typeof value !== 'string' && typeof value !== 'number') return '';
  return String(value).replace(CONTROLS, ' ').replace(/\s+/g, ' ').trim().slice(0, max);
}

