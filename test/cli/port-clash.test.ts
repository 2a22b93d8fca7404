import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon } from '../../src/cli/daemon.js';
import { isBridgeError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import { offlineConfig } from '../support/config.js';

describe('a port the daemon listens on is taken', () => {
  let squatter: Server;
  let port: number;
  let dir: string;

  before(async () => {
    squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    port = (squatter.address() as { port: number }).port;
    dir = mkdtempSync(join(tmpdir(), 'hubsoft-bridge-port-'));
  });
  after(async () => {
    await new Promise((resolve) => squatter.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  for (const section of ['agi', 'health'] as const) {
    it(`${section}.port: the error names the key and how to turn the listener off`, async () => {
      const other = section === 'agi' ? 'health' : 'agi';
      const config = offlineConfig({ [section]: { host: '127.0.0.1', port }, [other]: { enabled: false }, state: { dir }, selfService: { enabled: false } });
      const daemon = new Daemon({ config, logger: silentLogger() });
      const error = await daemon.start().then(
        () => null,
        (err: unknown) => err,
      );
      expect(isBridgeError(error, 'PORT_IN_USE'), String(error)).to.equal(true);
      expect((error as Error).message).to.include(`${section}.port ${port} on 127.0.0.1 is already in use`).and.include(`${section}.enabled: false`);
    });
  }
});
