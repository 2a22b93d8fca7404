import { fetchClients, type ClientRecord } from '../../hubsoft/client-record.js';
import type { ClientSummary } from '../../hubsoft/types.js';
import type { IdentifiedClient } from './call-state.js';
import { validDocument } from './document.js';
import { accessValues } from './guards.js';
import type { CommandContext, CommandOutcome, SelfServiceCommand } from './types.js';

/**
 * hubsoft-identify[,linkedid[,CPF_OR_CNPJ]]: without a document, by caller ID (the cached phone lookup: the number
 * is a registered phone of exactly one client); with one, its check digits first (a wrong one never reaches
 * HubSoft: denied/invalid_document), then busca=cpf_cnpj. A typed document is not a confirmation: it allows sends
 * to the registered contacts only. IDENTIFICADO_POR telefone|documento; ALTERACOES sim|confirmar|atendente (may
 * the account be changed now, after hubsoft-confirm, or only by an agent); CONFIRMAR 1 when ALTERACOES=confirmar.
 */
export const identifyCommand: SelfServiceCommand = {
  name: 'hubsoft-identify',
  variable: 'IDENTIFICACAO',
  values: ['ID_CLIENTE', 'CODIGO_CLIENTE', 'IDENTIFICADO_POR', 'CONFIRMAR', 'ALTERACOES'],
  async run(context) {
    const typed = context.args[0] ?? '';
    return typed ? byDocument(context, typed) : byPhone(context);
  },
};

async function byPhone(context: CommandContext): Promise<CommandOutcome> {
  const result = await context.shared.deps.lookup(context.callerId, context.linkedid);
  if (result.status === 'error') return { status: 'error', reason: 'lookup_failed' };
  if (result.status === 'skipped') return { status: 'notfound', reason: 'no_caller_id' };
  if (result.status === 'ambiguous') return { status: 'notfound', reason: 'ambiguous' };
  if (result.status !== 'found' || !result.client) return { status: 'notfound', reason: 'not_found' };
  return identified(context, fromSummary(result.client), false);
}

async function byDocument(context: CommandContext, typed: string): Promise<CommandOutcome> {
  const document = validDocument(typed);
  if (!document) return { status: 'denied', reason: 'invalid_document' };
  const clients = await fetchClients(context.shared.api, 'cpf_cnpj', document.digits);
  const exact = clients.filter((c) => c.cpf_cnpj === document.digits);
  const client = exact.find((c) => c.servicos.some((s) => s.status_prefixo === 'servico_habilitado')) ?? exact[0];
  if (!client) return { status: 'notfound', reason: 'not_found' };
  const { state } = context;
  // Caller ID and the whole document of the same client: identified by caller ID, and confirmed.
  if (state.client?.via === 'phone' && state.client.id_cliente === client.id_cliente) return identified(context, state.client, true);
  return identified(context, fromRecord(client), false);
}

function identified(context: CommandContext, client: IdentifiedClient, confirmed: boolean): CommandOutcome {
  const { state } = context;
  if (state.client?.id_cliente !== client.id_cliente) {
    state.confirmFailures = 0;
    state.confirmed = false;
  }
  state.client = client;
  state.confirmed = state.confirmed || confirmed;
  return {
    status: 'ok',
    values: {
      ID_CLIENTE: String(client.id_cliente),
      CODIGO_CLIENTE: client.codigo_cliente === null ? '' : String(client.codigo_cliente),
      IDENTIFICADO_POR: client.via === 'phone' ? 'telefone' : 'documento',
      ...accessValues(state, context.shared.deps.config),
    },
  };
}

function fromSummary(c: ClientSummary): IdentifiedClient {
  return { id_cliente: c.id_cliente, codigo_cliente: c.codigo_cliente, cpf_cnpj: c.cpf_cnpj?.replace(/\D/g, '') || null, nome_razaosocial: c.nome_razaosocial, via: 'phone' };
}

function fromRecord(c: ClientRecord): IdentifiedClient {
  return { id_cliente: c.id_cliente, codigo_cliente: c.codigo_cliente, cpf_cnpj: c.cpf_cnpj, nome_razaosocial: c.nome_razaosocial, via: 'document' };
}
