import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RingNotice } from '../../src/bridge/crm-port.js';
import { OpenRingsFile } from '../../src/bridge/open-rings.js';
import { silentLogger } from '../../src/log/logger.js';
import { capturingLogger } from '../support/capturing-logger.js';

const notice: RingNotice = {
  call: { linkedid: '1796604108.0', callerNumber: '37999912222', callerName: '', did: '3732220001', direction: 'inbound', callerChannel: 'PJSIP/trunk-00000000' },
  extension: '1001',
  context: {},
  lookup: null,
  at: Date.now(),
};

describe('OpenRingsFile: the windows a killed bridge left open', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'open-rings-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opened() resolves only once the window is in the file a restarted bridge reads (fsync on or off)', async () => {
    for (const fsync of [true, false]) {
      const { file } = await OpenRingsFile.open(dir, { fsync, logger: silentLogger(), maxAgeMs: 60_000 });
      await file.opened(`${fsync}/1001`, notice);
      expect(readFileSync(join(dir, 'open-rings.json'), 'utf8'), 'renamed into place before the notify may leave').to.include(`${fsync}/1001`);
      const { previous } = await OpenRingsFile.open(dir, { fsync, logger: silentLogger(), maxAgeMs: 60_000 });
      expect(previous.map((r) => r.key)).to.include(`${fsync}/1001`);
      file.closed(`${fsync}/1001`);
      await file.flush();
    }
  });

  it('a state dir that cannot be written never holds a notify back, and says so once', async () => {
    const blocked = join(dir, 'not-a-dir');
    writeFileSync(blocked, '');
    const { logger, lines } = capturingLogger();
    const { file } = await OpenRingsFile.open(join(blocked, 'state'), { fsync: true, logger, maxAgeMs: 60_000 });
    await file.opened('a/1001', notice);
    await file.opened('b/1002', notice);
    await file.flush();
    expect(lines.filter((line) => String(line.msg).includes('open rings cannot be journaled'))).to.have.length(1);
  });
});
