import { AmiScript } from './script.js';
import type { CallFlow } from './call.js';
import type { Frame } from './frame.js';
import { seededRandom as rng } from '../random.js';

export interface GenerateOptions {
  /** Include VarSet/Newexten/DeviceStateChange... Default true. */
  readonly noise?: boolean;
  /** Extensions the calls ring. Default 1001..1008. */
  readonly extensions?: readonly string[];
  /** Mean gap between call starts (ms). Default 2000 (several calls overlap). */
  readonly meanGapMs?: number;
}


const KINDS = ['direct-answered', 'direct-missed', 'direct-gave-up', 'ringgroup', 'queue-local', 'queue-abandon', 'anonymous'] as const;

/**
 * Many mixed calls (direct answered/missed/abandoned, ring groups, queues with Local members, withheld
 * callers), overlapping in time, as one stream of frames in time order. Streaming: each call is scripted
 * when it starts and its frames leave as soon as no later call can precede them, so memory stays flat.
 */
export function* generateCalls(n: number, seed: number, options: GenerateOptions = {}): Generator<Frame> {
  const random = rng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const exts = options.extensions ?? ['1001', '1002', '1003', '1004', '1005', '1006', '1007', '1008'];
  const gap = options.meanGapMs ?? 2000;
  const s = new AmiScript({ startEpoch: 1795500000, noise: options.noise ?? true });
  let start = 0;
  for (let i = 0; i < n; i++) {
    start += Math.floor(random() * gap * 2);
    const kind = pick(KINDS);
    const from = kind === 'anonymous' ? pick(['anonymous', '<unknown>']) : `379${String(Math.floor(random() * 1e8)).padStart(8, '0')}`;
    const call = s.inboundCall({ from, did: `37322200${String(i % 100).padStart(2, '0')}`, at: start });
    const ext = pick(exts);
    const ring = 1000 + Math.floor(random() * 15000);
    if (kind === 'queue-local' || kind === 'queue-abandon') {
      const members = [ext, pick(exts.filter((e) => e !== ext))];
      const queue = s.queue(call, { name: 'suporte-local', number: '702', strategy: 'ringall', members: kind === 'queue-local' ? 'local' : 'pjsip' });
      queue.ring(members);
      call.wait(ring);
      if (kind === 'queue-abandon') queue.abandon();
      else {
        queue.answer(pick(members));
        call.talkFor(5000 + Math.floor(random() * 60000));
        queue.complete();
      }
    } else {
      const targets = kind === 'ringgroup' ? [ext, pick(exts.filter((e) => e !== ext))] : [ext];
      call.goto('ext-local', ext, `Chamada para ${targets.join('&')}`);
      const dial = call.dial(targets);
      call.wait(ring);
      if (kind === 'direct-missed') {
        dial.timeout();
        call.endInDialplan();
      } else if (kind === 'direct-gave-up') call.callerCancel(dial);
      else answer(call, dial.answer(pick(targets)), 5000 + Math.floor(random() * 60000));
    }
    yield* s.drain(start);
  }
  yield* s.drain();
}

function answer(call: CallFlow, answered: { bridge: Parameters<CallFlow['startTalk']>[0]; leg: { chan: Parameters<CallFlow['startTalk']>[1] } }, talkMs: number): void {
  call.startTalk(answered.bridge, answered.leg.chan).talkFor(talkMs).hangup();
}
