/**
 * The fake HubSoft's caller-context routes: GET cliente/atendimento (seed 003 section 4.2) and GET
 * cliente/ordem_servico (4.11), validating the attribute tables: busca in the documented values, termo_busca
 * (required by 4.2; 4.11's table says "Não"), limit 1-50, the enumerated values, YYYY-MM-DD dates. A value off the
 * table answers the validation status (422) with HubSoft's {status:"error", msg, errors:{field:[msg]}}. Seeds
 * silent: a search that matches no client answers HTTP 200 {status:"error", msg, errors:[]} (4.5's error shape).
 */
import type { FakeClient } from './sample-clients.js';
import type { ClientContext, FakeTicket, FakeWorkOrder } from './sample-context.js';

export const CONTEXT_ROUTES = {
  cliente_atendimento: '/api/v1/integracao/cliente/atendimento',
  cliente_ordem_servico: '/api/v1/integracao/cliente/ordem_servico',
} as const;
export type ContextRoute = keyof typeof CONTEXT_ROUTES;

/** Every attribute each route's table documents: a test checks the bridge sends no other. */
export const CONTEXT_QUERY_FIELDS: Record<ContextRoute, readonly string[]> = {
  cliente_atendimento: ['busca', 'termo_busca', 'limit', 'apenas_pendente', 'order_by', 'order_type', 'data_inicio', 'data_fim'],
  cliente_ordem_servico: ['busca', 'termo_busca', 'limit', 'status', 'order_by', 'order_type', 'data_inicio', 'data_fim'],
};

const RULES: Record<ContextRoute, { busca: string[]; termoRequired: boolean; enums: Record<string, string[]> }> = {
  cliente_atendimento: {
    busca: ['codigo_cliente', 'cpf_cnpj', 'id_cliente_servico', 'protocolo'],
    termoRequired: true,
    enums: { apenas_pendente: ['sim', 'nao'], order_by: ['data_cadastro', 'data_fechamento'], order_type: ['asc', 'desc'] },
  },
  cliente_ordem_servico: {
    busca: ['codigo_cliente', 'cpf_cnpj', 'id_cliente_servico', 'numero_ordem_servico'],
    termoRequired: false,
    enums: { status: ['pendente', 'aguardando_agendamento', 'finalizado'], order_by: ['data_cadastro', 'data_inicio_programado'], order_type: ['asc', 'desc'] },
  },
};

export interface ContextState {
  clients: () => readonly FakeClient[];
  /** By id_cliente. */
  contexts: Map<number, ClientContext>;
  validationStatus: number;
}

type Answer = { status: number; body: unknown };

export function contextRoute(method: string, path: string): ContextRoute | null {
  if (method !== 'GET') return null;
  for (const [name, route] of Object.entries(CONTEXT_ROUTES)) if (route === path) return name as ContextRoute;
  return null;
}

export function answerContext(route: ContextRoute, q: Record<string, string>, state: ContextState): Answer {
  const invalid = (field: string, msg: string): Answer => ({ status: state.validationStatus, body: { status: 'error', msg, errors: { [field]: [msg] } } });
  const rules = RULES[route];
  if (!q.busca || !rules.busca.includes(q.busca)) return invalid('busca', 'O campo busca selecionado é inválido.');
  if (rules.termoRequired && !q.termo_busca) return invalid('termo_busca', 'O campo termo busca é obrigatório.');
  const limit = q.limit === undefined ? 20 : Number(q.limit);
  if (!/^\d+$/.test(q.limit ?? '20') || limit < 1 || limit > 50) return invalid('limit', 'O campo limit deve estar entre 1 e 50.');
  for (const [field, values] of Object.entries(rules.enums)) {
    if (q[field] !== undefined && !values.includes(q[field])) return invalid(field, `O campo ${field.replace(/_/g, ' ')} selecionado é inválido.`);
  }
  for (const field of ['data_inicio', 'data_fim']) {
    if (q[field] !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(q[field])) return invalid(field, `O campo ${field.replace(/_/g, ' ')} não corresponde ao formato Y-m-d.`);
  }
  const clients = matching(q, state);
  if (clients === null) return { status: 200, body: { status: 'error', msg: 'Nenhum cliente encontrado com os dados informados.', errors: [] } };
  const desc = (q.order_type ?? (route === 'cliente_atendimento' ? 'asc' : 'desc')) === 'desc';
  if (route === 'cliente_atendimento') {
    const pendente = (q.apenas_pendente ?? 'sim') === 'sim';
    const list = clients.flatMap((c) => (state.contexts.get(c.id_cliente)?.tickets ?? []).filter((t) => !pendente || t.data_fechamento === null).map((t) => ticketOf(t, c, state)));
    const key = (t: { data_cadastro: string }): string => t.data_cadastro.split('/').reverse().join('');
    list.sort((a, b) => key(a).localeCompare(key(b)) * (desc ? -1 : 1));
    return { status: 200, body: { status: 'success', msg: 'Dados consultados com sucesso', atendimentos: list.slice(0, limit) } };
  }
  const orders = clients.flatMap((c) => (state.contexts.get(c.id_cliente)?.workOrders ?? []).filter((o) => !q.status || o.status === q.status).map((o) => orderOf(o, c, state)));
  const field = q.order_by === 'data_inicio_programado' ? 'data_inicio_programado' : 'data_cadastro';
  const key = (o: Record<string, unknown>): string => sortable(String(o[field] ?? ''));
  orders.sort((a, b) => key(a).localeCompare(key(b)) * (desc ? -1 : 1));
  return { status: 200, body: { status: 'success', msg: 'Dados consultados com sucesso', ordens_servico: orders.slice(0, limit) } };
}

/** The clients the search names; null when it names none (answered with status "error"). */
function matching(q: Record<string, string>, state: ContextState): FakeClient[] | null {
  const term = q.termo_busca ?? '';
  const all = state.clients();
  if (term === '') return [...all];
  const hits = all.filter((c) => {
    const ctx = state.contexts.get(c.id_cliente);
    switch (q.busca) {
      case 'codigo_cliente':
        return String(c.codigo_cliente) === term;
      case 'cpf_cnpj':
        return c.cpf_cnpj === term.replace(/\D/g, '');
      case 'id_cliente_servico':
        return c.servicos.some((s) => String(s.id_cliente_servico) === term);
      case 'protocolo':
        return (ctx?.tickets ?? []).some((t) => t.protocolo === term);
      case 'numero_ordem_servico':
        return (ctx?.workOrders ?? []).some((o) => o.numero_ordem_servico === term);
      default:
        return false;
    }
  });
  return hits.length > 0 ? hits : null;
}

const clienteOf = (c: FakeClient) => ({ codigo_cliente: c.codigo_cliente, nome_razaosocial: c.nome_razaosocial, cpf_cnpj: c.cpf_cnpj });

function servicoOf(c: FakeClient, id: number) {
  const s = c.servicos.find((x) => x.id_cliente_servico === id) ?? c.servicos[0];
  return s ? { numero_plano: 0, nome: s.nome, valor: 99.9, status: s.status, status_prefixo: s.status_prefixo } : null;
}

/** The ticket's own fields, as 4.2 lists them and 4.11 repeats them under a work order's `atendimento`. */
function ticketFields(t: FakeTicket) {
  return {
    protocolo: t.protocolo,
    id_atendimento: t.id_atendimento,
    tipo_atendimento: t.tipo_atendimento,
    usuario_abertura: t.usuario_abertura,
    usuario_responsavel: t.usuario_abertura,
    usuario_fechamento: null,
    data_cadastro: t.data_cadastro,
    data_fechamento: t.data_fechamento,
    setor_responsavel: null,
    status_fechamento: null,
    motivo_fechamento: null,
  };
}

function ticketOf(t: FakeTicket, c: FakeClient, state: ContextState) {
  const orders = (state.contexts.get(c.id_cliente)?.workOrders ?? []).filter((o) => o.protocolo === t.protocolo);
  return {
    ...ticketFields(t),
    descricao_abertura: t.descricao_abertura,
    descricao_fechamento: null,
    status: t.status,
    cliente: clienteOf(c),
    ordens_servico: orders.map((o) => {
      const { atendimento: _atendimento, ...rest } = orderOf(o, c, state);
      return rest;
    }),
  };
}

function orderOf(o: FakeWorkOrder, c: FakeClient, state: ContextState) {
  const t = o.protocolo ? state.contexts.get(c.id_cliente)?.tickets.find((x) => x.protocolo === o.protocolo) : undefined;
  // 4.11's `atendimento`: the ticket's own fields, without its client and orders.
  const ticket = t ? ticketFields(t) : null;
  return {
    id_ordem_servico: o.id_ordem_servico,
    numero_ordem_servico: o.numero_ordem_servico,
    data_cadastro: o.data_cadastro,
    tipo: o.tipo,
    data_inicio_programado: o.data_inicio_programado,
    data_termino_programado: o.data_termino_programado,
    data_inicio_executado: null,
    data_termino_executado: null,
    descricao_abertura: o.descricao_abertura,
    descricao_servico: o.descricao_abertura,
    descricao_fechamento: null,
    usuario_abertura: 'Master',
    usuario_fechamento: null,
    status: o.status,
    status_fechamento: o.status === 'finalizado' ? 'concluido' : null,
    atendimento: ticket,
    cliente: clienteOf(c),
    servico: servicoOf(c, o.id_cliente_servico),
  };
}

/** "DD/MM/YYYY HH:MM:SS" -> "YYYYMMDDHHMMSS"; '' sorts first. */
function sortable(value: string): string {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})(?: (\d{2}):(\d{2}):(\d{2}))?/.exec(value);
  return m ? `${m[3]}${m[2]}${m[1]}${m[4] ?? '00'}${m[5] ?? '00'}${m[6] ?? '00'}` : '';
}
