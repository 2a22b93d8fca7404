import { z } from 'zod';
import { ms, regex, seconds } from './fields.js';

/** The self-service IVR (src/ivr/self-service/): who may do what, the daily caps, the ticket after the call. */
export const selfServiceSchema = z.object({
  enabled: z.boolean().default(true),
  /** Each command answers within this long whatever HubSoft does (late = STATUS error). */
  deadlineMs: ms(5000),
  /** HubSoft requests from the IVR at once; more wait their turn (within their deadline). */
  concurrency: z.coerce.number().int().min(1).max(32).default(4),
  /**
   * Before a change to the account (unlock, protocol), a caller identified by caller ID types the first
   * confirmDigits digits of the CPF/CNPJ (or the whole document). false: caller ID alone is enough (a spoofed
   * caller ID then unlocks).
   */
  confirmIdentity: z.boolean().default(true),
  confirmDigits: z.coerce.number().int().min(1).max(11).default(3),
  /** Wrong confirmations per call before the bridge stops accepting them. */
  confirmAttempts: z.coerce.number().int().min(1).max(10).default(3),
  /** Wrong confirmations per client per day (any call, any number), kept in state.dir; then none are checked that day. */
  confirmFailuresPerClientPerDay: z.coerce.number().int().min(1).max(50).default(5),
  /** Wrong confirmations per calling number per day, kept in state.dir. */
  confirmFailuresPerCallerPerDay: z.coerce.number().int().min(1).max(50).default(5),
  /** RISK: a typed CPF/CNPJ (not secret in Brazil) alone allows unlock and protocol, without caller ID. */
  documentAloneForChanges: z.boolean().default(false),
  /** Opening a protocol (atendimento) needs what an unlock needs; false: any identified caller gets one. */
  protocolNeedsConfirmation: z.boolean().default(true),
  /** RISK: the SMS second copy also goes to the caller's mobile (telefone_adicional) when identified by caller ID. */
  smsToCallerMobile: z.boolean().default(false),
  /** Second copies (any channel) per client per day (America/Sao_Paulo day), kept in state.dir. */
  dailyCapPerClient: z.coerce.number().int().min(1).default(3),
  /** Trust unlocks per client per day, kept in state.dir; HubSoft's own rule also applies. */
  unlocksPerClientPerDay: z.coerce.number().int().min(1).default(1),
  /** dias_desbloqueio when the dialplan does not ask for a number; HubSoft's own rule has the last word. */
  unlockDays: z.coerce.number().int().min(1).max(30).default(1),
  /** A service is blocked (unlock candidate) when its status_prefixo matches; the seeds do not list the prefixes. */
  blockedStatusPattern: regex.default('bloque|suspens'),
  /** descricao of the atendimento opened for the protocol number. */
  protocolDescription: z.string().min(1).max(500).default('Ligação recebida pela URA (autoatendimento)'),
  /** Per-call state (identity, sends, protocol) is forgotten this long after its last use (saved in state.dir until then). */
  callTtlSeconds: seconds(3600),
  /** hubsoft-reset-mac (4.12 reset_mac_addr): off unless set; caller ID and the confirmation, as an unlock. */
  resetMacEnabled: z.boolean().default(false),
  /** MAC resets per service (id_cliente_servico) per day, kept in state.dir. */
  resetMacPerServicePerDay: z.coerce.number().int().min(1).max(20).default(2),
  /** hubsoft-reconnect (4.5 solicitar_desconexao: drops the PPPoE session): off unless set; as an unlock. */
  reconnectEnabled: z.boolean().default(false),
  /** Forced reconnections per service per day, kept in state.dir. */
  reconnectsPerServicePerDay: z.coerce.number().int().min(1).max(20).default(3),
  /** hubsoft-call-end edits the ticket self-service opened (3.2 PUT atendimento) through the outbox; false: it does nothing. */
  ticketEditAtCallEnd: z.boolean().default(true),
  /** The edit closes the ticket (fechar_atendimento) when self-service resolved the request and the caller did not ask for an agent. */
  closeResolvedTickets: z.boolean().default(true),
  /**
   * url_ligacao of the edit, e.g. https://pbx.example/rec/{uniqueid}.wav; placeholders {uniqueid} (the channel that
   * ran hubsoft-call-end) and {linkedid}, URL-encoded. Empty: no url_ligacao.
   */
  recordingUrlTemplate: z
    .string()
    .max(500)
    .refine((t) => t === '' || /^https?:\/\/[^\s{}]+/.test(t), 'must be empty or an http(s) URL')
    .refine((t) => (t.match(/\{[^}]*\}/g) ?? []).every((p) => p === '{uniqueid}' || p === '{linkedid}'), 'placeholders: {uniqueid} and {linkedid} only')
    .default(''),
});
