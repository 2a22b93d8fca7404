import { BridgeError } from '../errors.js';
import { ATENDIMENTO_PATH } from './atendimento.js';

/** The one thing the edit needs from the HTTP side (HubsoftClient fits). */
export interface ApiPutter {
  put(path: string, json: unknown, options?: { signal?: AbortSignal }): Promise<Record<string, unknown>>;
}

/** 3.2's body: both attributes are "Obrigatório: Sim" in the table; descricao is optional and not sent. */
export interface AtendimentoEdit {
  readonly fechar_atendimento: boolean;
  /** "Array Associativo, JSON": flat here, strings and numbers (url_ligacao, telefone, ...). */
  readonly parametros: Readonly<Record<string, string | number>>;
}

/**
 * PUT /api/v1/integracao/atendimento/<id> (seed 003 section 3.2). The path's id: the seed's example edits
 * ".../atendimento/1" and answers with the ticket's id_atendimento and protocolo; a REST route keys on the
 * id, so it is the id_atendimento that POST /atendimento (3.1) gave back, never the protocolo.
 */
export async function editAtendimento(api: ApiPutter, id_atendimento: number, edit: AtendimentoEdit, options: { signal?: AbortSignal } = {}): Promise<string> {
  if (!Number.isSafeInteger(id_atendimento) || id_atendimento <= 0) {
    throw new BridgeError('HUBSOFT_REQUEST_INVALID', `id_atendimento must be a positive integer (got ${JSON.stringify(id_atendimento)})`);
  }
  const body = { fechar_atendimento: edit.fechar_atendimento === true, parametros: { ...edit.parametros } };
  const answer = await api.put(`${ATENDIMENTO_PATH}/${id_atendimento}`, body, options);
  return typeof answer.msg === 'string' ? answer.msg : '';
}
