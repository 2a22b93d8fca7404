/**
 * What the bridge remembers about one call between its AGI commands (each AGI() is its own FastAGI session),
 * keyed by ${CHANNEL(linkedid)}: who the caller is, whether they confirmed it, what was already sent, the
 * protocol number. Forgotten callTtlSeconds after last use; saved with the daily counts (state-file.ts) so a
 * restart mid-call keeps it. The clock is injected.
 */

export interface IdentifiedClient {
  readonly id_cliente: number;
  readonly codigo_cliente: number | null;
  readonly cpf_cnpj: string | null;
  readonly nome_razaosocial: string;
  /**
   * 'phone': the caller's number is a registered phone of exactly this client (caller ID); 'document': the caller
   * typed the CPF/CNPJ (not secret in Brazil: enough only to send to the client's registered contacts).
   */
  readonly via: 'phone' | 'document';
}

/** A second copy of this call: 'sent', or 'pending' when HubSoft did not answer in time (it may have been sent). */
export type SendMark = 'sent' | 'pending';

export interface CallState {
  readonly linkedid: string;
  client: IdentifiedClient | null;
  confirmed: boolean;
  confirmFailures: number;
  /** `${id_fatura}:${channel}` sent (or being sent) in this call. */
  readonly sent: Map<string, SendMark>;
  protocol: string | null;
  /** The id_atendimento HubSoft gave with the protocol (null when it sent none): the ticket edited at call end. */
  id_atendimento: number | null;
  /** A protocol request in flight, so two AGI calls of one call never open two atendimentos. */
  protocolPending: Promise<string> | null;
  /** What self-service did in this call, in order: `<command>:<status>[:<reason>]` (at most MAX_HISTORY). */
  readonly history: string[];
  /** A command that settles the caller's request (second copy sent, unlock, reset, reconnect) answered ok. */
  resolved: boolean;
  /** hubsoft-call-end ran for this call: the ticket edit is queued once. */
  ended: boolean;
  /** When the bridge first saw this call (its first AGI command). */
  readonly startedAt: number;
  lastUsed: number;
}

export const MAX_HISTORY = 20;

export interface SavedCall {
  readonly linkedid: string;
  readonly client: IdentifiedClient | null;
  readonly confirmed: boolean;
  readonly confirmFailures: number;
  readonly sent: readonly (readonly [string, SendMark])[];
  readonly protocol: string | null;
  /** The fields below came with issue 17: a file of an older run lacks them (read as null / empty / false). */
  readonly id_atendimento?: number | null;
  readonly history?: readonly string[];
  readonly resolved?: boolean;
  readonly ended?: boolean;
  readonly startedAt?: number;
  readonly lastUsed: number;
}

export interface CallStatesOptions {
  readonly ttlMs: number;
  readonly maxCalls?: number;
  readonly now?: () => number;
}

export class CallStates {
  private readonly calls = new Map<string, CallState>();
  private readonly now: () => number;
  private readonly maxCalls: number;

  constructor(private readonly options: CallStatesOptions) {
    this.now = options.now ?? Date.now;
    this.maxCalls = options.maxCalls ?? 5000;
  }

  /** The state of `linkedid`, created when new. */
  get(linkedid: string): CallState {
    this.sweep();
    const now = this.now();
    let state = this.calls.get(linkedid);
    if (state) {
      this.calls.delete(linkedid); // re-insert: the map stays ordered by last use
    } else {
      state = { ...fresh(linkedid, now), sent: new Map(), protocolPending: null, history: [] };
    }
    state.lastUsed = now;
    this.put(state);
    return state;
  }

  /** The calls still alive, least recently used first, in the saved form. */
  saved(): SavedCall[] {
    this.sweep();
    return [...this.calls.values()].map((s) => ({
      linkedid: s.linkedid,
      client: s.client,
      confirmed: s.confirmed,
      confirmFailures: s.confirmFailures,
      sent: [...s.sent],
      protocol: s.protocol,
      id_atendimento: s.id_atendimento,
      history: [...s.history],
      resolved: s.resolved,
      ended: s.ended,
      startedAt: s.startedAt,
      lastUsed: s.lastUsed,
    }));
  }

  /** Puts back saved calls (least recently used first); expired ones are dropped. */
  restore(saved: readonly SavedCall[]): void {
    for (const s of saved) {
      const state: CallState = {
        ...fresh(s.linkedid, s.startedAt ?? s.lastUsed),
        ...s,
        id_atendimento: s.id_atendimento ?? null,
        resolved: s.resolved === true,
        ended: s.ended === true,
        startedAt: s.startedAt ?? s.lastUsed,
        sent: new Map(s.sent),
        history: [...(s.history ?? [])].slice(-MAX_HISTORY),
        protocolPending: null,
      };
      if (!this.expired(state)) this.put(state);
    }
  }

  /**
   * The protocol number given to the caller of `linkedid`, or null. The call path can put it into
   * ligacao_params when the call then rings an agent.
   */
  protocolFor(linkedid: string): string | null {
    const state = this.calls.get(linkedid);
    if (!state || this.expired(state)) return null;
    return state.protocol;
  }

  /** What self-service did in `linkedid` (`<command>:<status>[:<reason>]`, oldest first); [] when nothing. */
  historyFor(linkedid: string): readonly string[] {
    const state = this.calls.get(linkedid);
    if (!state || this.expired(state)) return [];
    return [...state.history];
  }

  /** The client identified in `linkedid`, or null. */
  clientFor(linkedid: string): IdentifiedClient | null {
    const state = this.calls.get(linkedid);
    if (!state || this.expired(state)) return null;
    return state.client;
  }

  forget(linkedid: string): void {
    this.calls.delete(linkedid);
  }

  get size(): number {
    return this.calls.size;
  }

  private put(state: CallState): void {
    this.calls.set(state.linkedid, state);
    while (this.calls.size > this.maxCalls) this.calls.delete(this.calls.keys().next().value!);
  }

  private expired(state: CallState): boolean {
    return this.now() - state.lastUsed >= this.options.ttlMs;
  }

  private sweep(): void {
    for (const [key, state] of this.calls) {
      if (!this.expired(state)) break; // ordered by last use: the rest are younger
      this.calls.delete(key);
    }
  }
}

function fresh(linkedid: string, now: number): Omit<CallState, 'sent' | 'protocolPending' | 'history'> {
  return { linkedid, client: null, confirmed: false, confirmFailures: 0, protocol: null, id_atendimento: null, resolved: false, ended: false, startedAt: now, lastUsed: now };
}
