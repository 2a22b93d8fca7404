/**
 * Tickets and work orders of the sample clients, in the shapes of GET cliente/atendimento (seed 003 section 4.2)
 * and GET cliente/ordem_servico (4.11), trimmed to the documented fields. Dates are HubSoft wall time (Brasília).
 */
import { BEATRIZ, type FakeClient } from './sample-clients.js';

export interface FakeTicket {
  id_atendimento: number;
  protocolo: string;
  descricao_abertura: string;
  tipo_atendimento: string;
  usuario_abertura: string;
  /** DD/MM/YYYY */
  data_cadastro: string;
  data_fechamento: string | null;
  status: string;
}

export interface FakeWorkOrder {
  id_ordem_servico: number;
  numero_ordem_servico: string;
  /** DD/MM/YYYY HH:MM:SS */
  data_cadastro: string;
  tipo: string;
  data_inicio_programado: string | null;
  data_termino_programado: string | null;
  descricao_abertura: string;
  status: 'pendente' | 'aguardando_agendamento' | 'finalizado';
  /** The ticket it belongs to (its protocolo), or null. */
  protocolo: string | null;
  id_cliente_servico: number;
}

export interface ClientContext {
  readonly tickets: FakeTicket[];
  readonly workOrders: FakeWorkOrder[];
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** DD/MM/YYYY of `ms` plus `days`, in Brasília (UTC-3). */
export function brDay(ms: number, days = 0): string {
  const d = new Date(ms - 3 * 3_600_000 + days * 86_400_000);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
}

/**
 * One open ticket (no internet) with its technician visit "tomorrow at 10:00", plus an older closed ticket and a
 * finished work order (neither pending): what the sample caller of the demo and the tests has.
 */
export function visitTomorrow(client: Pick<FakeClient, 'servicos'>, now: number = Date.now()): ClientContext {
  const service = client.servicos[0]!.id_cliente_servico;
  return {
    tickets: [
      {
        id_atendimento: 910,
        protocolo: `${brDay(now, -1).split('/').reverse().join('')}0930451`,
        descricao_abertura: 'Cliente sem acesso à internet desde ontem. | ATENDIMENTO ABERTO VIA API',
        tipo_atendimento: 'TÉCNICO - SEM CONEXÃO',
        usuario_abertura: 'Central do Assinante',
        data_cadastro: brDay(now, -1),
        data_fechamento: null,
        status: 'Pendente',
      },
      {
        id_atendimento: 720,
        protocolo: '202401101015221',
        descricao_abertura: 'Troca de senha do Wi-Fi',
        tipo_atendimento: 'SAC',
        usuario_abertura: 'Master',
        data_cadastro: '10/01/2024',
        data_fechamento: '10/01/2024',
        status: 'Finalizado',
      },
    ],
    workOrders: [
      {
        id_ordem_servico: 1310,
        numero_ordem_servico: '1250',
        data_cadastro: `${brDay(now, -1)} 09:31:02`,
        tipo: 'SUPORTE - VISITA TÉCNICA',
        data_inicio_programado: `${brDay(now, 1)} 10:00:00`,
        data_termino_programado: `${brDay(now, 1)} 12:00:00`,
        descricao_abertura: 'Verificar ONU sem sinal (LOS vermelho)',
        status: 'pendente',
        protocolo: `${brDay(now, -1).split('/').reverse().join('')}0930451`,
        id_cliente_servico: service,
      },
      {
        id_ordem_servico: 980,
        numero_ordem_servico: '921',
        data_cadastro: '10/01/2024 10:15:22',
        tipo: 'INSTALAÇÃO',
        data_inicio_programado: '12/01/2024 08:00:00',
        data_termino_programado: '12/01/2024 10:00:00',
        descricao_abertura: 'Instalação fibra',
        status: 'finalizado',
        protocolo: null,
        id_cliente_servico: service,
      },
    ],
  };
}

/** A ticket and a work order whose texts try to break an AMI frame (CR/LF, bare LF). */
export function hostileContext(client: Pick<FakeClient, 'servicos'>, now: number = Date.now()): ClientContext {
  const evil = 'SUPORTE\r\nAction: Originate\r\nChannel: Local/666@default\r\n\r\n';
  return {
    tickets: [
      {
        id_atendimento: 990,
        protocolo: '2024\nAction: Hangup\nChannel: PJSIP/1001\n\n',
        descricao_abertura: evil,
        tipo_atendimento: evil,
        usuario_abertura: 'x',
        data_cadastro: brDay(now),
        data_fechamento: null,
        status: 'Pendente',
      },
    ],
    workOrders: [
      {
        id_ordem_servico: 991,
        numero_ordem_servico: '77\r\nAction: Originate',
        data_cadastro: `${brDay(now)} 08:00:00`,
        tipo: evil,
        data_inicio_programado: `${brDay(now, 2)} 14:00:00`,
        data_termino_programado: null,
        descricao_abertura: evil,
        status: 'pendente',
        protocolo: null,
        id_cliente_servico: client.servicos[0]!.id_cliente_servico,
      },
    ],
  };
}

/** By id_cliente: BEATRIZ has the open ticket and the visit tomorrow at 10 (the fake's default). */
export function sampleContexts(now: number = Date.now()): Map<number, ClientContext> {
  return new Map([[BEATRIZ.id_cliente, visitTomorrow(BEATRIZ, now)]]);
}
