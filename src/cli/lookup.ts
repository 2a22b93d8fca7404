import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { createHubsoftClient } from '../hubsoft/client.js';
import { CustomerLookup } from '../hubsoft/customers.js';
import { normalisePhone } from '../hubsoft/phone.js';
import type { ClientSummary, LookupResult } from '../hubsoft/types.js';
import type { Output } from './check.js';

export interface RunLookupOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly out: Output;
  /** The caller ID as Asterisk would give it. */
  readonly phone: string;
  /** Print the LookupResult as JSON instead of text. */
  readonly json?: boolean;
}

/**
 * `lookup <phone>`: what the bridge would find for this caller. Exit code 0 when HubSoft answered (a client
 * found, several, or none: "not found"), 1 when the caller ID is skipped, 2 on a HubSoft error.
 */
export async function runLookup(options: RunLookupOptions): Promise<number> {
  const { config, logger, out } = options;
  const client = createHubsoftClient(config.hubsoft, { logger });
  const lookup = new CustomerLookup({ client, config: config.lookup, logger });
  let result: LookupResult;
  try {
    result = await lookup.lookup(options.phone);
  } finally {
    // No kept-alive socket holds the process once the answer is printed.
    client.close();
  }
  const planned = normalisePhone(options.phone, { defaultAreaCode: config.lookup.defaultAreaCode, maxCandidates: config.lookup.maxRequests }).candidates;
  // Both forms name the same lists the same way: candidates (every term the bridge may try), searched (asked this time).
  if (options.json) out.write(`${JSON.stringify({ ...result, candidates: planned, searched: result.candidates }, null, 2)}\n`);
  else out.write(formatLookup(result, planned));
  return exitCode(result);
}

export function formatLookup(result: LookupResult, planned: readonly string[] = result.candidates): string {
  const lines: string[] = [`caller ID:   ${result.raw}`];
  if (result.status === 'skipped') {
    lines.push(`lookup:      skipped (${result.reason ?? 'not a phone number'})`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`normalised:  ${result.phone}`);
  lines.push(`candidates:  ${planned.join(', ')}`);
  lines.push(`searched:    ${result.candidates.join(', ') || '(none)'}`);
  switch (result.status) {
    case 'found':
      lines.push(`result:      found`);
      break;
    case 'ambiguous':
      lines.push(`result:      ambiguous: ${result.clients.length} clients share this number, none chosen (no id is sent; the agent picks in HubSoft)`);
      break;
    case 'notfound':
      lines.push(`result:      not found (no client has this number)`);
      break;
    case 'error':
      lines.push(`result:      error: ${result.reason ?? 'unknown'}`);
      break;
  }
  for (const client of result.clients) lines.push(...describeClient(client, client.id_cliente === result.client?.id_cliente));
  return `${lines.join('\n')}\n`;
}

function describeClient(client: ClientSummary, chosen: boolean): string[] {
  const lines = [
    `${chosen ? '* ' : '- '}${client.nome_razaosocial || '(no name)'}  id_cliente=${client.id_cliente} codigo_cliente=${client.codigo_cliente ?? '-'}` +
      `${client.hasEnabledService ? '' : '  (no enabled service)'}`,
  ];
  if (client.alerta_mensagens.length === 0) lines.push(`    alerts: ${client.alerta ? 'flagged, no text' : 'none'}`);
  client.alerta_mensagens.forEach((text, i) => lines.push(`    alert ${i + 1}: ${text}`));
  return lines;
}

function exitCode(result: LookupResult): number {
  if (result.status === 'found' || result.status === 'ambiguous' || result.status === 'notfound') return 0;
  if (result.status === 'error') return 2;
  return 1;
}
