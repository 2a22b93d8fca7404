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
  /** servicos[].status_prefixo of the client record, in HubSoft's order (absent in entries cached before it existed). */
  readonly servicos_status_prefixo?: readonly string[];
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

/** A ligacao_params value: flat, or a short list of texts or of flat records (the caller context, pbx.ts bounds it). */
export type LigacaoParamValue =
  | string
  | number
  | boolean
  | readonly string[]
  | readonly Readonly<Record<string, string | number | null>>[];

/** Body of POST /api/v1/integracao/pbx/ligacao/notificar and /cancelar (seed 003, chapter 7). */
export interface PbxCallBody {
  readonly ramal?: string;
  readonly identificador_interno?: string;
  readonly telefone?: string;
  readonly id_cliente?: number;
  readonly codigo_cliente?: number;
  readonly ligacao_params?: Readonly<Record<string, LigacaoParamValue>>;
}
