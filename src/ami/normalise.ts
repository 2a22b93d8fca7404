import type { AmiEvent, AmiMessage, AmiResponse } from './types.js';

/** What one parsed frame turned out to be. */
export type NormalisedMessage =
  | { readonly kind: 'event'; readonly message: AmiEvent }
  | { readonly kind: 'response'; readonly message: AmiResponse }
  | { readonly kind: 'other'; readonly message: AmiMessage };

const UNKNOWN = '<unknown>';

/**
 * Turns a frame as a parser delivers it (asterisk-manager's object, or any record) into the
 * shape the bridge uses: keys trimmed and lower-cased, every value a string, repeated keys
 * reduced to their first value, `<unknown>` as ''. Pure; never throws, whatever it is given.
 */
export function normaliseMessage(raw: unknown): NormalisedMessage {
  const message = normaliseFields(raw);
  if (typeof message.event === 'string' && message.event !== '') {
    return { kind: 'event', message: message as AmiEvent };
  }
  if (typeof message.response === 'string' && message.response !== '') {
    return { kind: 'response', message: message as AmiResponse };
  }
  return { kind: 'other', message };
}

export function normaliseFields(raw: unknown): AmiMessage {
  const out: Record<string, string> = {};
  if (raw === null || typeof raw !== 'object') return out;
  let keys: string[];
  try {
    keys = Object.keys(raw);
  } catch {
    return out;
  }
  for (const rawKey of keys) {
    const key = rawKey.trim().toLowerCase();
    // '__proto__' would be silently dropped by assignment; the rest are plain own keys.
    if (key === '' || key === '__proto__' || Object.hasOwn(out, key)) continue;
    const value = firstValue(safeGet(raw, rawKey), key);
    if (value !== undefined) out[key] = value === UNKNOWN ? '' : value;
  }
  return out;
}

/** Every value of the keys that came more than once, in arrival order (lower-case keys). */
export function repeatedValues(raw: unknown): Readonly<Record<string, readonly string[]>> {
  const out: Record<string, string[]> = {};
  if (raw === null || typeof raw !== 'object') return out;
  for (const rawKey of Object.keys(raw)) {
    const value = safeGet(raw, rawKey);
    const key = rawKey.trim().toLowerCase();
    if (key === '__proto__') continue;
    if (Array.isArray(value)) out[key] = value.map((v) => scalar(v) ?? '');
    else if (isVariableMap(value) && Object.keys(value).length > 1) out[key] = variableLines(value);
  }
  return out;
}

function safeGet(raw: object, key: string): unknown {
  try {
    return (raw as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function firstValue(value: unknown, key: string): string | undefined {
  if (Array.isArray(value)) {
    // The library's inherited-key quirk ('constructor' in item) can put a function first.
    for (const item of value) {
      const s = scalar(item);
      if (s !== undefined) return s;
    }
    return undefined;
  }
  if (isVariableMap(value)) {
    // asterisk-manager splits `Variable:`/`ChanVariable:` lines into { NAME: value }.
    const first = variableLines(value)[0];
    return first ?? (key === 'variable' || key === 'chanvariable' ? '' : undefined);
  }
  return scalar(value);
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

function isVariableMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `{ NAME: 'v' }` back to `NAME=v`; a bare name (VarSet's `Variable: NAME`) stays bare. */
function variableLines(map: Record<string, unknown>): string[] {
  const lines: string[] = [];
  for (const name of Object.keys(map)) {
    const v = scalar(map[name]) ?? '';
    lines.push(v === '' ? name : `${name}=${v}`);
  }
  return lines;
}
