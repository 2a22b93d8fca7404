import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { TRACKER_EVENTS } from '../../src/calls/tracker.js';
import { TRACKED_EVENTS } from '../../src/ops/install/ami-user.js';

describe('AMI eventfilter lines and the events the bridge reads', () => {
  it('TRACKER_EVENTS names every event the tracker switches on', () => {
    const source = readFileSync(new URL('../../src/calls/tracker.ts', import.meta.url), 'utf8');
    const dispatch = source.slice(source.indexOf('private dispatch('), source.indexOf('private onNewchannel('));
    const handled = [...dispatch.matchAll(/case '([a-z]+)':/g)].map((m) => m[1]);
    expect(handled).to.have.members(TRACKER_EVENTS.map((name) => name.toLowerCase()));
  });

  it('the installer lets through every event the tracker and the bridge read', () => {
    const bridge = readFileSync(new URL('../../src/bridge/bridge.ts', import.meta.url), 'utf8');
    const bridgeEvents = [...bridge.matchAll(/'(fullybooted|coreshowchannel)'/gi)].map((m) => m[1]!.toLowerCase());
    const filtered = new Set<string>(TRACKED_EVENTS.map((name) => name.toLowerCase()));
    for (const name of [...TRACKER_EVENTS.map((n) => n.toLowerCase()), ...bridgeEvents]) expect(filtered.has(name), name).to.equal(true);
  });
});
