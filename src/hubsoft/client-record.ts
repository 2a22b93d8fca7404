import { CLIENTE_PATH } from './customers.js';
import type { HubsoftApi } from './api-port.js';
import { isRecord } from './http.js';
import { BridgeError } from '../errors.js';

/** Last RADIUS session of a service (`ultima_conexao=sim`, seed 003 section 4.3). */
export interface LastConnection {
  readonly conectado: boolean;
  /** Epoch seconds of ultima_conexao_datetime / ultima_desconexao_datetime, null when absent. */
  readonly connectedAt: number | null;
  readonly disconnectedAt: number | null;
  readonly status_txt_resumido: string;
}

export interface ServiceRecord {
  readonly id_cliente_servico: number;
  readonly nome: string;
  readonly status: string;
  readonly status_prefixo: string;
  /** null when not asked for, or HubSoft has none (it answers `[]`). */
  readonly ultima_conexao: LastConnection | null;
}

/** The parts of a full client record the self-service commands use. */
export interface ClientRecord {
  readonly id_cliente: number;
  readonly codigo_cliente: number | null;
  readonly nome_razaosocial: string;
  readonly cpf_cnpj: string | null;
  readonly telefones: readonly string[];
  readonly servicos: readonly ServiceRecord[];
}

/** GET /api/v1/integracao/cliente by codigo_cliente or cpf_cnpj, optionally with the last connection. */
export async function fetchClients(
  api: HubsoftApi,
  busca: 'codigo_cliente' | 'cpf_cnpj',
  termo: string,
  options: { ultimaConexao?: boolean; limit?: number } = {},
): Promise<ClientRecord[]> {
  const body = await api.get(CLIENTE_PATH, {
    busca,
    termo_busca: termo,
    limit: options.limit ?? 5,
    ...(options.ultimaConexao ? { ultima_conexao: 'sim' } : {}),
  });
  if (!Array.isArray(body.clientes)) throw new BridgeError('HUBSOFT_BAD_RESPONSE', `HubSoft client search by ${busca} answered without a "clientes" list`);
  return body.clientes.slice(0, 50).map(parseRecord).filter((c): c is ClientRecord => c !== null);
}

function parseRecord(raw: unknown): ClientRecord | null {
  if (!isRecord(raw)) return null;
  const id = toId(raw.id_cliente);
  if (id === null) return null;
  const phones = [raw.telefone_primario, raw.telefone_secundario, raw.telefone_terciario]
    .filter((p): p is string => typeof p === 'string')
    .map((p) => p.replace(/\D/g, ''))
    .filter((p) => p.length >= 10 && p.length <= 11);
  const services = Array.isArray(raw.servicos) ? raw.servicos.slice(0, 100) : [];
  return {
    id_cliente: id,
    codigo_cliente: toId(raw.codigo_cliente),
    nome_razaosocial: text(raw.nome_razaosocial, 200),
    cpf_cnpj: typeof raw.cpf_cnpj === 'string' && raw.cpf_cnpj ? raw.cpf_cnpj.replace(/\D/g, '') : null,
    telefones: [...new Set(phones)],
    servicos: services.map(parseService).filter((s): s is ServiceRecord => s !== null),
  };
}

function parseService(raw: unknown): ServiceRecord | null {
  if (!isRecord(raw)) return null;
  const id = toId(raw.id_cliente_servico);
  if (id === null) return null;
  return {
    id_cliente_servico: id,
    nome: text(raw.nome, 100),
    status: text(raw.status, 100),
    status_prefixo: text(raw.status_prefixo, 100),
    ultima_conexao: parseLastConnection(raw.ultima_conexao),
  };
}

function parseLastConnection(raw: unknown): LastConnection | null {
  if (!isRecord(raw) || typeof raw.conectado !== 'boolean') return null;
  return {
    conectado: raw.conectado,
    connectedAt: parseHubsoftDateTime(raw.ultima_conexao_datetime),
    disconnectedAt: parseHubsoftDateTime(raw.ultima_desconexao_datetime),
    status_txt_resumido: text(raw.status_txt_resumido, 200),
  };
}

/** "2019-12-15 18:22:24-03" -> epoch seconds; null when absent or not that shape. */
export function parseHubsoftDateTime(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.\d+)?([+-]\d{2})(?::?(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[3]}:${m[4] ?? '00'}`);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
}

export function toId(value: unknown): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value) && Number(value) > 0) return Number(value);
  return null;
}

function text(value: unknown, max: number): string {
  // eslint-disable-next-line no-control-regex
  return typeof value === 'string' ? value.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, max) : '';
}
