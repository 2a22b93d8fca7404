import { fetchClients } from '../../hubsoft/client-record.js';
import { isClient, requireClient, searchTermOf } from './guards.js';
import type { SelfServiceCommand } from './types.js';

/**
 * hubsoft-connection,linkedid: last RADIUS session of the client's service (ultima_conexao=sim): CONECTADO 1|0,
 * CONEXAO_DESDE (epoch seconds: connected since, or disconnected since), MSG = HubSoft's status_txt_resumido.
 * HubSoft warns the data is only as good as the NAS reports (seed 003 section 4.3).
 */
export const connectionCommand: SelfServiceCommand = {
  name: 'hubsoft-connection',
  variable: 'CONEXAO',
  values: ['CONECTADO', 'CONEXAO_DESDE'],
  async run(context) {
    const client = requireClient(context);
    if (!isClient(client)) return client;
    const term = searchTermOf(client);
    if (!term) return { status: 'error', reason: 'no_search_term' };
    const records = await fetchClients(context.shared.api, term.busca, term.termo, { ultimaConexao: true });
    const services = records.filter((r) => r.id_cliente === client.id_cliente).flatMap((r) => r.servicos);
    const withData = services.filter((s) => s.ultima_conexao !== null);
    const service = withData.find((s) => s.status_prefixo === 'servico_habilitado') ?? withData[0];
    if (!service?.ultima_conexao) return { status: 'notfound', reason: services.length === 0 ? 'no_service' : 'no_connection_data' };
    const last = service.ultima_conexao;
    const since = last.conectado ? last.connectedAt : (last.disconnectedAt ?? last.connectedAt);
    return {
      status: 'ok',
      msg: last.status_txt_resumido,
      values: { CONECTADO: last.conectado ? '1' : '0', CONEXAO_DESDE: since === null ? '' : String(since) },
    };
  },
};
