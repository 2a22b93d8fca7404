import type { ClientSummary } from './types.js';

/** Bounds for what we keep from a HubSoft answer: it is treated as untrusted input. */
export const PARSE_LIMITS = {
  maxClients: 50,
  maxNameChars: 200,
  maxAlertChars: 1000,
  maxAlerts: 20,
  maxServices: 100,
} as const;

export interface ParsedClientes {
  readonly clients: readonly ClientSummary[];
  /** Entries dropped because they lack a usable id_cliente. */
  readonly dropped: number;
}

/**
 * Reads `clientes` from GET /api/v1/integracao/cliente (seed 004). Returns null when the field
 * is missing or not an array (a malformed answer), so the caller can tell it from "no client".
 */
export function parseClientes(body: Record<string, unknown>): ParsedClientes | null {
  const list = body.clientes;
  if (!Array.isArray(list)) return null;
  const clients: ClientSummary[] = [];
  let dropped = 0;
  for (const entry of list.slice(0, PARSE_LIMITS.maxClients)) {
    const client = parseClient(entry);
    if (client) clients.push(client);
    else dropped += 1;
  }
  return { clients, dropped };
}

export function parseClient(entry: unknown): ClientSummary | null {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return null;
  const raw = entry as Record<string, unknown>;
  const id = toId(raw.id_cliente);
  if (id === null) return null;
  const alerts = Array.isArray(raw.alerta_mensagens)
    ? raw.alerta_mensagens
        .filter((m): m is string => typeof m === 'string')
        .map((m) => clean(m, PARSE_LIMITS.maxAlertChars))
        .filter((m) => m.length > 0)
        .slice(0, PARSE_LIMITS.maxAlerts)
    : [];
  const services = Array.isArray(raw.servicos) ? raw.servicos.slice(0, PARSE_LIMITS.maxServices) : [];
  return {
    id_cliente: id,
    codigo_cliente: toId(raw.codigo_cliente),
    nome_razaosocial: typeof raw.nome_razaosocial === 'string' ? clean(raw.nome_razaosocial, PARSE_LIMITS.maxNameChars) : '',
    cpf_cnpj: typeof raw.cpf_cnpj === 'string' ? clean(raw.cpf_cnpj, 20) || null : null,
    alerta: raw.alerta === true,
    alerta_mensagens: alerts,
    hasEnabledService: services.some(
      (s) => s !== null && typeof s === 'object' && (s as Record<string, unknown>).status_prefixo === 'servico_habilitado',
    ),
    servicos_status_prefixo: services
      .map((s) => (s !== null && typeof s === 'object' ? (s as Record<string, unknown>).status_prefixo : undefined))
      .filter((p): p is string => typeof p === 'string' && /^[a-z0-9_]{1,60}$/.test(p)),
  };
}

export type Choice = { readonly status: 'found'; readonly client: ClientSummary } | { readonly status: 'ambiguous'; readonly client: null };

/**
 * One client: that one. Several (families share phones): the single one with an enabled
 * service, else ambiguous and the agent chooses in HubSoft.
 */
export function chooseClient(clients: readonly ClientSummary[]): Choice | null {
  if (clients.length === 0) return null;
  if (clients.length === 1) return { status: 'found', client: clients[0]! };
  const enabled = clients.filter((c) => c.hasEnabledService);
  if (enabled.length === 1) return { status: 'found', client: enabled[0]! };
  return { status: 'ambiguous', client: null };
}

function toId(value: unknown): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) {
    const n = Number(value);
    return n > 0 ? n : null;
  }
  return null;
}

/** Control characters out, whitespace collapsed, length capped. */
function clean(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, max);
}
