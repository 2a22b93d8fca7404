/**
 * The AGI text protocol, pure. Asterisk opens a FastAGI session with an environment block ("agi_key: value"
 * lines, then a blank line); each command is one line and Asterisk answers "200 result=N [(data)]", or
 * "510 Invalid or unknown command", "511 Command Not Permitted on a dead channel", or a multi-line
 * "520-Invalid command syntax..." ending with a "520 End of proper usage." line. When the channel hangs up
 * Asterisk may also send a bare "HANGUP" line at any time.
 */
import { safeAmiValue } from './sanitize.js';

export type AgiEnvironment = Readonly<Record<string, string>>;

export interface AgiReply {
  readonly code: number;
  /** The N of "result=N", '' when absent. */
  readonly result: string;
  /** Text after the code, e.g. "result=1" or "Invalid or unknown command". */
  readonly text: string;
}

/** Longest command line we send; Asterisk's AGI buffer is 2048 bytes. */
export const MAX_AGI_COMMAND_BYTES = 2000;

/** "agi_callerid: 3799..." -> ['agi_callerid', '3799...']; null for a line that is not one. */
export function parseEnvLine(line: string): [string, string] | null {
  const match = /^(agi_[A-Za-z0-9_]+):\s?(.*)$/.exec(line);
  if (!match) return null;
  return [match[1]!, match[2]!];
}

/** The script part of agi://host[:port]/script[?query] as Asterisk passes it in agi_network_script. */
export function scriptName(env: AgiEnvironment): string {
  const raw = env['agi_network_script'] ?? '';
  return raw.split('?')[0]!.replace(/^\/+|\/+$/g, '');
}

/** agi_callerid, with Asterisk's "unknown" (no caller ID) turned into ''. */
export function callerIdOf(env: AgiEnvironment): string {
  const value = (env['agi_callerid'] ?? '').trim();
  return value.toLowerCase() === 'unknown' ? '' : value;
}

/** An AGI argument in double quotes: `\` and `"` escaped (res_agi's parser reads them that way). */
export function quoteAgiArgument(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * `SET VARIABLE NAME "value"` with the value made one safe line of at most maxBytes (before escaping; the
 * escaped line stays under MAX_AGI_COMMAND_BYTES). The name must be a plain identifier: names are ours.
 */
export function formatSetVariable(name: string, value: string, maxBytes: number): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TypeError(`not a variable name: ${JSON.stringify(name)}`);
  const budget = Math.floor((MAX_AGI_COMMAND_BYTES - name.length - 20) / 2);
  const safe = safeAmiValue(value, Math.min(maxBytes, budget));
  return `SET VARIABLE ${name} ${quoteAgiArgument(safe)}`;
}

/** "200 result=1" -> { code: 200, result: '1', text: 'result=1' }; null when the line does not start with a code. */
export function parseReplyLine(line: string): (AgiReply & { readonly continues: boolean }) | null {
  const match = /^(\d{3})([ -])(.*)$/.exec(line) ?? /^(\d{3})()$/.exec(line);
  if (!match) return null;
  const text = (match[3] ?? '').trim();
  const result = /(?:^|\s)result=(\S*)/.exec(text)?.[1] ?? '';
  return { code: Number(match[1]), result, text, continues: match[2] === '-' };
}
