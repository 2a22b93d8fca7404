import type { ClientSummary, LookupResult, LookupStatus } from '../../src/hubsoft/types.js';

export const ROMPIMENTO = 'Existe um rompimento de fibra no bairro Centro, na cidade Divinópolis que está afetando esse cliente';
export const EQUIPE = 'A equipe técnica já está a caminho para resolver o rompimento de fibra';

export function client(overrides: Partial<ClientSummary> = {}): ClientSummary {
  return {
    id_cliente: 1234,
    codigo_cliente: 5678,
    nome_razaosocial: 'Maria da Silva',
    cpf_cnpj: '12345678900',
    alerta: false,
    alerta_mensagens: [],
    hasEnabledService: true,
    ...overrides,
  };
}

export function result(status: LookupStatus, clients: readonly ClientSummary[] = [], reason?: string): LookupResult {
  return {
    status,
    raw: '37999887766',
    phone: status === 'skipped' ? null : '37999887766',
    candidates: ['37999887766'],
    clients,
    client: status === 'found' ? (clients[0] ?? null) : null,
    ...(reason ? { reason } : {}),
  };
}

export const withTwoAlerts = () =>
  result('found', [client({ alerta: true, alerta_mensagens: [ROMPIMENTO, EQUIPE] })]);
export const withoutAlerts = () => result('found', [client()]);
export const notFound = () => result('notfound');
export const ambiguous = () =>
  result('ambiguous', [
    client({ id_cliente: 1, alerta: true, alerta_mensagens: [ROMPIMENTO] }),
    client({ id_cliente: 2, nome_razaosocial: 'João da Silva', alerta: true, alerta_mensagens: [ROMPIMENTO, EQUIPE] }),
  ]);
export const hubsoftDown = () => result('error', [], 'HUBSOFT_TIMEOUT');
