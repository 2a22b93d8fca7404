import NodeCache from 'node-cache';
import type { Logger } from '../log/logger.js';
import { withinDeadline } from '../util/deadline.js';
import {
  fetchOpenTickets,
  fetchWorkOrders,
  parseWallDateTime,
  wallParts,
  PENDING_WORK_ORDER_STATUSES,
  type ContextBusca,
  type OpenTicket,
  type PendingWorkOrderStatus,
} from './context-requests.js';
import { openInvoices } from './financeiro.js';
import type { HubsoftApi } from './api-port.js';
import type { ClientSummary, LookupResult } from './types.js';

/** The client's service status, from servicos[].status_prefixo (seed 003 4.3 / seed 004). */
export type ServiceStatus = 'habilitado' | 'bloqueado' | 'suspenso' | 'cancelado' | 'outro';
/** When a work order is scheduled, relative to the day it was read (HubSoft's zone). */
export type WhenScheduled = 'passado' | 'hoje' | 'amanha' | 'futuro';
/** The routing hint for the dialplan, in precedence order (first that applies). */
export const ROUTES = ['blocked', 'overdue', 'visit-scheduled', 'open-ticket', 'normal'] as const;
export type CallerRoute = (typeof ROUTES)[number];

/** At most this many tickets and work orders are kept per caller (the agent's window, the IVR). */
export const MAX_CONTEXT_ENTRIES = 3;

export interface ScheduledWorkOrder {
  readonly numero_ordem_servico: string;
  readonly tipo: string;
  readonly status: PendingWorkOrderStatus;
  readonly data_inicio_programado: string;
  readonly protocolo: string | null;
  /** Epoch seconds of data_inicio_programado (for SayUnixTime); null when absent or unreadable. */
  readonly scheduledAt: number | null;
  /** DDMMYYYYHHMM in HubSoft's wall time (for SayDigits/SayNumber slices); null with scheduledAt. */
  readonly digits: string | null;
  readonly when: WhenScheduled | null;
}

/** What HubSoft knows about an identified caller beyond the lookup. A part is null when it could not be read. */
export interface CallerContext {
  /** From the lookup's client record: null when the record had no services. */
  readonly status_servico: ServiceStatus | null;
  readonly atendimentos: { readonly total: number; readonly newest: readonly OpenTicket[] } | null;
  /** Pending orders, the next scheduled first (from today on, soonest first; then the others, latest first). */
  readonly ordens_servico: readonly ScheduledWorkOrder[] | null;
  readonly faturas_vencidas: number | null;
}

export interface CallerContextConfig {
  readonly ttlSeconds: number;
  readonly cacheMaxKeys: number;
  /** HubSoft's zone as an offset, "-03:00". */
  readonly utcOffset: string;
}

export interface CallerContextDeps {
  readonly api: HubsoftApi;
  readonly config: CallerContextConfig;
  readonly logger: Logger;
  readonly now?: () => number;
}

type Fetched = Omit<CallerContext, 'status_servico'>;

/**
 * Open tickets, pending work orders and overdue invoices of an identified caller, fetched in parallel (four GETs),
 * cached per client for ttlSeconds (complete answers only), one fetch per client at a time. forCaller never takes
 * longer than its deadline: a late or failed part is left out (null), and a late fetch goes on to fill the cache.
 */
export class CallerContextSource {
  private readonly cache: NodeCache;
  private readonly inflight = new Map<string, Promise<Fetched>>();
  private readonly now: () => number;
  private readonly offsetMinutes: number;

  constructor(private readonly deps: CallerContextDeps) {
    this.now = deps.now ?? Date.now;
    this.offsetMinutes = offsetMinutesOf(deps.config.utcOffset);
    this.cache = new NodeCache({ stdTTL: 0, checkperiod: 0, useClones: false, maxKeys: deps.config.cacheMaxKeys });
  }

  /** Null unless exactly one client was found. Resolves within deadlineMs (a cached answer at once). */
  async forCaller(result: LookupResult, deadlineMs: number): Promise<CallerContext | null> {
    const client = result.status === 'found' ? result.client : null;
    if (!client) return null;
    const base: CallerContext = { status_servico: serviceStatusOf(client), atendimentos: null, ordens_servico: null, faturas_vencidas: null };
    const search = searchOf(client);
    if (!search) return base;
    const timed = await withinDeadline(this.fetch(search.busca, search.termo), deadlineMs);
    if (timed.kind === 'done') return { ...base, ...timed.value };
    if (timed.kind === 'late') this.deps.logger.debug({ id_cliente: client.id_cliente, deadlineMs }, 'caller context not ready within the budget: left out');
    else this.deps.logger.warn({ id_cliente: client.id_cliente, err: timed.error }, 'caller context failed: left out');
    return base;
  }

  stats(): { size: number; inflight: number } {
    return { size: this.cache.getStats().keys, inflight: this.inflight.size };
  }

  private fetch(busca: ContextBusca, termo: string): Promise<Fetched> {
    const key = `${busca}:${termo}`;
    const cached = this.cache.get<{ expiresAt: number; value: Fetched }>(key);
    if (cached && cached.expiresAt > this.now()) return Promise.resolve(cached.value);
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.ask(busca, termo, key).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async ask(busca: ContextBusca, termo: string, key: string): Promise<Fetched> {
    const { api, logger, config } = this.deps;
    const [pendingStatus, waitingStatus] = PENDING_WORK_ORDER_STATUSES;
    const [tickets, pending, waiting, invoices] = await Promise.allSettled([
      fetchOpenTickets(api, busca, termo),
      fetchWorkOrders(api, busca, termo, pendingStatus),
      fetchWorkOrders(api, busca, termo, waitingStatus),
      openInvoices(api, busca, termo),
    ]);
    const failed = [tickets, pending, waiting, invoices].filter((p) => p.status === 'rejected');
    for (const failure of failed) logger.warn({ busca, err: (failure as PromiseRejectedResult).reason }, 'caller context: a HubSoft request failed');
    const now = this.now();
    const value: Fetched = {
      atendimentos: tickets.status === 'fulfilled' ? { total: tickets.value.length, newest: tickets.value.slice(0, MAX_CONTEXT_ENTRIES) } : null,
      ordens_servico:
        pending.status === 'fulfilled' && waiting.status === 'fulfilled'
          ? orderWorkOrders([...pending.value, ...waiting.value].map((o) => schedule(o, now, this.offsetMinutes)), now, this.offsetMinutes).slice(0, MAX_CONTEXT_ENTRIES)
          : null,
      faturas_vencidas: invoices.status === 'fulfilled' ? invoices.value.filter((i) => i.dueAt !== null && i.dueAt < noonToday(now, this.offsetMinutes)).length : null,
    };
    if (failed.length === 0 && config.ttlSeconds > 0) {
      if (this.cache.getStats().keys >= config.cacheMaxKeys) this.cache.flushAll();
      this.cache.set(key, { expiresAt: now + config.ttlSeconds * 1000, value });
    }
    return value;
  }
}

/**
 * The most telling status of the client's services: bloqueado, then suspenso, then habilitado, then any other
 * (aguardando_instalacao...), cancelado only when every service is. The seeds list no prefixes: besides
 * "servico_habilitado" and "cancelado" they are matched by word ("servico_bloqueado", "bloqueio_*", "suspenso_*").
 */
export function serviceStatusOf(client: Pick<ClientSummary, 'servicos_status_prefixo'>): ServiceStatus | null {
  const prefixes = client.servicos_status_prefixo ?? [];
  if (prefixes.length === 0) return null;
  const kinds = new Set(prefixes.map(kindOf));
  for (const kind of ['bloqueado', 'suspenso', 'habilitado', 'outro', 'cancelado'] as const) if (kinds.has(kind)) return kind;
  return null;
}

function kindOf(prefix: string): ServiceStatus {
  if (/^servico_habilitado/.test(prefix)) return 'habilitado';
  if (/(^|_)bloque/.test(prefix)) return 'bloqueado';
  if (/(^|_)suspens/.test(prefix)) return 'suspenso';
  if (/^cancelad/.test(prefix)) return 'cancelado';
  return 'outro';
}

/** blocked > overdue > visit-scheduled > open-ticket > normal (what is known; unknown parts count as nothing). */
export function routeOf(context: CallerContext): CallerRoute {
  if (context.status_servico === 'bloqueado' || context.status_servico === 'suspenso') return 'blocked';
  if ((context.faturas_vencidas ?? 0) > 0) return 'overdue';
  const next = context.ordens_servico?.[0];
  if (next && next.status === 'pendente' && (next.when === 'hoje' || next.when === 'amanha' || next.when === 'futuro')) return 'visit-scheduled';
  if ((context.atendimentos?.total ?? 0) > 0) return 'open-ticket';
  return 'normal';
}

function searchOf(client: ClientSummary): { busca: ContextBusca; termo: string } | null {
  if (client.codigo_cliente !== null && client.codigo_cliente !== undefined) return { busca: 'codigo_cliente', termo: String(client.codigo_cliente) };
  // A CPF can hold several clients: only without a codigo_cliente (HubSoft always has one; a defensive fallback).
  if (client.cpf_cnpj && /^\d{11,14}$/.test(client.cpf_cnpj.replace(/\D/g, ''))) return { busca: 'cpf_cnpj', termo: client.cpf_cnpj.replace(/\D/g, '') };
  return null;
}

function schedule(order: Omit<ScheduledWorkOrder, 'scheduledAt' | 'digits' | 'when'>, now: number, offsetMinutes: number): ScheduledWorkOrder {
  const scheduledAt = parseWallDateTime(order.data_inicio_programado, offsetMinutes);
  const parts = scheduledAt === null ? null : wallParts(order.data_inicio_programado);
  const pad = (n: number, size = 2): string => String(n).padStart(size, '0');
  return {
    ...order,
    scheduledAt,
    digits: parts ? `${pad(parts[2])}${pad(parts[1])}${pad(parts[0], 4)}${pad(parts[3])}${pad(parts[4])}` : null,
    when: scheduledAt === null ? null : whenOf(scheduledAt, now, offsetMinutes),
  };
}

/** From today on, soonest first; then the past and undated ones, latest first. */
function orderWorkOrders(orders: ScheduledWorkOrder[], now: number, offsetMinutes: number): ScheduledWorkOrder[] {
  const today = dayStart(now, offsetMinutes) / 1000;
  const upcoming = orders.filter((o) => o.scheduledAt !== null && o.scheduledAt >= today).sort((a, b) => a.scheduledAt! - b.scheduledAt!);
  const others = orders.filter((o) => !upcoming.includes(o)).sort((a, b) => (b.scheduledAt ?? -Infinity) - (a.scheduledAt ?? -Infinity));
  return [...upcoming, ...others];
}

function whenOf(scheduledAt: number, now: number, offsetMinutes: number): WhenScheduled {
  const days = Math.floor((scheduledAt * 1000 - dayStart(now, offsetMinutes)) / 86_400_000);
  return days < 0 ? 'passado' : days === 0 ? 'hoje' : days === 1 ? 'amanha' : 'futuro';
}

/** Epoch ms of 00:00 of now's day in HubSoft's zone. */
function dayStart(now: number, offsetMinutes: number): number {
  const wall = now + offsetMinutes * 60_000;
  return wall - (((wall % 86_400_000) + 86_400_000) % 86_400_000) - offsetMinutes * 60_000;
}

/** financeiro.ts dates are noon of the due day at UTC-3 (15:00 UTC): today's, in the same form. */
function noonToday(now: number, offsetMinutes: number): number {
  const wall = new Date(now + offsetMinutes * 60_000);
  return Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate(), 15, 0, 0) / 1000;
}

/** "-03:00" -> -180. */
export function offsetMinutesOf(offset: string): number {
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(offset);
  if (!m) return -180;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}
