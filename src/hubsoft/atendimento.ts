import type { HubsoftApi } from './api-port.js';
import { BridgeError } from '../errors.js';

export const ATENDIMENTO_PATH = 'api/v1/integracao/atendimento';

export interface NewAtendimento {
  readonly id_cliente_servico: number;
  readonly descricao: string;
  readonly nome: string;
  /** DDNNNNNNNN(N). */
  readonly telefone: string;
  readonly email?: string;
  readonly abrir_os?: boolean;
}

export interface OpenedAtendimento {
  readonly protocolo: string;
  readonly id_atendimento: number | null;
  readonly msg: string;
}

/** POST /api/v1/integracao/atendimento (seed 003 section 3.1): opens a ticket, resolves with its protocol number. */
export async function openAtendimento(api: HubsoftApi, request: NewAtendimento): Promise<OpenedAtendimento> {
  const answer = await api.post(ATENDIMENTO_PATH, { abrir_os: false, ...request });
  const atendimento = answer.atendimento !== null && typeof answer.atendimento === 'object' ? (answer.atendimento as Record<string, unknown>) : {};
  const protocolo = String(atendimento.protocolo ?? '').replace(/\D/g, '');
  if (!protocolo) throw new BridgeError('HUBSOFT_BAD_RESPONSE', 'HubSoft opened an atendimento but sent no protocolo');
  const id = typeof atendimento.id_atendimento === 'number' ? atendimento.id_atendimento : null;
  return { protocolo: protocolo.slice(0, 30), id_atendimento: id, msg: typeof answer.msg === 'string' ? answer.msg : '' };
}
