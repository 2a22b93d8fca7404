import { MAX_CONTEXT_ENTRIES, type CallerContext } from '../hubsoft/caller-context.js';
import type { LigacaoParamValue } from '../hubsoft/types.js';

/** The ligacao_params keys the caller context adds (dropped again if HubSoft refuses them: hubsoft-crm.ts). */
export const CONTEXT_PARAM_KEYS = ['atendimentos_abertos', 'ordem_servico', 'status_servico'] as const;

/**
 * The caller's context for the agent's window, only what is known: atendimentos_abertos (protocols, newest first),
 * ordem_servico (the next pending orders) and status_servico. At most MAX_CONTEXT_ENTRIES of each list; texts are
 * already one line and bounded (context-requests.ts).
 */
export function contextParams(context: CallerContext | null | undefined): Record<string, LigacaoParamValue> {
  if (!context) return {};
  const params: Record<string, LigacaoParamValue> = {};
  const protocols = context.atendimentos?.newest.slice(0, MAX_CONTEXT_ENTRIES).map((t) => t.protocolo) ?? [];
  if (protocols.length > 0) params.atendimentos_abertos = protocols;
  const orders = (context.ordens_servico ?? []).slice(0, MAX_CONTEXT_ENTRIES).map((o) => ({
    numero_ordem_servico: o.numero_ordem_servico,
    tipo: o.tipo,
    status: o.status,
    data_inicio_programado: o.data_inicio_programado || null,
  }));
  if (orders.length > 0) params.ordem_servico = orders;
  if (context.status_servico) params.status_servico = context.status_servico;
  return params;
}
