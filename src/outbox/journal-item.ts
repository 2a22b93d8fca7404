import type { Logger } from '../log/logger.js';
import type { Item } from './lane-queues.js';
import type { Outbox, StageResult } from './outbox.js';

export interface JournalHooks {
  readonly logger: Logger;
  readonly onJournaled: () => void;
  readonly onUnjournaled: () => void;
  /** The outbox refused a notify as full: it is dropped. */
  readonly onFull: () => void;
  /** The item may enter the dispatcher now (behind every earlier one). */
  readonly onReady: () => void;
}

/**
 * Journals one request. A must-deliver request (kind cancel) is ready only once its line is on disk. A
 * notify is journaled and sent in parallel: its record is staged (refusals such as "full" are known at
 * once), it is ready now, and its line is group-committed meanwhile. This takes the fdatasync (~1-3 ms,
 * more on a busy disk) off the ring -> screen-pop path. Trade-off: a crash within those milliseconds can
 * leave a notify HubSoft may already have received with no durable record, so it is not sent again after
 * the restart; harmless, since a replayed notify would only reopen a window for a ring that is over.
 */
export function journalItem(outbox: Outbox, item: Item, hooks: JournalHooks): void {
  const { request } = item;
  const input = { kind: request.kind, key: request.key, createdAt: item.createdAt, route: request.route, body: request.body };
  const failed = (error: unknown) => {
    hooks.onUnjournaled();
    hooks.logger.error({ err: error, key: request.key, job: request.describe }, 'outbox write failed: request sent without a journal record');
  };
  if (request.kind === 'cancel') {
    outbox
      .append(input)
      .then(
        (result) => {
          if (result.ok) {
            item.id = result.record.id;
            hooks.onJournaled();
          } else {
            hooks.onUnjournaled();
          }
        },
        failed,
      )
      .finally(hooks.onReady);
    return;
  }
  let staged: StageResult;
  try {
    staged = outbox.stage(input);
  } catch (error) {
    failed(error);
    return hooks.onReady();
  }
  if (staged.ok) {
    item.id = staged.record.id;
    staged.written.then(hooks.onJournaled, (error: unknown) => {
      // The outbox forgot the record: a notify still waiting must not look expired to the pump.
      item.id = null;
      failed(error);
    });
  } else if (staged.reason === 'full') {
    // The outbox logged it; HubSoft has been down long enough that this ring is over by the time it returns.
    hooks.onFull();
  } else {
    hooks.onUnjournaled();
  }
  hooks.onReady();
}
