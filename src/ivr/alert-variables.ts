import type { ClientSummary, LookupResult } from '../hubsoft/types.js';
import type { AlertsConfig } from '../config/schema.js';
import { safeAmiValue, safeSoundName } from './sanitize.js';

/** One channel variable: [name, value]. Names are fixed here, never built from data. */
export type AlertVariable = readonly [name: string, value: string];

/** Most alerts put into variables per call; more are dropped (a caller will not listen to more). */
export const DEFAULT_MAX_ALERTS = 10;

/** Variable name suffixes (after alerts.variablePrefix, "HUBSOFT_" by default). */
export const VARIABLE_SUFFIX = {
  idCliente: 'ID_CLIENTE',
  codigoCliente: 'CODIGO_CLIENTE',
  nome: 'NOME',
  alerta: 'ALERTA',
  alertaTotal: 'ALERTA_TOTAL',
  alertaText: 'ALERTA_', // + n, 1-based
  alertaSom: 'ALERTA_SOM_', // + n, 1-based
  lookup: 'LOOKUP',
} as const;

export type AlertVariablesConfig = Pick<AlertsConfig, 'enabled' | 'variablePrefix' | 'maxValueBytes'>;

export interface AlertVariablesOptions {
  /** Sound for each alert of alertTexts(result), by index; null or missing = no sound. */
  readonly sounds?: readonly (string | null)[];
  readonly maxAlerts?: number;
  /** The caller-context variables (context-variables.ts): set after the alerts, before HUBSOFT_LOOKUP. */
  readonly context?: readonly AlertVariable[];
}

/**
 * The alert texts the caller should hear, in HubSoft's order, sanitised, blank ones and duplicates dropped,
 * at most `maxAlerts`.
 * - found: the client's alerta_mensagens.
 * - ambiguous: the distinct messages of every client returned. The number belongs to all of them, and an
 *   outage alert is written on each affected client, so it is heard once.
 * - anything else: none.
 */
export function alertTexts(
  result: LookupResult,
  config: Pick<AlertsConfig, 'enabled' | 'maxValueBytes'>,
  maxAlerts: number = DEFAULT_MAX_ALERTS,
): string[] {
  if (!config.enabled) return [];
  let clients: readonly ClientSummary[] = [];
  if (result.status === 'found' && result.client) clients = [result.client];
  else if (result.status === 'ambiguous') clients = result.clients;
  const texts: string[] = [];
  const seen = new Set<string>();
  for (const client of clients) {
    for (const message of client.alerta_mensagens ?? []) {
      const text = safeAmiValue(String(message ?? ''), config.maxValueBytes);
      const key = text.toLocaleLowerCase('pt-BR');
      if (!text || seen.has(key)) continue;
      seen.add(key);
      texts.push(text);
      if (texts.length >= maxAlerts) return texts;
    }
  }
  return texts;
}

/**
 * The ordered variables for one call. HUBSOFT_LOOKUP always comes last: the dialplan waits for it, so once it is
 * set every other variable already is.
 */
export function buildAlertVariables(
  result: LookupResult,
  config: AlertVariablesConfig,
  options: AlertVariablesOptions = {},
): AlertVariable[] {
  const prefix = config.variablePrefix;
  const value = (text: string) => safeAmiValue(text, config.maxValueBytes);
  const vars: AlertVariable[] = [];

  const client = result.status === 'found' ? result.client : null;
  if (client) {
    vars.push([prefix + VARIABLE_SUFFIX.idCliente, value(String(client.id_cliente))]);
    if (client.codigo_cliente !== null && client.codigo_cliente !== undefined) {
      vars.push([prefix + VARIABLE_SUFFIX.codigoCliente, value(String(client.codigo_cliente))]);
    }
    vars.push([prefix + VARIABLE_SUFFIX.nome, value(client.nome_razaosocial ?? '')]);
  }

  if (config.enabled) {
    const texts = alertTexts(result, config, options.maxAlerts ?? DEFAULT_MAX_ALERTS);
    const flagged = texts.length > 0 || (client?.alerta ?? false);
    vars.push([prefix + VARIABLE_SUFFIX.alerta, flagged ? '1' : '0']);
    vars.push([prefix + VARIABLE_SUFFIX.alertaTotal, String(texts.length)]);
    texts.forEach((text, i) => vars.push([`${prefix}${VARIABLE_SUFFIX.alertaText}${i + 1}`, text]));
    texts.forEach((_, i) => {
      const sound = safeSoundName(options.sounds?.[i] ?? null);
      if (sound) vars.push([`${prefix}${VARIABLE_SUFFIX.alertaSom}${i + 1}`, sound]);
    });
  }

  vars.push(...(options.context ?? []));
  vars.push([prefix + VARIABLE_SUFFIX.lookup, result.status]);
  return vars;
}
