/** A client as the bridge keeps it after a lookup (field names as HubSoft spells them). */
export interface ClientSummary {
  readonly id_cliente: number;
  readonly codigo_cliente: number | null;
  readonly nome_razaosocial: string;
  readonly cpf_cnpj: string | null;
  readonly alerta: boolean;
  readonly alerta_mensagens: readonly string[];
  /** True when at least one service has status_prefixo "servico_habilitado". */
  readonly hasEnabledService: boolean;
}

export type LookupStatus = 'found' | 'ambiguous' | 'notfound' | 'skipped' | 'error';

export interface LookupResult {
  readonly status: LookupStatus;
  /** The caller ID as received from Asterisk. */
  readonly raw: string;
  /** Normalised national number (DDNNNNNNNN(N)), or the digits as given for other countries; null when skipped. */
  readonly phone: string | null;
  /** Search terms tried, in order. */
  readonly candidates: readonly string[];
  /** Every client HubSoft returned for the matching term. */
  readonly clients: readonly ClientSummary[];
  /** The one client chosen (status "found"), else null. */
  readonly client: ClientSummary | null;
  /** Why the lookup failed or was skipped. */
  readonly reason?: string;
}

/** Body of POST /api/v1/integracao/pbx/ligacao/notificar and /cancelar (seed 003, chapter 7). */
export interface PbxCallBody {
  readonly ramal?: string;
  readonly identificador_interno?: string;
  readonly telefone?: string;
  readonly id_cliente?: number;
  readonly codigo_cliente?: number;
  readonly ligacao_params?: Readonly<Record<string, string | number | boolean>>;
}
