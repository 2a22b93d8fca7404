/**
 * Sample HubSoft clients in the shape of GET /api/v1/integracao/cliente (seed 004), trimmed to
 * the fields the bridge reads plus a few for realism. Used by the tests and the demo.
 */

export interface FakeService {
  id_cliente_servico: number;
  nome: string;
  status: string;
  status_prefixo: string;
}

export interface FakeClient {
  id_cliente: number;
  codigo_cliente: number;
  nome_razaosocial: string;
  nome_fantasia: string | null;
  tipo_pessoa: 'pf' | 'pj';
  cpf_cnpj: string;
  telefone_primario: string;
  telefone_secundario: string;
  telefone_terciario: string;
  email_principal: string | null;
  alerta: boolean;
  alerta_mensagens: string[];
  servicos: FakeService[];
}

function service(id: number, nome: string, enabled: boolean): FakeService {
  return enabled
    ? { id_cliente_servico: id, nome, status: 'Serviço Habilitado', status_prefixo: 'servico_habilitado' }
    : { id_cliente_servico: id, nome, status: 'Cancelado', status_prefixo: 'cancelado' };
}

/** A mobile caller with two alerts (fibre cut): what the IVR plays. */
export const MARIA = {
  id_cliente: 11201,
  codigo_cliente: 421,
  nome_razaosocial: 'MARIA APARECIDA SOUZA',
  nome_fantasia: null,
  tipo_pessoa: 'pf',
  cpf_cnpj: '10682083681',
  telefone_primario: '37988242968',
  telefone_secundario: '',
  telefone_terciario: '',
  email_principal: 'maria@example.com.br',
  alerta: true,
  alerta_mensagens: [
    'Existe um rompimento de fibra no bairro Centro, equipe a caminho.',
    'Previsão de normalização às 18h.',
  ],
  servicos: [service(11201, '300M FIBRA', true)],
} satisfies FakeClient;

/** The client `lookup 037999912222` must find. */
export const JOAO = {
  id_cliente: 11202,
  codigo_cliente: 422,
  nome_razaosocial: 'JOAO PEDRO COSTA',
  nome_fantasia: null,
  tipo_pessoa: 'pf',
  cpf_cnpj: '05333614622',
  telefone_primario: '37999912222',
  telefone_secundario: '3732218000',
  telefone_terciario: '',
  email_principal: null,
  alerta: false,
  alerta_mensagens: [],
  servicos: [service(11302, '500M FIBRA', true)],
} satisfies FakeClient;

/** Family phone 3732224444: the mother has the enabled service, the son's was cancelled. */
export const ANA = {
  id_cliente: 11203,
  codigo_cliente: 423,
  nome_razaosocial: 'ANA LUCIA FERREIRA',
  nome_fantasia: null,
  tipo_pessoa: 'pf',
  cpf_cnpj: '22233344455',
  telefone_primario: '3732224444',
  telefone_secundario: '37991110000',
  telefone_terciario: '',
  email_principal: null,
  alerta: false,
  alerta_mensagens: [],
  servicos: [service(11303, '100M FIBRA', true)],
} satisfies FakeClient;

export const LUCAS = {
  id_cliente: 11204,
  codigo_cliente: 424,
  nome_razaosocial: 'LUCAS FERREIRA',
  nome_fantasia: null,
  tipo_pessoa: 'pf',
  cpf_cnpj: '33344455566',
  telefone_primario: '3732224444',
  telefone_secundario: '',
  telefone_terciario: '',
  email_principal: null,
  alerta: false,
  alerta_mensagens: [],
  servicos: [service(11304, '50M FIBRA', false)],
} satisfies FakeClient;

/** Shop phone 3133335555 shared by two companies, both enabled: ambiguous. */
export const PADARIA = {
  id_cliente: 11205,
  codigo_cliente: 425,
  nome_razaosocial: 'PADARIA PAO DOURADO LTDA',
  nome_fantasia: 'PAO DOURADO',
  tipo_pessoa: 'pj',
  cpf_cnpj: '41483316000169',
  telefone_primario: '3133335555',
  telefone_secundario: '',
  telefone_terciario: '',
  email_principal: 'contato@paodourado.com.br',
  alerta: true,
  alerta_mensagens: ['Cliente com fatura em atraso há mais de 30 dias.'],
  servicos: [service(11305, 'LINK DEDICADO 100M', true)],
} satisfies FakeClient;

export const MERCEARIA = {
  id_cliente: 11206,
  codigo_cliente: 426,
  nome_razaosocial: 'MERCEARIA DOURADO ME',
  nome_fantasia: null,
  tipo_pessoa: 'pj',
  cpf_cnpj: '41483316000250',
  telefone_primario: '3133335555',
  telefone_secundario: '',
  telefone_terciario: '',
  email_principal: null,
  alerta: false,
  alerta_mensagens: [],
  servicos: [service(11306, '200M FIBRA', true)],
} satisfies FakeClient;

/** An old record: mobile typed before the 9th digit (3788776655 for the caller 37988776655). */
export const ANTIGO = {
  id_cliente: 11207,
  codigo_cliente: 427,
  nome_razaosocial: 'JOSE ANTIGO DA SILVA',
  nome_fantasia: null,
  tipo_pessoa: 'pf',
  cpf_cnpj: '44455566677',
  telefone_primario: '3788776655',
  telefone_secundario: '',
  telefone_terciario: '',
  email_principal: null,
  alerta: false,
  alerta_mensagens: [],
  servicos: [service(11307, '20M RADIO', true)],
} satisfies FakeClient;

export function sampleClients(): FakeClient[] {
  return structuredClone([MARIA, JOAO, ANA, LUCAS, PADARIA, MERCEARIA, ANTIGO]) as FakeClient[];
}
