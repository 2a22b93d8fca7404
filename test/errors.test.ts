import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { errorCatalogue } from '../src/errors.js';

describe('error catalogue', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Error codes'));
  const documented = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);

  it('every code is in the README table, and the table names no other code', () => {
    expect(documented).to.have.members(Object.keys(errorCatalogue));
  });

  it('every message tells the reader something to act on', () => {
    for (const [code, message] of Object.entries(errorCatalogue)) {
      expect(message.length, code).to.be.greaterThan(20);
    }
  });
});
