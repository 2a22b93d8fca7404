import { expect } from 'chai';
import { expectedLive, perRing, ANA, CLIENT_IDS, OTHER, type LiveFlowName } from '../support/expected-live-flows.js';
import { LiveAsterisk, type Variant } from './support/asterisk.js';
import { CallLab, FlowRecorder } from './support/call-lab.js';
import { livePrefix } from './support/hooks.js';
import { LiveBridge } from './support/live-bridge.js';

/** One call flow: what the phones do, who calls, and (in expectedLive) what HubSoft must receive. */
interface Flow {
  readonly name: LiveFlowName;
  readonly what: string;
  run(lab: CallLab): Promise<void>;
}

const flows: Record<Variant, Flow[]> = {
  freepbx: [
    {
      name: 'live_direct_answered',
      what: 'DID -> 1001, answered after 1 s',
      async run(lab) {
        await lab.phone('1001', 'uas-answer.xml', { RING_MS: 1000 });
        await lab.inbound('3732220001', ANA, 'uac-call.xml', { TALK_MS: 1000 });
      },
    },
    {
      name: 'live_direct_caller_gives_up',
      what: 'DID -> 1001, the caller hangs up while it rings',
      async run(lab) {
        await lab.phone('1001', 'uas-ring.xml');
        await lab.inbound('3732220001', ANA, 'uac-cancel.xml', { RING_MS: 1500 });
      },
    },
    {
      name: 'live_direct_noanswer_voicemail',
      what: 'DID -> 1001 rings out (4 s), voicemail answers the caller',
      async run(lab) {
        await lab.phone('1001', 'uas-ring.xml');
        await lab.inbound('3732220001', ANA, 'uac-call.xml', { TALK_MS: 1000 });
      },
    },
    {
      name: 'live_direct_busy',
      what: 'DID -> 1001 rejects busy (486) after 800 ms, busy voicemail',
      async run(lab) {
        await lab.phone('1001', 'uas-busy.xml', { RING_MS: 800 });
        await lab.inbound('3732220001', ANA, 'uac-call.xml', { TALK_MS: 1000 });
      },
    },
    {
      name: 'live_ringgroup_ringall',
      what: 'ring group 600 ringall 1001-1002, 1002 answers, 1001 is cancelled',
      async run(lab) {
        await lab.phone('1001', 'uas-ring.xml');
        await lab.phone('1002', 'uas-answer.xml', { RING_MS: 1200 });
        await lab.inbound('3732220600', `0${ANA}`, 'uac-call.xml', { TALK_MS: 1000 });
      },
    },
    {
      name: 'live_ringgroup_hunt',
      what: 'ring group 601 hunt: 1001 rings 2 s unanswered, then 1002 answers',
      async run(lab) {
        await lab.phone('1001', 'uas-ring.xml');
        await lab.phone('1002', 'uas-answer.xml', { RING_MS: 800 });
        await lab.inbound('3732220601', ANA, 'uac-call.xml', { TALK_MS: 1000 });
      },
    },
    {
      name: 'live_queue_ringall_local_members',
      what: 'queue 700 ringall, Local/...@from-queue members, 1002 answers',
      async run(lab) {
        await lab.phone('1001', 'uas-ring.xml');
        await lab.phone('1002', 'uas-answer.xml', { RING_MS: 1000 });
        // The queue answers the caller at once: talk time counts from there.
        await lab.inbound('3732220700', ANA, 'uac-call.xml', { TALK_MS: 3000 });
      },
    },
    {
      name: 'live_queue_rrmemory_local_members',
      what: 'queue 701 rrmemory (3 s per member, retry 1 s): 1001, 1002, 1001 again, then the caller gives up',
      async run(lab) {
        await lab.phone('1001', 'uas-ring.xml', {}, 2);
        await lab.phone('1002', 'uas-ring.xml');
        await lab.inbound('3732220701', ANA, 'uac-call.xml', { TALK_MS: 10000 });
      },
    },
    {
      name: 'live_queue_abandon',
      what: 'queue 700 ringall, nobody answers, the caller abandons (hangs up after 2 s in the queue)',
      async run(lab) {
        await lab.phone('1001', 'uas-ring.xml');
        await lab.phone('1002', 'uas-ring.xml');
        await lab.inbound('3732220700', ANA, 'uac-call.xml', { TALK_MS: 2000 });
      },
    },
    {
      name: 'live_two_devices_one_answers',
      what: '1003 has a desk phone (static) and a registered softphone; the softphone answers',
      async run(lab) {
        await lab.register('1003', '1003b');
        await lab.phone('1003', 'uas-ring.xml');
        await lab.phone('1003b', 'uas-answer.xml', { RING_MS: 1000 });
        await lab.inbound('3732220003', ANA, 'uac-call.xml', { TALK_MS: 1000 });
      },
    },
    {
      name: 'live_two_devices_caller_gives_up',
      what: 'both devices of 1003 ring, the caller gives up: one window, one cancel',
      async run(lab) {
        await lab.register('1003', '1003b');
        await lab.phone('1003', 'uas-ring.xml');
        await lab.phone('1003b', 'uas-ring.xml');
        await lab.inbound('3732220003', ANA, 'uac-cancel.xml', { RING_MS: 1500 });
      },
    },
    {
      name: 'live_blind_transfer',
      what: '1001 answers and transfers blind (SIP REFER) to 1002, which answers',
      async run(lab) {
        await lab.phone('1001', 'uas-blind-transfer.xml', { RING_MS: 800, TALK_MS: 1000, TARGET: '1002', ASTPORT: lab.asterisk.ports.sip });
        await lab.phone('1002', 'uas-answer.xml', { RING_MS: 800 });
        await lab.inbound('3732220001', ANA, 'uac-call.xml', { TALK_MS: 6000 });
      },
    },
    {
      name: 'live_attended_transfer',
      what: '1001 answers, dials *2 1002 (attended transfer), 1002 answers the consult call, 1001 hangs up',
      async run(lab) {
        await lab.phone('1001', 'uas-dtmf.xml', { RING_MS: 800, DIGITS: '*21002', GAP_MS: 200, HANGUP_MS: 5000 });
        await lab.phone('1002', 'uas-answer.xml', { RING_MS: 800 });
        await lab.inbound('3732220001', ANA, 'uac-call.xml', { TALK_MS: 10000 });
      },
    },
    {
      name: 'live_directed_pickup',
      what: '1001 rings, 1002 dials **1001 and picks the call up',
      async run(lab) {
        await lab.phone('1001', 'uas-ring.xml');
        await lab.inbound('3732220001', ANA, 'uac-call.xml', { TALK_MS: 4000 });
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await lab.outgoing('1002', '**1001', 'uac-call.xml', { TALK_MS: 1500 });
      },
    },
    {
      name: 'live_followme_external',
      what: 'follow-me of 1001: Local/FMPR-1001 rings 2 s, then Local/FMGL- dials the mobile through the trunk, answered',
      async run(lab) {
        await lab.phone('1001', 'uas-ring.xml');
        await lab.carrier('uas-answer.xml', { RING_MS: 800 });
        await lab.inbound('3732220710', ANA, 'uac-call.xml', { TALK_MS: 1000 });
      },
    },
    {
      name: 'live_internal_call',
      what: '1001 calls 1002, answered: nothing for HubSoft',
      async run(lab) {
        await lab.phone('1002', 'uas-answer.xml', { RING_MS: 500 });
        await lab.outgoing('1001', '1002', 'uac-call.xml', { TALK_MS: 1000 });
      },
    },
    {
      name: 'live_outbound_call',
      what: '1001 calls a mobile through the trunk: nothing for HubSoft',
      async run(lab) {
        await lab.carrier('uas-answer.xml', { RING_MS: 500 });
        await lab.outgoing('1001', `0${OTHER}`, 'uac-call.xml', { TALK_MS: 1000 });
      },
    },
    {
      name: 'live_anonymous_caller',
      what: 'a withheld caller (anonymous) rings 1001, answered: a window without telefone',
      async run(lab) {
        await lab.phone('1001', 'uas-answer.xml', { RING_MS: 800 });
        await lab.inbound('3732220001', 'anonymous', 'uac-call.xml', { CALLERNAME: 'Anonymous', TALK_MS: 1000 });
      },
    },
    {
      name: 'live_two_calls_at_once',
      what: 'two callers at once: A -> 1001 answered, B -> 1002 missed (voicemail)',
      async run(lab) {
        await lab.phone('1001', 'uas-answer.xml', { RING_MS: 1500 });
        await lab.phone('1002', 'uas-ring.xml');
        await lab.inbound('3732220001', ANA, 'uac-call.xml', { TALK_MS: 3000 });
        await lab.inbound('3732220002', OTHER, 'uac-call.xml', { TALK_MS: 1000 });
      },
    },
  ],
  plain: [
    {
      name: 'live_plain_direct_plus55',
      what: 'plain Asterisk: +55 caller -> Dial(PJSIP/1001), answered',
      async run(lab) {
        await lab.phone('1001', 'uas-answer.xml', { RING_MS: 800 });
        await lab.inbound('3732220001', `+55${ANA}`, 'uac-call.xml', { TALK_MS: 1000 });
      },
    },
    {
      name: 'live_plain_ringgroup',
      what: 'plain Asterisk: Dial(PJSIP/1001&PJSIP/1002), 1002 answers',
      async run(lab) {
        await lab.phone('1001', 'uas-ring.xml');
        await lab.phone('1002', 'uas-answer.xml', { RING_MS: 1000 });
        await lab.inbound('3732220600', ANA, 'uac-call.xml', { TALK_MS: 1000 });
      },
    },
    {
      name: 'live_plain_queue_abandon',
      what: 'plain Asterisk: queue suporte (PJSIP members) ringall, the caller abandons',
      async run(lab) {
        await lab.phone('1001', 'uas-ring.xml');
        await lab.phone('1002', 'uas-ring.xml');
        await lab.inbound('3732220700', ANA, 'uac-call.xml', { TALK_MS: 2000 });
      },
    },
  ],
};

for (const variant of ['freepbx', 'plain'] as const) {
  describe(`live call flows on a ${variant === 'freepbx' ? 'FreePBX 17-shaped' : 'plain'} Asterisk 22 (SIPp phones and callers -> AMI -> bridge -> fake HubSoft)`, function () {
    let asterisk: LiveAsterisk;
    let bridge: LiveBridge;

    before(async function () {
      const prefix = livePrefix(this);
      asterisk = await LiveAsterisk.create({ prefix, variant });
      await asterisk.start();
      bridge = await LiveBridge.start(asterisk);
    });
    after(async () => {
      await bridge?.close();
      await asterisk?.destroy();
    });

    for (const flow of flows[variant]) {
      it(`${flow.name}: ${flow.what}`, async function () {
        const lab = new CallLab(asterisk);
        const recorder = await FlowRecorder.start(asterisk, flow.name);
        const before = bridge.windows().length;
        try {
          await flow.run(lab);
          await lab.finish();
          await bridge.idle();
        } catch (error) {
          await lab.stop();
          throw new Error(`${String(error)}\n--- bridge log (tail):\n${bridge.logs.slice(-20).join('\n')}\n--- asterisk log (tail):\n${asterisk.logTail(25)}`);
        } finally {
          await recorder.finish();
        }
        const got = bridge.windows().slice(before);
        const expected = expectedLive[flow.name];
        expect(perRing(got), JSON.stringify(got)).to.deep.equal(perRing(expected));
        for (const window of got) expect(window.id_cliente, `id_cliente of ${JSON.stringify(window)}`).to.equal(CLIENT_IDS[String(window.telefone)]);
        expect(asterisk.cli('core show channels count')).to.match(/^0 active channels/m);
      });
    }
  });
}
