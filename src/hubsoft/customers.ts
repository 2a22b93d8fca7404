import NodeCache from 'node-cache';
import { BridgeError } from '../errors.js';
import type { LookupConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { chooseClient, parseClientes } from './client-parse.js';
import { normalisePhone } from './phone.js';
import type { ClientSummary, LookupResult } from './types.js';

export const CLIENTE_PATH = 'api/v1/integracao/cliente';

/** The one thing CustomerLookup needs from the HTTP side (HubsoftClient fits). */
export interface ApiGetter {
  get(path: string, searchParams: Readonly<Record<string, string | number>>): Promise<Record<string, unknown>>;
}

export interface CustomerLookupDeps {
  readonly client: ApiGetter;
  readonly config: LookupConfig;
  readonly logger: Logger;
  readonly now?: () => number;
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
 * Caller lookup by phone: normalise, try the candidate terms in order, stop at the first hit,
 * pick the client. Found and not-found answers are cached (own TTLs); errors are not.
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
    const tried: string[] = [];
    for (const term of candidates) {
      tried.push(term);
      this.requests += 1;
      let body: Record<string, unknown>;
      try {
        body = await this.deps.client.get(CLIENTE_PATH, { busca: 'telefone', termo_busca: term, limit: config.limit });
      } catch (error) {
        throw new SearchFailure(error, [...tried]);
      }
      const parsed = parseClientes(body);
      if (!parsed) {
        const error = new BridgeError('HUBSOFT_BAD_RESPONSE', `HubSoft client search for ${term} answered without a "clientes" list`);
        throw new SearchFailure(error, [...tried]);
      }
      if (parsed.dropped > 0) logger.warn({ term, dropped: parsed.dropped }, 'hubsoft: client entries without a usable id_cliente ignored');
      const choice = chooseClient(parsed.clients);
      if (choice) {
        return this.store(key, { status: choice.status, candidates: tried, clients: parsed.clients, client: choice.client }, config.foundTtlSeconds);
      }
    }
    return this.store(key, { status: 'notfound', candidates: tried, clients: [], client: null }, config.notFoundTtlSeconds);
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
