import type { AmiEvent } from '../ami/types.js';
import type { LiveChannel } from '../calls/tracker-resync.js';
import type { OpenRingRecord } from './open-rings.js';

export interface RecoveryPlan {
  /** Calls still up: followed again (the tracker decides whether the ring still rings). */
  readonly live: Array<{ readonly record: OpenRingRecord; readonly channels: LiveChannel[] }>;
  /** Calls Asterisk no longer has: their windows get the cancel now. */
  readonly ended: OpenRingRecord[];
}

/** Sorts the windows the last run left open by what Asterisk reports now (CoreShowChannel rows). */
export function planRecovery(records: readonly OpenRingRecord[], rows: readonly AmiEvent[]): RecoveryPlan {
  const byCall = new Map<string, LiveChannel[]>();
  for (const row of rows) {
    if (row.event.toLowerCase() !== 'coreshowchannel' || !row.uniqueid) continue;
    const linkedid = row.linkedid || row.uniqueid;
    const list = byCall.get(linkedid) ?? [];
    list.push({ uniqueid: row.uniqueid, channel: row.channel ?? '', up: row.channelstate === '6' });
    byCall.set(linkedid, list);
  }
  const live: RecoveryPlan['live'] = [];
  const ended: OpenRingRecord[] = [];
  for (const record of records) {
    const channels = byCall.get(record.notice.call.linkedid);
    if (channels && channels.length > 0) live.push({ record, channels });
    else ended.push(record);
  }
  return { live, ended };
}
