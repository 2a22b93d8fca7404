import NodeCache from 'node-cache';
import type { LookupConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { searchTerm, type ApiGetter, type TermAnswer, type TermSearch } from './client-search.js';
import { normalisePhone } from './phone.js';
import type { ClientSummary, LookupResult } from './types.js';

export { CLIENTE_PATH, isNoResultAnswer, type ApiGetter } from './client-search.js';

/**
 * How the candidate terms go to HubSoft on a cold lookup. first-then-rest (default): the most likely term alone,
 * then every other one at once (found first: 1 request, 1 round trip; unknown: all requests, 2 round trips).
 * all-at-once: every term at once (1 round trip, all requests always). sequential: one after another (the old way;
 * kept for the equivalence tests). The result is the same whichever: the first term in order that finds the caller.
 */
export type SearchStrategy = 'first-then-rest' | 'all-at-once' | 'sequential';

export type SearchOutcome = 'found' | 'ambiguous' | 'notfound' | 'error';

export interface CustomerLookupDeps {
  readonly client: ApiGetter;
  readonly config: LookupConfig;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly strategy?: SearchStrategy;
  /** After every search that asked HubSoft (cache hits and shared in-flight searches excluded): metrics. */
  readonly onSearch?: (outcome: SearchOutcome, requests: number, seconds: number) => void;
}

export interface LookupStats {
  readonly hits: number;
  readonly misses: number;
  readonly size: number;
  readonly inflight: number;
  readonly requests: number;
}

interface CacheEntry {
  readonly expiresAt: number;
  readonly status: 'found' | 'ambiguous' | 'notfound';
  readonly candidates: readonly string[];
  readonly clients: readonly ClientSummary[];
  readonly client: ClientSummary | null;
}

/**
 * Caller lookup by phone: normalise, ask HubSoft for the candidate terms (see SearchStrategy), keep the
 * first term in order that finds clients having the caller's number, pick the client. Found and not-found answers are cached (own TTLs); errors are not.
 * Concurrent lookups of one number share one HubSoft round.
 */
export class CustomerLookup {
  private readonly cache: NodeCache;
  private readonly inflight = new Map<string, Promise<CacheEntry>>();
  private readonly now: () => number;
  private hits = 0;
  private misses = 0;
  private requests = 0;

  constructor(private readonly deps: CustomerLookupDeps) {
    this.now = deps.now ?? Date.now;
    // Expiry is checked against the injected clock; node-cache only bounds the size.
    this.cache = new NodeCache({ stdTTL: 0, checkperiod: 0, useClones: false, maxKeys: deps.config.cacheMaxKeys });
  }

  async lookup(rawCallerId: string): Promise<LookupResult> {
    const { config } = this.deps;
    const phone = normalisePhone(rawCallerId, { defaultAreaCode: config.defaultAreaCode, maxCandidates: config.maxRequests });
    if (!phone.national || phone.candidates.length === 0) {
      return { status: 'skipped', raw: rawCallerId, phone: null, candidates: [], clients: [], client: null, reason: phone.reason ?? phone.kind };
    }
    const key = phone.national;
    const cached = this.fromCache(key);
    if (cached) {
      this.hits += 1;
      return toResult(rawCallerId, key, cached);
    }
    this.misses += 1;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.search(key, phone.candidates).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    try {
      return toResult(rawCallerId, key, await pending);
    } catch (error) {
      const failure = error instanceof SearchFailure ? error : new SearchFailure(error, []);
      return { status: 'error', raw: rawCallerId, phone: key, candidates: failure.tried, clients: [], client: null, reason: failure.message };
    }
  }

  stats(): LookupStats {
    return { hits: this.hits, misses: this.misses, size: this.cache.getStats().keys, inflight: this.inflight.size, requests: this.requests };
  }

  /** Forgets one number's cached answer (HubSoft said its client no longer exists). `phone`: the national number. */
  forget(phone: string): void {
    this.cache.del(phone);
  }

  /** Forgets every cached answer (e.g. after the operator fixed phone numbers in HubSoft). */
  clear(): void {
    this.cache.flushAll();
  }

  private async search(key: string, candidates: readonly string[]): Promise<CacheEntry> {
    const { config, logger } = this.deps;
    const started = performance.now();
    const terms: TermSearch = {
      client: this.deps.client,
      caller: key,
      defaultAreaCode: config.defaultAreaCode,
      limit: config.limit,
      onDropped: (term, dropped) => logger.warn({ term, dropped }, 'hubsoft: client entries without a usable id_cliente ignored'),
    };
    const asked: Promise<TermAnswer>[] = [];
    const ask = (from: number, to: number): void => {
      for (let i = from; i < to && i < candidates.length; i++) {
        this.requests += 1;
        asked[i] = searchTerm(terms, candidates[i]!);
      }
    };
    const strategy = this.deps.strategy ?? 'first-then-rest';
    ask(0, strategy === 'all-at-once' ? candidates.length : 1);
    const tried: string[] = [];
    let foreign = 0;
    let outcome: SearchOutcome = 'error';
    try {
      for (let i = 0; i < candidates.length; i++) {
        if (!asked[i]) ask(i, strategy === 'sequential' ? i + 1 : candidates.length);
        const answer = await asked[i]!;
        tried.push(candidates[i]!);
        if (answer.kind === 'error') throw new SearchFailure(answer.error, [...tried]);
        if (answer.kind === 'hit') {
          outcome = answer.choice.status;
          return this.store(key, { status: outcome, candidates: tried, clients: answer.clients, client: answer.choice.client }, config.foundTtlSeconds);
        }
        foreign += answer.foreign;
      }
      if (foreign > 0) logger.debug({ phone: key, foreign }, 'hubsoft: clients returned for the search terms have other phone numbers: ignored');
      outcome = 'notfound';
      return this.store(key, { status: 'notfound', candidates: tried, clients: [], client: null }, config.notFoundTtlSeconds);
    } finally {
      // The terms asked ahead and not needed any more settle on their own (searchTerm never rejects).
      this.deps.onSearch?.(outcome, asked.filter(Boolean).length, (performance.now() - started) / 1000);
    }
  }

  private store(key: string, entry: Omit<CacheEntry, 'expiresAt'>, ttlSeconds: number): CacheEntry {
    const full: CacheEntry = { ...entry, expiresAt: this.now() + ttlSeconds * 1000 };
    if (ttlSeconds <= 0) return full;
    this.cache.del(key);
    if (this.cache.getStats().keys >= this.deps.config.cacheMaxKeys) this.evict();
    try {
      this.cache.set(key, full);
    } catch {
      // Still full after eviction: serve the answer uncached.
    }
    return full;
  }

  private fromCache(key: string): CacheEntry | undefined {
    const entry = this.cache.get<CacheEntry>(key);
    if (!entry) return undefined;
    if (this.now() >= entry.expiresAt) {
      this.cache.del(key);
      return undefined;
    }
    return entry;
  }

  /** Drops expired entries; if none, the oldest tenth (keys keep insertion order). */
  private evict(): void {
    const keys = this.cache.keys();
    const now = this.now();
    const expired = keys.filter((k) => (this.cache.get<CacheEntry>(k)?.expiresAt ?? 0) <= now);
    this.cache.del(expired.length > 0 ? expired : keys.slice(0, Math.max(1, Math.ceil(keys.length / 10))));
  }
}

/** A failed search, with the terms tried up to the failure. */
class SearchFailure extends Error {
  constructor(
    readonly error: unknown,
    readonly tried: readonly string[],
  ) {
    super(error instanceof Error ? error.message : String(error));
  }
}

function toResult(raw: string, phone: string, entry: CacheEntry): LookupResult {
  return { status: entry.status, raw, phone, candidates: entry.candidates, clients: entry.clients, client: entry.client };
}
