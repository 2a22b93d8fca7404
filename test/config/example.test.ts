import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/load.js';

const example = readFileSync(new URL('../../config/example.yaml', import.meta.url), 'utf8');
const required = {
  hubsoft: { url: 'https://h.example', clientId: 'a', clientSecret: 'b', username: 'c', password: 'd' },
  ami: { username: 'u', secret: 's' },
};

function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return [prefix];
  return entries.flatMap(([key, child]) => leafPaths(child, prefix ? `${prefix}.${key}` : key));
}

/** Keys written in the example, commented out or not, with their section path. */
function documentedPaths(text: string): Set<string> {
  const paths = new Set<string>();
  const stack: { indent: number; key: string }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^(\s*)# ?(?=[A-Za-z]+:)/, '$1');
    const match = /^(\s*)([A-Za-z_]+):/.exec(line);
    if (!match) continue;
    const indent = match[1]!.length;
    while (stack.length > 0 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    stack.push({ indent, key: match[2]! });
    paths.add(stack.map((s) => s.key).join('.'));
  }
  return paths;
}

describe('config/example.yaml', () => {
  it('is a valid configuration', () => {
    expect(() => parseConfig(parse(example))).not.to.throw();
  });

  it('documents every key the schema knows, in its section', () => {
    const documented = documentedPaths(example);
    const missing = leafPaths(parseConfig(required)).filter((path) => !documented.has(path));
    expect(missing, 'keys missing from config/example.yaml').to.deep.equal([]);
  });

  it('gives the schema defaults for every optional key it sets', () => {
    const fromExample = parseConfig({ ...parse(example), ...required });
    const defaults = parseConfig(required);
    for (const section of ['calls', 'lookup', 'context', 'notify', 'alerts', 'agi', 'health', 'log', 'state'] as const) {
      expect(fromExample[section], section).to.deep.equal(defaults[section]);
    }
  });
});
