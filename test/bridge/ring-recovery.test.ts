import { expect } from 'chai';
import type { AmiEvent } from '../../src/ami/types.js';
import type { OpenRingRecord } from '../../src/bridge/open-rings.js';
import { planRecovery } from '../../src/bridge/ring-recovery.js';

function record(linkedid: string, extension: string): OpenRingRecord {
  return {
    key: `${linkedid}/${extension}`,
    notice: {
      call: { linkedid, callerNumber: '37999990000', callerName: '', did: '3732220001', direction: 'inbound', callerChannel: `PJSIP/trunk-${linkedid}` },
      extension,
      context: {},
      lookup: null,
      at: 1_000,
    },
  };
}

/** A CoreShowChannel row as the AMI layer hands it over (keys lower-cased). */
function row(fields: { uniqueid: string; linkedid?: string; channel: string; channelstate: string }): AmiEvent {
  return { event: 'CoreShowChannel', actionid: 'hpb-1', ...fields };
}

describe('planRecovery: the windows the last run left open, sorted by what Asterisk reports now', () => {
  it('a call Asterisk no longer lists is ended (its window gets the cancel); a call still up is followed with its channels', () => {
    const gone = record('1700000000.1', '1001');
    const ringing = record('1700000000.5', '1002');
    const plan = planRecovery(
      [gone, ringing],
      [
        row({ uniqueid: '1700000000.5', linkedid: '1700000000.5', channel: 'PJSIP/trunk-00000005', channelstate: '4' }),
        row({ uniqueid: '1700000000.6', linkedid: '1700000000.5', channel: 'PJSIP/1002-00000006', channelstate: '5' }),
        { event: 'CoreShowChannelsComplete', actionid: 'hpb-1', eventlist: 'Complete', listitems: '2' },
      ],
    );
    expect(plan.ended).to.deep.equal([gone]);
    expect(plan.live).to.have.length(1);
    expect(plan.live[0]!.record).to.equal(ringing);
    expect(plan.live[0]!.channels).to.deep.equal([
      { uniqueid: '1700000000.5', channel: 'PJSIP/trunk-00000005', up: false },
      { uniqueid: '1700000000.6', channel: 'PJSIP/1002-00000006', up: false },
    ]);
  });

  it('marks answered channels (ChannelState 6) as up, and groups two rings of one call under that call', () => {
    const a = record('1700000001.1', '1001');
    const b = record('1700000001.1', '1002');
    const plan = planRecovery(
      [a, b],
      [
        row({ uniqueid: '1700000001.1', linkedid: '1700000001.1', channel: 'PJSIP/trunk-1', channelstate: '6' }),
        row({ uniqueid: '1700000001.2', linkedid: '1700000001.1', channel: 'PJSIP/1001-2', channelstate: '6' }),
      ],
    );
    expect(plan.ended).to.deep.equal([]);
    expect(plan.live.map((l) => l.record.key)).to.deep.equal([a.key, b.key]);
    expect(plan.live[0]!.channels.map((c) => c.up)).to.deep.equal([true, true]);
  });

  it('a row without Linkedid counts under its own Uniqueid; rows without Uniqueid and other events are ignored', () => {
    const own = record('1700000002.1', '1001');
    const plan = planRecovery(
      [own],
      [
        row({ uniqueid: '1700000002.1', channel: 'PJSIP/trunk-1', channelstate: '4' }),
        { event: 'CoreShowChannel', channel: 'PJSIP/x', linkedid: '1700000009.9' },
        { event: 'Newchannel', uniqueid: '1700000009.9', linkedid: '1700000009.9' },
      ],
    );
    expect(plan.live.map((l) => l.record)).to.deep.equal([own]);
    expect(plan.live[0]!.channels).to.have.length(1);
  });

  it('with an empty channel list every window is ended; with no windows there is nothing to do', () => {
    const records = [record('1.1', '1001'), record('2.1', '1002'), record('3.1', '1003')];
    expect(planRecovery(records, [])).to.deep.equal({ live: [], ended: records });
    expect(planRecovery([], [row({ uniqueid: '1.1', linkedid: '1.1', channel: 'PJSIP/t-1', channelstate: '6' })])).to.deep.equal({ live: [], ended: [] });
  });
});
