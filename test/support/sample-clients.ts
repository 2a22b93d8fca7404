/**
 * Sample HubSoft clients in the shape of GET /api/v1/integracao/cliente (seed 004), trimmed to
 * the fields the bridge reads plus a few for realism. Used by the tests and the demo.
 */

export interface FakeService {
  id_cliente_servico: number;
  nome: string;
  status: string;
  status_prefixo: string;
  /** Returned only with ultima_conexao=sim (seed 003 section 4.3); `[]` when HubSoft has no session. */
  ultima_conexao?: FakeLastConnection | [];
}

export interface FakeLastConnection {
  conectado: boolean;
  ultima_conexao_datetime: string | null;
  ultima_desconexao_datetime: string | null;
  ultima_conexao: string | null;
  ultima_desconexao: string | null;
  ultimo_ipv4: string | null;
  ultimo_nas_ip: string | null;
  status_txt: string;
  status_txt_resumido: string;
}

/** An invoice in the shape of GET /api/v1/integracao/cliente/financeiro (seed 003 section 4.7), trimmed. */
export interface FakeInvoice {
  id_fatura: number;
  valor: number;
  /** DD/MM/YYYY */
  data_vencimento: string;
  data_pagamento: string | null;
  tipo_cobranca: string;
  linha_digitavel: string | null;
  link: string | null;
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

/** Self-service caller: valid CPF, a mobile, an e-mail, a service blocked for debt (seed prefixes are undocumented). */
export const CARLOS = {
  id_cliente: 11208,
  codigo_cliente: 428,
  nome_razaosocial: 'CARLOS EDUARDO LIMA',
  nome_fantasia: null,
  tipo_pessoa: 'pf',
  cpf_cnpj: '12345678909',
  telefone_primario: '37998001122',
  telefone_secundario: '',
  telefone_terciario: '',
  email_principal: 'carlos@example.com.br',
  alerta: false,
  alerta_mensagens: [],
  servicos: [
    {
      id_cliente_servico: 11308,
      nome: '200M FIBRA',
      status: 'Suspenso por Débito',
      status_prefixo: 'servico_bloqueado',
      ultima_conexao: {
        conectado: false,
        ultima_conexao_datetime: '2024-03-01 08:00:00-03',
        ultima_desconexao_datetime: '2024-03-10 00:05:00-03',
        ultima_conexao: '01/03/2024 08:00:00',
        ultima_desconexao: '10/03/2024 00:05:00',
        ultimo_ipv4: '189.90.210.101',
        ultimo_nas_ip: '10.28.33.20',
        status_txt: 'DESCONECTADO HÁ 0 MES(ES), 2 DIA(S), 10 HORA(S) e 0 MINUTO(S)',
        status_txt_resumido: 'DESCONECTADO HÁ 0 MES(ES), 2 DIA(S), 10 HORA(S) e 0 MINUTO(S)',
      },
    },
  ],
} satisfies FakeClient;

/** Self-service caller on a landline, connected, no open invoice, no e-mail. */
export const BEATRIZ = {
  id_cliente: 11209,
  codigo_cliente: 429,
  nome_razaosocial: 'BEATRIZ NUNES',
  nome_fantasia: null,
  tipo_pessoa: 'pf',
  cpf_cnpj: '98765432100',
  telefone_primario: '3732215000',
  telefone_secundario: '',
  telefone_terciario: '',
  email_principal: null,
  alerta: false,
  alerta_mensagens: [],
  servicos: [
    {
      id_cliente_servico: 11309,
      nome: '100M FIBRA',
      status: 'Serviço Habilitado',
      status_prefixo: 'servico_habilitado',
      ultima_conexao: {
        conectado: true,
        ultima_conexao_datetime: '2024-03-11 18:22:24-03',
        ultima_desconexao_datetime: null,
        ultima_conexao: '11/03/2024 18:22:24',
        ultima_desconexao: null,
        ultimo_ipv4: '189.90.210.100',
        ultimo_nas_ip: '10.28.33.20',
        status_txt: 'CONECTADO HÁ 0 MES(ES), 0 DIA(S), 22 HORA(S) e 53 MINUTO(S) - 189.90.210.100(10.28.50.20)',
        status_txt_resumido: 'CONECTADO HÁ 0 MES(ES), 0 DIA(S), 22 HORA(S) e 53 MINUTO(S)',
      },
    },
  ],
} satisfies FakeClient;

/**
 * A caller whose service HubSoft reports as partly suspended (status_prefixo "suspenso_parcialmente", the
 * "suspenso..." family beside "servico_bloqueado" and "cancelado", issue 14.7): a trust-unlock candidate.
 */
export const RAFAEL = {
  id_cliente: 11210,
  codigo_cliente: 430,
  nome_razaosocial: 'RAFAEL COSTA LIMA',
  nome_fantasia: null,
  tipo_pessoa: 'pf',
  cpf_cnpj: '11144477735',
  telefone_primario: '37991237777',
  telefone_secundario: '',
  telefone_terciario: '',
  email_principal: 'rafael@example.com.br',
  alerta: false,
  alerta_mensagens: [],
  servicos: [
    { id_cliente_servico: 11310, nome: '400M FIBRA', status: 'Suspenso Parcialmente', status_prefixo: 'suspenso_parcialmente' },
    { id_cliente_servico: 11311, nome: '50M RADIO', status: 'Cancelado', status_prefixo: 'cancelado' },
  ],
} satisfies FakeClient;

/** The sample clients plus the self-service ones (CARLOS, BEATRIZ, RAFAEL). */
export function selfServiceClients(): FakeClient[] {
  return [...sampleClients(), ...(structuredClone([CARLOS, BEATRIZ, RAFAEL]) as FakeClient[])];
}

function invoice(id_fatura: number, valor: number, data_vencimento: string, data_pagamento: string | null = null): FakeInvoice {
  return {
    id_fatura,
    valor,
    data_vencimento,
    data_pagamento,
    tipo_cobranca: 'boleto_bancario',
    linha_digitavel: data_pagamento ? null : `75691.31662 01006.726101 ${String(id_fatura).padStart(5, '0')}.000017 7 73380000001000`,
    link: `https://hubsoft.example/pdf/fatura/${id_fatura}`,
  };
}

/** Invoices by id_cliente: CARLOS has two open (oldest 10/02/2024, R$ 99,90) and one paid; MARIA one open. */
export function sampleInvoices(): Map<number, FakeInvoice[]> {
  return new Map([
    [CARLOS.id_cliente, [invoice(50950, 129.9, '10/03/2024'), invoice(50949, 99.9, '10/02/2024'), invoice(50948, 99.9, '10/01/2024', '09/01/2024')]],
    [MARIA.id_cliente, [invoice(50960, 119.9, '15/03/2024')]],
  ]);
}
