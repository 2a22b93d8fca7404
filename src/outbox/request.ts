/**
 * The outbox delivers what a CRM adapter prepared; it never knows what the request means.
 *
 * Flow: an adapter (bridge/hubsoft-crm.ts, bridge/no-crm.ts) turns a call-lifecycle verb into a
 * PreparedRequest; DurableDispatch journals it (outbox.ts), orders it by `key` and `lane` (lanes.ts),
 * and hands it back to the same adapter's `send()` through the Dispatcher (retries, outage hold).
 * A replayed record is only `route` + `body` + `key`: everything send() needs must be in the body.
 *
 * Adding a request kind (say a ticket edit after the call):
 *  1. give the adapter a `prepareX(...)` returning `{ route: 'x', kind, key, body, describe }`:
 *     `kind: 'cancel'` for a record that must arrive (journaled before it is sent, kept and retried up to
 *     state.outbox.cancelMaxAgeMs), `kind: 'notify'` for one worth sending only while young (notify.maxAgeMs);
 *     `key` orders it against the other requests of the same thing (same key: one after another, in order);
 *  2. handle `route === 'x'` in the adapter's `send()` and, if its refusals differ, in `isRetryable()`;
 *  3. enqueue it with `DurableDispatch.submit(request, { createdAt })` (live lane) from wherever it arises.
 * Nothing in src/outbox/ changes.
 */
export type DeliveryKind = 'notify' | 'cancel';

export interface PreparedRequest {
  /** The adapter's name for the request ('notificar', 'cancelar', ...): its send() switches on it. Journaled. */
  readonly route: string;
  readonly kind: DeliveryKind;
  /** Ordering key from the adapter: requests with the same key leave one after another, in order. Journaled. */
  readonly key: string;
  /** The adapter's payload, JSON-serialisable. Journaled. */
  readonly body: unknown;
  /** One line for logs (no secrets); rebuilt by describe() for replayed records. */
  readonly describe?: string;
}

/** The way out: the adapter that prepared the request sends it. */
export interface RequestSender {
  /** One attempt; `signal` aborts it (shutdown, the attempt timeout). Throws on any failure. */
  send(request: PreparedRequest, signal: AbortSignal): Promise<void>;
  /** Whether a failure of send() is worth another attempt later (else the refusal is permanent). */
  isRetryable(error: unknown): boolean;
  /** A log line for a request rebuilt from the journal. */
  describe?(request: PreparedRequest): string;
}
