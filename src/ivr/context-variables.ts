import { routeOf, type CallerContext } from '../hubsoft/caller-context.js';
import type { AlertVariable } from './alert-variables.js';
import { safeAmiValue } from './sanitize.js';

/** Variable name suffixes of the caller context (after alerts.variablePrefix, "HUBSOFT_" by default). */
export const CONTEXT_SUFFIX = {
  atendimentos: 'ATENDIMENTOS',
  protocoloAberto: 'PROTOCOLO_ABERTO',
  osNumero: 'OS_NUMERO',
  osTipo: 'OS_TIPO',
  osStatus: 'OS_STATUS',
  osData: 'OS_DATA',
  osDataDigitos: 'OS_DATA_DIGITOS',
  osQuando: 'OS_QUANDO',
  servicoStatus: 'SERVICO_STATUS',
  faturasVencidas: 'FATURAS_VENCIDAS',
  route: 'ROUTE',
} as const;

/**
 * The caller-context variables, set before HUBSOFT_LOOKUP (buildAlertVariables puts them there). A part HubSoft
 * did not give in time is left unset (empty in the dialplan), so "0" always means "none", never "unknown".
 * HUBSOFT_ROUTE is set whenever there is a context, from what is known.
 */
export function contextVariables(context: CallerContext | null | undefined, prefix: string, maxValueBytes: number): AlertVariable[] {
  if (!context) return [];
  const vars: AlertVariable[] = [];
  const put = (suffix: string, value: string | number | null | undefined): void => {
    if (value === null || value === undefined) return;
    const text = safeAmiValue(String(value), maxValueBytes);
    if (text !== '') vars.push([prefix + suffix, text]);
  };
  if (context.atendimentos) {
    put(CONTEXT_SUFFIX.atendimentos, context.atendimentos.total);
    put(CONTEXT_SUFFIX.protocoloAberto, context.atendimentos.newest[0]?.protocolo);
  }
  const next = context.ordens_servico?.[0];
  if (next) {
    put(CONTEXT_SUFFIX.osNumero, next.numero_ordem_servico);
    put(CONTEXT_SUFFIX.osTipo, next.tipo);
    put(CONTEXT_SUFFIX.osStatus, next.status);
    put(CONTEXT_SUFFIX.osData, next.scheduledAt);
    put(CONTEXT_SUFFIX.osDataDigitos, next.digits);
    put(CONTEXT_SUFFIX.osQuando, next.when);
  }
  put(CONTEXT_SUFFIX.servicoStatus, context.status_servico);
  put(CONTEXT_SUFFIX.faturasVencidas, context.faturas_vencidas);
  put(CONTEXT_SUFFIX.route, routeOf(context));
  return vars;
}
