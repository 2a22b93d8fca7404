import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { harnessSections, until } from '../support/bridge-harness.js';
import { startFakeHubsoft, type FakeHubsoft } from '../support/fake-hubsoft.js';
import { ANA, OTHER, perRing } from '../support/expected-live-flows.js';
import { AmiProxy } from './support/ami-proxy.js';
import { BRIDGE_AMI, LiveAsterisk } from './support/asterisk.js';
import { CallLab } from './support/call-lab.js';
import { livePrefix } from './support/hooks.js';
import { LiveBridge } from './support/live-bridge.js';
import { spawnTracked, stopProcess, type Spawned } from './support/processes.js';

const THIRD = '37988881111';

/** Every window HubSoft opened was closed again: nothing left open for an agent to clear by hand. */
function openWindows(hubsoft: FakeHubsoft): string[] {
  return [...hubsoft.windows.keys()];
}

describe('live faults: Asterisk restarted, AMI link cut, bridge restarted while agents ring', function () {
  let asterisk: LiveAsterisk;

  before(async function () {
    const prefix = livePrefix(this);
    // Long rings: the faults happen while the agents' phones still ring.
    asterisk = await LiveAsterisk.create({ prefix, variant: 'freepbx', ringSeconds: 12 });
    await asterisk.start();
  });
  after(async () => {
    await asterisk?.destroy();
  });

  it('Asterisk restarted while 1001 rings: the window is closed once Asterisk is fully booted again', async () => {
    const bridge = await LiveBridge.start(asterisk);
    const lab = new CallLab(asterisk);
    try {
      await lab.phone('1001', 'uas-ring.xml');
      await lab.inbound('3732220001', ANA, 'uac-call.xml', { TALK_MS: 1000 });
      await until(() => bridge.windows().length === 1, 10000, 'the notify of 1001');
      // Asterisk dies with the call up (no hangup reaches the AMI), then comes back on the same ports.
      await asterisk.stop();
      await lab.stop();
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await asterisk.start();
      await until(() => bridge.windows().length === 2, 15000, 'the cancel after the restart');
      await bridge.idle();
      expect(bridge.windows().map((w) => [w.route, w.ramal, w.telefone])).to.deep.equal([
        ['notificar', '1001', ANA],
        ['cancelar', '1001', ANA],
      ]);
      expect(openWindows(bridge.hubsoft)).to.deep.equal([]);
    } finally {
      await lab.stop();
      await bridge.close();
    }
  });

  it('AMI link cut while three agents ring: the call that ended in the gap is closed after the resync, the others when they end', async () => {
    const proxy = await AmiProxy.start(asterisk.ports.ami);
    const bridge = await LiveBridge.start(asterisk, { amiPort: proxy.port });
    const lab = new CallLab(asterisk);
    try {
      await lab.phone('1001', 'uas-ring.xml');
      await lab.phone('1002', 'uas-ring.xml');
      await lab.phone('1003', 'uas-ring.xml');
      const started = Date.now();
      await lab.inbound('3732220001', ANA, 'uac-cancel.xml', { RING_MS: 7000 });
      await lab.inbound('3732220002', OTHER, 'uac-cancel.xml', { RING_MS: 7000 });
      await lab.inbound('3732220003', THIRD, 'uac-cancel.xml', { RING_MS: 3000 });
      await until(() => bridge.windows().length === 3, 10000, 'three notifies');
      proxy.cut();
      // The third caller gives up while the bridge is blind (3 s after dialling), then the link comes back.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + 4500 - Date.now())));
      expect(bridge.windows(), 'nothing can be known while the link is down').to.have.length(3);
      proxy.restore();
      await until(() => bridge.windows().length === 4, 10000, 'the cancel of the call that ended in the gap');
      expect(bridge.windows()[3]).to.include({ route: 'cancelar', ramal: '1003', telefone: THIRD });
      await lab.finish();
      await bridge.idle();
      expect(perRing(bridge.windows())).to.deep.equal({
        [`1001/${ANA}`]: ['notificar', 'cancelar'],
        [`1002/${OTHER}`]: ['notificar', 'cancelar'],
        [`1003/${THIRD}`]: ['notificar', 'cancelar'],
      });
      expect(openWindows(bridge.hubsoft)).to.deep.equal([]);
    } finally {
      await lab.stop();
      await bridge.close();
      await proxy.close();
    }
  });

  it('bridge stopped (SIGTERM) and started again while 1001 rings: its window is closed, and not left open', async () => {
    const hubsoft = await startFakeHubsoft();
    const stateDir = mkdtempSync(join(tmpdir(), 'live-restart-'));
    const lab = new CallLab(asterisk);
    let bridge = await LiveBridge.start(asterisk, { hubsoft, stateDir });
    try {
      await lab.phone('1001', 'uas-ring.xml');
      await lab.inbound('3732220001', ANA, 'uac-cancel.xml', { RING_MS: 5000 });
      await until(() => bridge.windows().length === 1, 10000, 'the notify of 1001');
      await bridge.stop();
      bridge = await LiveBridge.start(asterisk, { hubsoft, stateDir });
      await lab.finish();
      await bridge.idle();
      const routes = bridge.windows().map((w) => `${w.route} ${String(w.ramal)}`);
      // Closed at the stop (for the bridge the call is over); the restarted bridge does not reopen it.
      expect(routes).to.deep.equal(['notificar 1001', 'cancelar 1001']);
      expect(openWindows(hubsoft)).to.deep.equal([]);
    } finally {
      await lab.stop();
      await bridge.close();
      await hubsoft.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('bridge process killed (SIGKILL) while 1001 rings and started again: the window left open is closed when the call ends', async () => {
    const hubsoft = await startFakeHubsoft();
    const dir = mkdtempSync(join(tmpdir(), 'live-crash-'));
    const configFile = join(dir, 'config.json');
    const sections = harnessSections(hubsoft.url, { host: '127.0.0.1', port: asterisk.ports.ami, ...BRIDGE_AMI });
    writeFileSync(configFile, JSON.stringify({ ...sections, calls: {}, log: { level: 'info' }, state: { dir: join(dir, 'state'), outbox: { fsync: true } } }));
    const output: string[] = [];
    const runBridge = (): { process: Spawned; loggedIn: Promise<void> } => {
      const process = spawnTracked('bridge', globalThis.process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'run', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
      const loggedIn = new Promise<void>((resolve, reject) => {
        process.child.stdout!.on('data', (chunk: Buffer) => {
          output.push(chunk.toString());
          if (chunk.toString().includes('AMI logged in')) resolve();
        });
        process.child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
        void process.exited.then((code) => reject(new Error(`bridge exited ${code} before its AMI login`)));
      });
      return { process, loggedIn };
    };
    const lab = new CallLab(asterisk);
    let running = runBridge();
    try {
      await running.loggedIn;
      await lab.phone('1001', 'uas-ring.xml');
      await lab.inbound('3732220001', ANA, 'uac-cancel.xml', { RING_MS: 6000 });
      await hubsoft.waitFor((requests) => requests.some((r) => r.path.endsWith('/notificar')), 10000);
      running.process.child.kill('SIGKILL');
      await running.process.exited;
      running = runBridge();
      await running.loggedIn;
      await lab.finish();
      await hubsoft.waitFor((requests) => requests.some((r) => r.path.endsWith('/cancelar')), 10000);
      const routes = hubsoft.requests.filter((r) => r.path.includes('/pbx/ligacao/')).map((r) => r.path.split('/').at(-1));
      // No cancel at the kill; the restarted bridge follows the ring it found in open-rings.json until the caller gives up.
      // A notify whose acknowledgement the kill prevented is sent again (at least once, README Reliability).
      expect(routes.slice(0, -1)).to.satisfy((notifies: string[]) => notifies.length >= 1 && notifies.length <= 2 && notifies.every((r) => r === 'notificar'));
      expect(routes.at(-1)).to.equal('cancelar');
      expect(openWindows(hubsoft)).to.deep.equal([]);
    } catch (error) {
      const requests = hubsoft.requests.map((r) => `${r.method} ${r.path}`).join('\n');
      throw new Error(`${String(error)}\n--- HubSoft got:\n${requests}\n--- bridge output:\n${output.join('').slice(-4000)}\n--- asterisk:\n${asterisk.logTail(20)}`);
    } finally {
      await lab.stop();
      await stopProcess(running.process);
      await hubsoft.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
