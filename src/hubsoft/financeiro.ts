import type { HubsoftApi } from './api-port.js';
import { toId } from './client-record.js';
import { BridgeError } from '../errors.js';

export const FINANCEIRO_PATH = 'api/v1/integracao/cliente/financeiro';
export const SEND_PATHS = {
  sms: 'api/v1/integracao/cliente/financeiro/enviar_sms',
  email: 'api/v1/integracao/cliente/financeiro/enviar_email',
  push: 'api/v1/integracao/cliente/financeiro/enviar_push',
} as const;
export type SendChannel = keyof typeof SEND_PATHS;

export interface OpenInvoice {
  readonly id_fatura: number;
  readonly valor: number;
  /** As HubSoft sends it: DD/MM/YYYY, YYYY-MM-DD, either with a time. */
  readonly data_vencimento: string;
  /**
   * Noon of the due day in Brasília (UTC-3), epoch seconds: SayUnixTime says the right day in any zone near it.
   * Null when the date cannot be read: the invoice is still offered (an unknown date is no reason to say
   * "no open invoices"), after the dated ones.
   */
  readonly dueAt: number | null;
}

/**
 * Open invoices (seed 003 section 4.7: apenas_pendente=sim, ordered by data_vencimento asc), oldest first.
 * busca is codigo_cliente, cpf_cnpj or id_cliente_servico.
 */
export async function openInvoices(
  api: HubsoftApi,
  busca: 'codigo_cliente' | 'cpf_cnpj' | 'id_cliente_servico',
  termo: string,
  onUnreadableDate: (invoice: OpenInvoice) => void = () => undefined,
): Promise<OpenInvoice[]> {
  const body = await api.get(FINANCEIRO_PATH, { busca, termo_busca: termo, apenas_pendente: 'sim', order_by: 'data_vencimento', order_type: 'asc', limit: 50 });
  if (!Array.isArray(body.faturas)) throw new BridgeError('HUBSOFT_BAD_RESPONSE', 'HubSoft financeiro answered without a "faturas" list');
  const invoices: OpenInvoice[] = [];
  for (const raw of body.faturas.slice(0, 50)) {
    if (raw === null || typeof raw !== 'object') continue;
    const r = raw as Record<string, unknown>;
    const id = toId(r.id_fatura);
    const dueAt = parseHubsoftDate(r.data_vencimento);
    const valor = typeof r.valor === 'number' ? r.valor : typeof r.valor === 'string' ? Number(r.valor) : NaN;
    // apenas_pendente=sim should already leave paid ones out; a data_pagamento says otherwise.
    if (id === null || !Number.isFinite(valor) || (r.data_pagamento !== null && r.data_pagamento !== undefined)) continue;
    const invoice = { id_fatura: id, valor, data_vencimento: String(r.data_vencimento ?? ''), dueAt };
    if (dueAt === null) onUnreadableDate(invoice);
    invoices.push(invoice);
  }
  const order = (i: OpenInvoice) => i.dueAt ?? Number.MAX_SAFE_INTEGER;
  return invoices.sort((a, b) => order(a) - order(b) || a.id_fatura - b.id_fatura);
}

export interface SendExtras {
  /** enviar_sms: telefone_adicional, DDNNNNNNNN(N). */
  readonly telefones?: readonly string[];
  /** enviar_email: email_adicional. */
  readonly emails?: readonly string[];
}

/** POST enviar_sms / enviar_email / enviar_push (seeds 000, 001, 003 sections 4.8-4.10); resolves with HubSoft's msg. */
export async function sendInvoice(api: HubsoftApi, channel: SendChannel, id_fatura: number, extras: SendExtras = {}): Promise<string> {
  const body: Record<string, unknown> = { id_fatura };
  if (channel === 'sms' && extras.telefones && extras.telefones.length > 0) body.telefone_adicional = [...extras.telefones];
  if (channel === 'email' && extras.emails && extras.emails.length > 0) body.email_adicional = [...extras.emails];
  const answer = await api.post(SEND_PATHS[channel], body);
  return typeof answer.msg === 'string' ? answer.msg : '';
}

/** "10/10/2017" -> epoch seconds of 12:00 that day at UTC-3; null otherwise. */
/**
 * The day of a HubSoft date, as noon in Brasília (epoch seconds): `DD/MM/YYYY` or `YYYY-MM-DD` (the API uses
 * both), either followed by a time (` 14:30:00`, `T14:30:00.000Z`), which is ignored. Null for anything else.
 */
export function parseHubsoftDate(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  const br = /^(\d{2})\/(\d{2})\/(\d{4})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/.exec(text);
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  if (!br && !iso) return null;
  const [d, mo, y] = br ? [Number(br[1]), Number(br[2]), Number(br[3])] : [Number(iso![3]), Number(iso![2]), Number(iso![1])];
  const ms = Date.UTC(y, mo - 1, d, 15, 0, 0);
  const check = new Date(ms);
  if (check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1) return null;
  return ms / 1000;
}
