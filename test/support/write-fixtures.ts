/** Regenerates the scripted AMI fixtures: `npx tsx test/support/write-fixtures.ts`. */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCRIPTED_FIXTURES, scriptedFixture } from './ami-script/fixtures.js';
import { toSessionFile } from './ami-script/frame.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'ami');

for (const name of SCRIPTED_FIXTURES) {
  const { startEpoch, frames } = scriptedFixture(name);
  writeFileSync(join(dir, `${name}.ami`), toSessionFile(frames, { epoch: startEpoch - 5 }), 'binary');
  console.log(`${name}.ami: ${frames.length} events`);
}
