/**
 * The fake HubSoft's self-service routes (seed 003 sections 3.1, 4.4, 4.7-4.10; seeds 000 and 001), validating
 * what the attribute tables say. Where the seeds are silent the fake follows HubSoft's own error shape
 * ({status:"error", msg, errors}) and notes the choice: a rule refusal (unlock over the allowed days, no e-mail
 * to send to, service not blocked) answers HTTP 200 with status "error"; a field that breaks the attribute table
 * answers the validation status (422 by default).
 */
import type { FakeClient, FakeInvoice } from './sample-clients.js';

export const SELF_SERVICE_ROUTES = {
  financeiro: { method: 'GET', path: '/api/v1/integracao/cliente/financeiro' },
  enviar_sms: { method: 'POST', path: '/api/v1/integracao/cliente/financeiro/enviar_sms' },
  enviar_email: { method: 'POST', path: '/api/v1/integracao/cliente/financeiro/enviar_email' },
  enviar_push: { method: 'POST', path: '/api/v1/integracao/cliente/financeiro/enviar_push' },
  desbloqueio: { method: 'POST', path: '/api/v1/integracao/cliente/desbloqueio_confianca' },
  atendimento: { method: 'POST', path: '/api/v1/integracao/atendimento' },
} as const;

export type SelfServiceRoute = keyof typeof SELF_SERVICE_ROUTES;

export function selfServiceRoute(method: string, path: string): SelfServiceRoute | null {
  for (const [name, route] of Object.entries(SELF_SERVICE_ROUTES)) if (route.method === method && route.path === path) return name as SelfServiceRoute;
  return null;
}

/** What the self-service routes did, for assertions and the demo. */
export interface FakeSend {
  readonly channel: 'sms' | 'email' | 'push';
  readonly id_fatura: number;
  readonly id_cliente: number;
  /** SMS: registered mobiles + telefone_adicional; e-mail: registered + email_adicional. */
  readonly to: readonly string[];
}

export interface FakeUnlock {
  readonly id_cliente_servico: number;
  readonly dias_desbloqueio: number;
  readonly ate: string;
}

export interface FakeAtendimento {
  readonly id_atendimento: number;
  readonly protocolo: string;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface SelfServiceState {
  clients: () => readonly FakeClient[];
  invoices: Map<number, FakeInvoice[]>;
  maxUnlockDays: number;
  readonly sends: FakeSend[];
  readonly unlocks: FakeUnlock[];
  readonly atendimentos: FakeAtendimento[];
  now: () => number;
  validationStatus: number;
}

export type Answer = { status: number; body: unknown };

const ok = (body: Record<string, unknown>): Answer => ({ status: 200, body: { status: 'success', ...body } });
const refused = (msg: string): Answer => ({ status: 200, body: { status: 'error', msg, errors: [] } });

export function answerSelfService(route: SelfServiceRoute, query: Record<string, string>, body: unknown, state: SelfServiceState): Answer {
  const b = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const invalid = (msg: string, field: string): Answer => ({ status: state.validationStatus, body: { status: 'error', msg, errors: { [field]: [msg] } } });
  switch (route) {
    case 'financeiro':
      return financeiro(query, state, invalid);
    case 'enviar_sms':
    case 'enviar_email':
    case 'enviar_push':
      return send(route, b, state, invalid);
    case 'desbloqueio':
      return desbloqueio(b, state, invalid);
    case 'atendimento':
      return atendimento(b, state, invalid);
  }
}

type Invalid = (msg: string, field: string) => Answer;
const positiveInt = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
};
const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

function financeiro(q: Record<string, string>, state: SelfServiceState, invalid: Invalid): Answer {
  if (!q.busca || !['cpf_cnpj', 'codigo_cliente', 'id_cliente_servico'].includes(q.busca)) return invalid('O campo busca selecionado é inválido.', 'busca');
  if (!q.termo_busca) return invalid('O campo termo busca é obrigatório.', 'termo_busca');
  const limit = q.limit === undefined ? 20 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 50) return invalid('O campo limit deve estar entre 1 e 50.', 'limit');
  const pendente = q.apenas_pendente ?? 'sim';
  if (!['sim', 'nao'].includes(pendente)) return invalid('O campo apenas pendente selecionado é inválido.', 'apenas_pendente');
  if (q.order_by !== undefined && !['data_vencimento', 'data_pagamento', 'valor'].includes(q.order_by)) return invalid('O campo order by selecionado é inválido.', 'order_by');
  if (q.order_type !== undefined && !['asc', 'desc'].includes(q.order_type)) return invalid('O campo order type selecionado é inválido.', 'order_type');
  const term = q.termo_busca;
  const client = state.clients().find((c) =>
    q.busca === 'cpf_cnpj' ? c.cpf_cnpj === term.replace(/\D/g, '') : q.busca === 'codigo_cliente' ? String(c.codigo_cliente) === term : c.servicos.some((s) => String(s.id_cliente_servico) === term),
  );
  const all = client ? (state.invoices.get(client.id_cliente) ?? []) : [];
  const key = (i: FakeInvoice): string => i.data_vencimento.split('/').reverse().join('');
  const list = all.filter((i) => pendente === 'nao' || i.data_pagamento === null).sort((a, b) => key(a).localeCompare(key(b)));
  if (q.order_type === 'desc') list.reverse();
  const cliente = client ? { codigo_cliente: client.codigo_cliente, nome_razaosocial: client.nome_razaosocial, cpf_cnpj: client.cpf_cnpj } : null;
  return ok({ msg: 'Dados consultados com sucesso', faturas: list.slice(0, limit).map((i) => ({ ...i, especie_dinheiro: 'R$', cliente })) });
}

function send(route: 'enviar_sms' | 'enviar_email' | 'enviar_push', b: Record<string, unknown>, state: SelfServiceState, invalid: Invalid): Answer {
  if (!present(b.id_fatura)) return invalid('O campo id fatura é obrigatório.', 'id_fatura');
  const id = positiveInt(b.id_fatura);
  if (id === null) return invalid('O campo id fatura deve ser um número inteiro.', 'id_fatura');
  const owner = state.clients().find((c) => (state.invoices.get(c.id_cliente) ?? []).some((i) => i.id_fatura === id));
  if (!owner) return invalid('O campo id fatura selecionado é inválido.', 'id_fatura');
  if (route === 'enviar_push') {
    state.sends.push({ channel: 'push', id_fatura: id, id_cliente: owner.id_cliente, to: [owner.cpf_cnpj] });
    return ok({ msg: 'Fatura enviada com sucesso via push notification' });
  }
  if (route === 'enviar_sms') {
    const extra = b.telefone_adicional ?? [];
    if (!Array.isArray(extra)) return invalid('O campo telefone adicional deve ser uma lista.', 'telefone_adicional');
    for (const [i, t] of extra.entries()) {
      if (typeof t !== 'string' || !/^\d{10,11}$/.test(t)) return invalid(`O campo telefone_adicional.${i} deve estar no formato DDNNNNNNNN ou DDNNNNNNNNN.`, `telefone_adicional.${i}`);
    }
    const registered = [owner.telefone_primario, owner.telefone_secundario, owner.telefone_terciario].filter((t) => /^\d{2}9\d{8}$/.test(t));
    const to = [...new Set([...registered, ...(extra as string[])])];
    state.sends.push({ channel: 'sms', id_fatura: id, id_cliente: owner.id_cliente, to });
    return ok({
      msg: 'As faturas foram adicionadas para serem disparadas por SMS. Por se tratar de um processo de envio massivo, o sistema fará o agendamento do disparo. Dentro de alguns minutos o cliente irá receber as mensgens SMS com os dados das faturas. OBS: Para cada fatura selecionada será enviado um SMS',
      job: {
        tries: 1,
        timeout: 172800,
        memory: 2048,
        faturas: [{ id_fatura: id }],
        telefones: to.map((telefone) => ({ id_contato: null, id_cliente: owner.id_cliente, telefone, nome: owner.nome_razaosocial, permite_enviar_sms: true, origem: 'cadastro_cliente' })),
        connection: null,
        queue: 'teste',
      },
    });
  }
  const extra = b.email_adicional ?? [];
  if (!Array.isArray(extra)) return invalid('O campo email adicional deve ser uma lista.', 'email_adicional');
  for (const [i, e] of extra.entries()) {
    if (typeof e !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e)) return invalid(`O campo email_adicional.${i} deve ser um endereço de e-mail válido.`, `email_adicional.${i}`);
  }
  const to = [...new Set([...(owner.email_principal ? [owner.email_principal] : []), ...(extra as string[])])];
  // Seed silent: a client with no address at all cannot be sent anything.
  if (to.length === 0) return refused('Não foi encontrado nenhum e-mail válido para o envio da fatura.');
  state.sends.push({ channel: 'email', id_fatura: id, id_cliente: owner.id_cliente, to });
  return ok({
    msg: `Um total de ${to.length}/${to.length} email(s) foram enviados com sucesso`,
    emails_enviados: to.map((email_destino, i) => ({ id_cliente: owner.id_cliente, email_destino, tipo_envio: 'manual', tipo_documento: 'fatura', lido: false, id_email_enviado: 278 + i })),
  });
}

function desbloqueio(b: Record<string, unknown>, state: SelfServiceState, invalid: Invalid): Answer {
  if (!present(b.id_cliente_servico)) return invalid('O campo id cliente servico é obrigatório.', 'id_cliente_servico');
  const id = positiveInt(b.id_cliente_servico);
  if (id === null) return invalid('O campo id cliente servico deve ser um número inteiro.', 'id_cliente_servico');
  const service = state.clients().flatMap((c) => c.servicos).find((s) => s.id_cliente_servico === id);
  if (!service) return invalid('O campo id cliente servico selecionado é inválido.', 'id_cliente_servico');
  const dias = present(b.dias_desbloqueio) ? positiveInt(b.dias_desbloqueio) : 1;
  if (dias === null) return invalid('O campo dias desbloqueio deve ser um número inteiro maior que 0.', 'dias_desbloqueio');
  if (dias > state.maxUnlockDays) {
    return refused(`O valor informado para os dias de desbloqueio (${dias}) não é permitido, pois ultrapassa a configuração pré-estabelecida de ${state.maxUnlockDays} dia(s).`);
  }
  if (service.status_prefixo === 'servico_habilitado') return refused('O serviço não está bloqueado: não há o que desbloquear.');
  const ate = brDate(state.now() + dias * 86_400_000);
  state.unlocks.push({ id_cliente_servico: id, dias_desbloqueio: dias, ate });
  return ok({ msg: `Desbloqueio em confiança realizado com sucesso até a data ${ate}` });
}

function atendimento(b: Record<string, unknown>, state: SelfServiceState, invalid: Invalid): Answer {
  for (const [field, label] of [['id_cliente_servico', 'id cliente servico'], ['descricao', 'descricao'], ['nome', 'nome'], ['telefone', 'telefone']] as const) {
    if (!present(b[field])) return invalid(`O campo ${label} é obrigatório.`, field);
  }
  const id = positiveInt(b.id_cliente_servico);
  if (id === null) return invalid('O campo id cliente servico deve ser um número inteiro.', 'id_cliente_servico');
  const owner = state.clients().find((c) => c.servicos.some((s) => s.id_cliente_servico === id));
  if (!owner) return invalid('O campo id cliente servico selecionado é inválido.', 'id_cliente_servico');
  if (!/^\d{10,12}$/.test(String(b.telefone))) return invalid('O campo telefone deve estar no formato DDNNNNNNNNNN.', 'telefone');
  if (present(b.email) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(b.email))) return invalid('O campo email deve ser um endereço de e-mail válido.', 'email');
  if (b.abrir_os !== undefined && typeof b.abrir_os !== 'boolean') return invalid('O campo abrir os deve ser verdadeiro ou falso.', 'abrir_os');
  const seq = state.atendimentos.length + 1;
  const d = new Date(state.now() - 3 * 3_600_000);
  const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  const protocolo = `${stamp}${seq}`;
  const entry = { id_atendimento: 300 + seq, protocolo, body: b };
  state.atendimentos.push(entry);
  return ok({
    msg: `Atendimento aberto com sucesso. Anote o protocolo: ${protocolo}.`,
    atendimento: {
      id_atendimento: entry.id_atendimento,
      protocolo,
      descricao_abertura: `${String(b.descricao)} | ATENDIMENTO ABERTO VIA API`,
      tipo_atendimento: 'SAC',
      status: 'Aguardando Análise',
      cliente: { codigo_cliente: owner.codigo_cliente, nome_razaosocial: owner.nome_razaosocial, cpf_cnpj: owner.cpf_cnpj },
      ordens_servico: [],
    },
  });
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** DD/MM/YYYY in Brasília time (UTC-3). */
function brDate(ms: number): string {
  const d = new Date(ms - 3 * 3_600_000);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
}
