import { Writable } from 'node:stream';
import type { AmiLoginInfo } from '../../src/ami/connection.js';
import type { AmiEvent } from '../../src/ami/types.js';
import { Bridge, type AmiLink } from '../../src/bridge/bridge.js';
import type { JobQueue } from '../../src/bridge/call-path.js';
import type { CrmPort } from '../../src/bridge/crm-port.js';
import { offlineConfig } from '../support/config.js';
import type { LookupResult } from '../../src/hubsoft/types.js';
import { createLogger } from '../../src/log/logger.js';

/** Counts what the call path asked of the CRM; answers at once (a no-op HubSoft). */
export interface NoopCounts {
  lookups: number;
  notifies: number;
  cancels: number;
}

export function noopCrm(counts: NoopCounts): CrmPort {
  return {
    lookupCaller(raw) {
      counts.lookups += 1;
      const result: LookupResult = { status: 'notfound', raw, phone: raw, candidates: [raw], clients: [], client: null };
      return Promise.resolve(result);
    },
    prepareRinging(ring) {
      counts.notifies += 1;
      return { route: 'notificar', kind: 'notify', key: `${ring.extension}|${ring.call.callerNumber}`, body: {} };
    },
    prepareStopped(ring) {
      counts.cancels += 1;
      return { route: 'cancelar', kind: 'cancel', key: `${ring.extension}|${ring.call.callerNumber}`, body: {} };
    },
    send: () => Promise.resolve(),
    isRetryable: () => false,
  };
}

/** Takes each job at once (no journal, no HTTP, no rate limit): the noop CRM counted it when it prepared it. */
export const immediateQueue: JobQueue = {
  enqueue() {},
};

export const silent = () => createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });

/** An AMI link fed by hand: `feed(event)` is what AmiConnection's 'event' would do. */
export function handLink(): AmiLink & { feed(event: AmiEvent): void } {
  let listener: ((event: AmiEvent) => void) | undefined;
  const link = {
    on(event: string, fn: unknown) {
      if (event === 'event') listener = fn as (event: AmiEvent) => void;
      return link;
    },
    off() {
      return link;
    },
    sendList: () => Promise.reject(new Error('no list in the bench')),
    feed(event: AmiEvent) {
      listener?.(event);
    },
  };
  return link as unknown as AmiLink & { feed(event: AmiEvent): void };
}

export type { AmiLoginInfo };

/** Tracker + call path (Bridge) on a no-op CRM; `clock`/`timers` may be simulated. */
export function eventPathBridge(ami: AmiLink, counts: NoopCounts, options: { clock?: () => number; timers?: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout } } = {}): Bridge {
  const config = offlineConfig({ lookup: { defaultAreaCode: '37' }, agi: { enabled: false }, health: { enabled: false }, log: { level: 'silent' } });
  const bridge = new Bridge({ config, logger: silent(), ami, crm: noopCrm(counts), queue: immediateQueue, ...options });
  bridge.start();
  return bridge;
}
