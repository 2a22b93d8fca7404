import { openAtendimento } from '../../hubsoft/atendimento.js';
import { fetchClients } from '../../hubsoft/client-record.js';
import { safeAmiValue } from '../sanitize.js';
import { callerNational, isClient, requireAccountChange, requireClient, searchTermOf } from './guards.js';
import type { CommandContext, SelfServiceCommand } from './types.js';

/**
 * hubsoft-protocol,linkedid[,MOTIVO]: opens one atendimento per call (POST /api/v1/integracao/atendimento) for
 * the client's service and sets PROTOCOLO (digits, for SayDigits). A second call in the same call gets the same
 * number. The number stays readable by linkedid (SelfService.protocolFor) for the agent's ligacao_params.
 * Opening one changes the account: it needs what an unlock needs unless selfService.protocolNeedsConfirmation is
 * false (then any identified caller gets one). HubSoft's id_atendimento is kept with it: hubsoft-call-end edits
 * that atendimento (PUT /atendimento/<id_atendimento>) with the call's facts.
 */
export const protocolCommand: SelfServiceCommand = {
  name: 'hubsoft-protocol',
  variable: 'PROTOCOLO',
  values: ['PROTOCOLO'],
  async run(context) {
    const client = context.shared.deps.config.protocolNeedsConfirmation ? requireAccountChange(context) : requireClient(context);
    if (!isClient(client)) return client;
    const { state } = context;
    if (state.protocol) return { status: 'ok', values: { PROTOCOLO: state.protocol } };
    if (!state.protocolPending) {
      const pending = open(context);
      state.protocolPending = pending;
      pending.then(
        (protocolo) => {
          if (protocolo) state.protocol = protocolo;
        },
        () => undefined,
      ).finally(() => {
        state.protocolPending = null;
      });
    }
    const protocolo = await state.protocolPending;
    if (!protocolo) return { status: 'notfound', reason: 'no_service' };
    return { status: 'ok', values: { PROTOCOLO: protocolo } };
  },
};

/** The new protocol number, or '' when the client has no service to open it for. */
async function open(context: CommandContext): Promise<string> {
  const client = context.state.client!;
  const term = searchTermOf(client);
  if (!term) return '';
  const records = await fetchClients(context.shared.api, term.busca, term.termo);
  const mine = records.filter((r) => r.id_cliente === client.id_cliente);
  const services = mine.flatMap((r) => r.servicos);
  const service = services.find((s) => s.status_prefixo === 'servico_habilitado') ?? services.find((s) => s.status_prefixo !== 'cancelado') ?? services[0];
  if (!service) return '';
  const telefone = callerNational(context) ?? mine[0]?.telefones[0];
  if (!telefone) return '';
  const motivo = safeAmiValue(context.args[0] ?? '', 200);
  const base = context.shared.deps.config.protocolDescription;
  const opened = await openAtendimento(context.shared.api, {
    id_cliente_servico: service.id_cliente_servico,
    descricao: `${base}${motivo ? `: ${motivo}` : ''} (chamada ${context.linkedid}, telefone ${telefone})`,
    nome: client.nome_razaosocial || 'Cliente (URA)',
    telefone,
  });
  // The ticket edited when the call ends (hubsoft-call-end) is addressed by this id, not by the protocolo.
  context.state.id_atendimento = opened.id_atendimento;
  return opened.protocolo;
}
