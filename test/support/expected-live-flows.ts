/**
 * What HubSoft must receive for each call flow of the live suite (test/live/flows*.test.ts), which
 * records its AMI stream as test/fixtures/ami/live/<name>.ami (`npm run record:live`). The everyday
 * replay suite plays those recordings and expects the same.
 *
 * Compared per (ramal, telefone) in order: across rings only that order is guaranteed over HTTP.
 */
export interface LiveExpected {
  readonly route: 'notificar' | 'cancelar';
  readonly ramal: string;
  readonly telefone?: string;
}

/** A client of the fake HubSoft (sample-clients.ts): its windows carry its id. */
export const ANA = '37999912222';
/** Nobody's number: its windows go without ids. */
export const OTHER = '37988887777';

/** The id_cliente each caller's windows must carry (none for unknown and withheld callers). */
export const CLIENT_IDS: Readonly<Record<string, number>> = { [ANA]: 11202 };
const n = (ramal: string, telefone?: string): LiveExpected => ({ route: 'notificar', ramal, ...(telefone ? { telefone } : {}) });
const c = (ramal: string, telefone?: string): LiveExpected => ({ route: 'cancelar', ramal, ...(telefone ? { telefone } : {}) });

export const expectedLive = {
  live_direct_answered: [n('1001', ANA)],
  live_direct_caller_gives_up: [n('1001', ANA), c('1001', ANA)],
  live_direct_noanswer_voicemail: [n('1001', ANA), c('1001', ANA)],
  live_direct_busy: [n('1001', ANA), c('1001', ANA)],
  live_ringgroup_ringall: [n('1001', ANA), n('1002', ANA), c('1001', ANA)],
  live_ringgroup_hunt: [n('1001', ANA), c('1001', ANA), n('1002', ANA)],
  live_queue_ringall_local_members: [n('1001', ANA), n('1002', ANA), c('1001', ANA)],
  live_queue_rrmemory_local_members: [n('1001', ANA), c('1001', ANA), n('1002', ANA), c('1002', ANA), n('1001', ANA), c('1001', ANA)],
  live_queue_abandon: [n('1001', ANA), n('1002', ANA), c('1001', ANA), c('1002', ANA)],
  live_two_devices_one_answers: [n('1003', ANA)],
  live_two_devices_caller_gives_up: [n('1003', ANA), c('1003', ANA)],
  live_blind_transfer: [n('1001', ANA), n('1002', ANA)],
  live_attended_transfer: [n('1001', ANA), n('1002', ANA)],
  live_directed_pickup: [n('1001', ANA), n('1002', ANA), c('1001', ANA)],
  live_followme_external: [n('1001', ANA), c('1001', ANA)],
  live_internal_call: [],
  live_outbound_call: [],
  live_anonymous_caller: [n('1001')],
  live_two_calls_at_once: [n('1001', ANA), n('1002', OTHER), c('1002', OTHER)],
  live_plain_direct_plus55: [n('1001', ANA)],
  live_plain_ringgroup: [n('1001', ANA), n('1002', ANA), c('1001', ANA)],
  live_plain_queue_abandon: [n('1001', ANA), n('1002', ANA), c('1001', ANA), c('1002', ANA)],
} satisfies Record<string, LiveExpected[]>;

export type LiveFlowName = keyof typeof expectedLive;

/** Per ramal/telefone, the routes in order. */
export function perRing(requests: readonly { route: string; ramal?: unknown; telefone?: unknown }[]): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const r of requests) (groups[`${String(r.ramal)}/${String(r.telefone ?? '')}`] ??= []).push(r.route);
  return groups;
}
