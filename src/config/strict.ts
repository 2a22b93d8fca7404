import type { z } from 'zod';

/**
 * Unknown keys and plain-words messages. The schema stays ordinary z.object()s (anyone adds keys the usual way);
 * this walks the schema beside the raw input, so a key the schema does not know is an error wherever it sits.
 */

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** The object shape under wrappers (default, prefault, optional, pipe...), or null when the node is not an object. */
function nodeOf(schema: z.ZodType): Def | null {
  let def = defOf(schema);
  for (let depth = 0; depth < 10; depth += 1) {
    if (def.type === 'object' || def.type === 'array' || def.type === 'record') return def;
    const inner = def.innerType ?? def.in;
    if (!inner) return null;
    def = defOf(inner);
  }
  return null;
}

const isMapping = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** "hubsoft.lokup: unknown key (did you mean `lookup`?)" for every key the schema does not have. */
export function unknownKeys(schema: z.ZodType, raw: unknown, path: readonly (string | number)[] = []): string[] {
  const node = nodeOf(schema);
  if (!node) return [];
  if (node.type === 'array' && node.element && Array.isArray(raw)) return raw.flatMap((item, i) => unknownKeys(node.element!, item, [...path, i]));
  if (node.type === 'record' && node.valueType && isMapping(raw)) return Object.entries(raw).flatMap(([key, value]) => unknownKeys(node.valueType!, value, [...path, key]));
  if (node.type !== 'object' || !node.shape || !isMapping(raw)) return [];
  const known = Object.keys(node.shape);
  const out: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const here = [...path, key];
    if (!(key in node.shape)) {
      const near = closest(key, known);
      out.push(`${here.join('.')}: unknown key${near ? ` (did you mean \`${near}\`?)` : ''}; known keys here: ${known.join(', ')}`);
      continue;
    }
    out.push(...unknownKeys(node.shape[key]!, value, here));
  }
  return out;
}

/** The known key within a small edit distance (case-insensitive), if any. */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

const EXPECTED_WORDS: Record<string, string> = {
  object: 'a section (a YAML mapping of keys)',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  int: 'a whole number',
};

/** One zod issue in plain words: the key path, what was found, what is expected. */
export function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const path = issue.path.map(String).join('.') || '(root)';
  const found = valueAt(raw, issue.path);
  const custom = !/^Invalid (input|option)/.test(issue.message);
  if (issue.code === 'invalid_type' && custom) return found.missing ? `${path}: ${issue.message}` : `${path}: ${issue.message} (found ${show(found.value)})`;
  if (issue.code === 'invalid_type') {
    const expected = EXPECTED_WORDS[issue.expected] ?? issue.expected;
    if (found.missing) return `${path}: missing; expected ${expected}`;
    return `${path}: found ${show(found.value)}, expected ${expected}`;
  }
  if (issue.code === 'invalid_value' && 'values' in issue) {
    return `${path}: found ${found.missing ? 'nothing' : show(found.value)}, expected one of ${issue.values.map((v) => show(v)).join(', ')}`;
  }
  return found.missing ? `${path}: ${issue.message}` : `${path}: ${issue.message} (found ${show(found.value)})`;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): { missing: boolean; value?: unknown } {
  let node = raw;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !(key in (node as object))) return { missing: true };
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node === undefined ? { missing: true } : { missing: false, value: node };
}

function show(value: unknown): string {
  if (isMapping(value)) return 'a section';
  if (Array.isArray(value)) return 'a list';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
