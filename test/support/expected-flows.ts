/**
 * What HubSoft must receive for each AMI fixture in test/fixtures/ami/ (see EXPECTED.md there).
 *
 * Order: the order the tracker emits them when the frames are fed with their `at` times and a
 * re-ring grace of 1.5 s (the config default). Over HTTP with dispatcher concurrency > 1 only the
 * order per (call, ramal) is guaranteed: compare `perRamal()` views, or sort, in HTTP-level tests.
 */
export type StopReason = 'answered-elsewhere' | 'missed' | 'caller-hung-up';

export interface ExpectedRequest {
  readonly route: 'notificar' | 'cancelar';
  readonly ramal: string;
  /** National number without the leading 0; absent for withheld callers. */
  readonly telefone?: string;
  /** For cancels: why the ring stopped (the tracker's `stopped` reason). Informative. */
  readonly reason?: StopReason;
}

const ANA = '37999912222';
const OTHER = '37988887777';
const n = (ramal: string, telefone?: string): ExpectedRequest => ({ route: 'notificar', ramal, ...(telefone ? { telefone } : {}) });
const c = (ramal: string, telefone: string | undefined, reason: StopReason): ExpectedRequest => ({
  route: 'cancelar',
  ramal,
  ...(telefone ? { telefone } : {}),
  reason,
});

export const expectedHubsoft = {
  // The three recordings from a real Asterisk 22.10.1.
  s1_direct_answered: [n('1001', ANA)],
  s3_ringgroup_one_answers: [n('1001', ANA), n('1002', ANA), c('1001', ANA, 'answered-elsewhere')],
  s4c_queue_localmembers_answered: [n('1002', ANA), n('1001', ANA), c('1001', ANA, 'answered-elsewhere')],
  // Scripted with test/support/ami-script.ts.
  direct_missed_noanswer: [n('1001', ANA), c('1001', ANA, 'missed')],
  direct_busy: [n('1001', ANA), c('1001', ANA, 'missed')],
  direct_caller_gives_up: [n('1001', ANA), c('1001', ANA, 'caller-hung-up')],
  direct_plus55: [n('1001', ANA)],
  ringgroup_hunt: [n('1001', ANA), n('1002', ANA), c('1001', ANA, 'missed')],
  ringgroup_rering_grace: [n('1001', ANA), n('1002', ANA), c('1001', ANA, 'answered-elsewhere')],
  queue_ringall_abandon: [n('1001', ANA), n('1002', ANA), c('1001', ANA, 'caller-hung-up'), c('1002', ANA, 'caller-hung-up')],
  queue_rrmemory_rering: [n('1001', ANA), c('1001', ANA, 'missed'), n('1002', ANA), c('1002', ANA, 'missed'), n('1001', ANA)],
  queue_local_nonanswered: [n('1001', ANA), n('1002', ANA), c('1001', ANA, 'caller-hung-up'), c('1002', ANA, 'caller-hung-up')],
  followme_external: [n('1001', ANA), c('1001', ANA, 'missed')],
  blind_transfer: [n('1001', ANA), n('1002', ANA)],
  attended_transfer: [n('1001', ANA), n('1002', ANA)],
  // 1002 dials *8 and takes 1001's ring: 1001's window closes; the picker gets a window of its own (it
  // talks to the caller), sent as a notificar with no cancel, as for an extension that answered.
  call_pickup: [n('1001', ANA), n('1002', ANA), c('1001', ANA, 'answered-elsewhere')],
  two_calls_different_ext: [n('1001', ANA), n('1002', OTHER), c('1002', OTHER, 'missed')],
  two_calls_same_ext: [n('1001', ANA), n('1001', OTHER), c('1001', OTHER, 'missed')],
  anonymous_caller: [n('1001'), n('1001'), c('1001', undefined, 'caller-hung-up')],
  multi_device_one_extension: [n('1001', ANA)],
  internal_call: [],
  outbound_call: [],
} satisfies Record<string, readonly ExpectedRequest[]>;

export type FixtureName = keyof typeof expectedHubsoft;

export const RECORDED_FIXTURES = ['s1_direct_answered', 's3_ringgroup_one_answers', 's4c_queue_localmembers_answered'] as const;

/** The requests grouped per ramal+telefone, each group in order: what HTTP-level tests can rely on. */
export function perRamal(requests: readonly ExpectedRequest[]): Record<string, Array<'notificar' | 'cancelar'>> {
  const out: Record<string, Array<'notificar' | 'cancelar'>> = {};
  for (const r of requests) (out[`${r.ramal}/${r.telefone ?? ''}`] ??= []).push(r.route);
  return out;
}
