import type { AmiAction } from './types.js';

/**
 * The last line of defence for everything the bridge writes to the AMI socket. Asterisk's manager ends a header
 * line on CRLF and on a bare LF too (main/manager.c, get_input), so any CR, LF or other control character in a
 * value could start a header of its own, or end the action early. Values lose every control character (C0, DEL,
 * C1, and the Unicode line and paragraph separators): each run becomes one space. Keys are code-chosen
 * names: anything outside [A-Za-z0-9_-] is dropped from them, and a key left empty is not written.
 */
const CONTROL_RUN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
const NOT_KEY = /[^A-Za-z0-9_-]/g;

export function cleanHeaderValue(value: unknown): string {
  return String(value ?? '').replace(CONTROL_RUN, ' ');
}

export function cleanHeaderKey(key: string): string {
  return key.replace(NOT_KEY, '');
}

/** The action's fields with clean keys and values; ActionID is left out (the connection assigns its own). */
export function sanitiseAction(action: AmiAction): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(action)) {
    const cleanKey = cleanHeaderKey(key);
    if (cleanKey === '' || cleanKey.toLowerCase() === 'actionid') continue;
    out[cleanKey] = cleanHeaderValue(value);
  }
  return out;
}

/**
 * The bytes of one action: `Action` first, then `ActionID`, then the other fields in order, each line ended by
 * CRLF and the frame by an empty line. Keys and values are cleaned here again, whoever built `fields`, so a
 * frame always holds exactly one header per field.
 */
export function formatActionFrame(fields: Readonly<Record<string, string>>, actionId: string): string {
  let action = '';
  let rest = '';
  for (const [key, value] of Object.entries(fields)) {
    const cleanKey = cleanHeaderKey(key);
    const lower = cleanKey.toLowerCase();
    if (cleanKey === '' || lower === 'actionid') continue;
    if (lower === 'action') action = `Action: ${cleanHeaderValue(value)}\r\n`;
    else rest += `${cleanKey}: ${cleanHeaderValue(value)}\r\n`;
  }
  return `${action}ActionID: ${cleanHeaderValue(actionId)}\r\n${rest}\r\n`;
}
