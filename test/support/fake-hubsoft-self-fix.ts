/**
 * The fake HubSoft's self-fix and ticket-edit routes (seed 003 sections 4.12, 4.5 and 3.2), validating what
 * their attribute tables say: id_cliente_servico "an integer greater than 0" (required), fechar_atendimento
 * Boolean and parametros "Array Associativo, JSON" (both required). A value that breaks the table answers the
 * validation status (422 by default) naming the field; an id that matches nothing answers 404 (Laravel's model
 * binding) for the path ids, 422 for the body id. A service without authentication data (no PPPoE login) is
 * refused as the seed warns, HTTP 200 {"status":"error"} with a msg, for both the reset and the disconnection.
 */
import type { FakeClient } from './sample-clients.js';

export type SelfFixRoute = 'reset_mac' | 'desconexao' | 'editar_atendimento';

export interface FakeSelfFix {
  readonly route: 'reset_mac' | 'desconexao';
  readonly id_cliente_servico: number;
}

export interface FakeTicketEdit {
  readonly id_atendimento: number;
  readonly fechar_atendimento: boolean;
  readonly parametros: Readonly<Record<string, unknown>>;
}

export interface SelfFixState {
  clients: () => readonly FakeClient[];
  /** id_atendimento of the tickets HubSoft knows (the ones POST /atendimento opened), and whether closed. */
  tickets: () => ReadonlyMap<number, { closed: boolean }>;
  /** Services without authentication data (no login): reset and disconnection are refused. */
  readonly withoutAuthentication: Set<number>;
  readonly selfFixes: FakeSelfFix[];
  readonly ticketEdits: FakeTicketEdit[];
  validationStatus: number;
}

export type Answer = { status: number; body: unknown };

const RESET = '/api/v1/integracao/cliente/reset_mac_addr';
const DISCONNECT = /^\/api\/v1\/integracao\/cliente\/solicitar_desconexao\/([^/]+)$/;
const EDIT = /^\/api\/v1\/integracao\/atendimento\/([^/]+)$/;

/** Which of these routes a request is for, with its path id. */
export function selfFixRoute(method: string, path: string): { route: SelfFixRoute; id: string } | null {
  if (method === 'POST' && path === RESET) return { route: 'reset_mac', id: '' };
  const disconnect = method === 'GET' ? DISCONNECT.exec(path) : null;
  if (disconnect) return { route: 'desconexao', id: decodeURIComponent(disconnect[1]!) };
  const edit = method === 'PUT' ? EDIT.exec(path) : null;
  if (edit) return { route: 'editar_atendimento', id: decodeURIComponent(edit[1]!) };
  return null;
}

const ok = (body: Record<string, unknown>): Answer => ({ status: 200, body: { status: 'success', ...body } });
const refused = (msg: string): Answer => ({ status: 200, body: { status: 'error', msg, errors: [] } });
const notFound = (msg: string): Answer => ({ status: 404, body: { status: 'error', msg } });
const positiveInt = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
};

export function answerSelfFix(match: { route: SelfFixRoute; id: string }, body: unknown, state: SelfFixState): Answer {
  const b = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const invalid = (msg: string, field: string): Answer => ({ status: state.validationStatus, body: { status: 'error', msg, errors: { [field]: [msg] } } });
  const service = (id: number) => state.clients().flatMap((c) => c.servicos).find((s) => s.id_cliente_servico === id);
  switch (match.route) {
    case 'reset_mac': {
      if (b.id_cliente_servico === undefined || b.id_cliente_servico === null || b.id_cliente_servico === '') return invalid('O campo id cliente servico é obrigatório.', 'id_cliente_servico');
      const id = positiveInt(b.id_cliente_servico);
      if (id === null) return invalid('O campo id cliente servico deve ser um número inteiro maior que 0.', 'id_cliente_servico');
      if (!service(id)) return invalid('O campo id cliente servico selecionado é inválido.', 'id_cliente_servico');
      if (state.withoutAuthentication.has(id)) return refused('O serviço informado não possui dados de autenticação.');
      state.selfFixes.push({ route: 'reset_mac', id_cliente_servico: id });
      return ok({ msg: 'Endereço MAC resetado com sucesso!' });
    }
    case 'desconexao': {
      const id = positiveInt(match.id);
      if (id === null) return invalid('O campo id cliente servico deve ser um número inteiro maior que 0.', 'id_cliente_servico');
      if (!service(id)) return notFound('Serviço do cliente não encontrado.');
      const login = `cliente${id}`;
      if (state.withoutAuthentication.has(id)) return refused('O serviço informado não possui dados de autenticação.');
      state.selfFixes.push({ route: 'desconexao', id_cliente_servico: id });
      return ok({ msg: `A desconexão foi bem sucedida para o login ${login}!`, login });
    }
    case 'editar_atendimento': {
      const id = positiveInt(match.id);
      if (id === null) return invalid('O campo id atendimento deve ser um número inteiro maior que 0.', 'id_atendimento');
      const ticket = state.tickets().get(id);
      if (!ticket) return notFound('Atendimento não encontrado.');
      if (b.fechar_atendimento === undefined) return invalid('O campo fechar atendimento é obrigatório.', 'fechar_atendimento');
      if (typeof b.fechar_atendimento !== 'boolean') return invalid('O campo fechar atendimento deve ser verdadeiro ou falso.', 'fechar_atendimento');
      if (b.parametros === undefined) return invalid('O campo parametros é obrigatório.', 'parametros');
      if (b.parametros === null || typeof b.parametros !== 'object' || Array.isArray(b.parametros)) return invalid('O campo parametros deve ser um objeto.', 'parametros');
      if (b.descricao !== undefined && typeof b.descricao !== 'string') return invalid('O campo descricao deve ser um texto.', 'descricao');
      if (ticket.closed) return refused('O atendimento já está fechado.');
      state.ticketEdits.push({ id_atendimento: id, fechar_atendimento: b.fechar_atendimento, parametros: b.parametros as Record<string, unknown> });
      if (b.fechar_atendimento) ticket.closed = true;
      return ok({
        msg: 'Atendimento atualizado com sucesso',
        atendimento: { id_atendimento: id, status_fechamento: b.fechar_atendimento ? 'concluido' : null, parametros: b.parametros },
      });
    }
  }
}
