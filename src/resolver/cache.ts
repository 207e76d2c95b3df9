// The resolver's TTL cache for unicast answers, positive and negative
// (RFC 2308 §5), keyed case-insensitively by (name, type), bounded in size:
// past the cap the entry stored longest ago is evicted first.
import { nameKey } from '../wire/index.js';
import type { Result } from './answer.js';

export interface CacheOptions {
  /** Entries kept at most (default 1,000). */
  max?: number;
  /** Upper bound on any cached lifetime in seconds (default 86,400). */
  maxTtl?: number;
}

interface Entry { result: Result; stored: number; expires: number }

const key = (name: string, type: number): string => `${type} ${nameKey(name)}`;

export class Cache {
  private readonly _entries = new Map<string, Entry>();
  private readonly _max: number;
  private readonly _maxTtl: number;

  constructor(opts: CacheOptions = {}) {
    this._max = opts.max ?? 1000;
    this._maxTtl = opts.maxTtl ?? 86_400;
    if (!Number.isInteger(this._max) || this._max < 0) throw new Error('cache: max must be a non-negative integer');
  }

  get size(): number { return this._entries.size; }

  /** Stores `result` when it carries a TTL above zero; `now` in platform milliseconds. */
  put(name: string, result: Result, now: number): void {
    if (!result.ttl || result.ttl < 0) return;
    const k = key(name, result.type);
    // Stored again, it counts as the newest.
    this._entries.delete(k);
    this._entries.set(k, { result, stored: now, expires: now + Math.min(result.ttl, this._maxTtl) * 1000 });
    // One entry in at a time, so at most one goes: the one stored longest ago (with max 0, this one).
    if (this._entries.size > this._max) this._entries.delete(this._entries.keys().next().value as string);
  }

  /** The cached result with TTLs reduced by the time it spent here, or undefined. */
  get(name: string, type: number, now: number): Result | undefined {
    const k = key(name, type);
    const e = this._entries.get(k);
    if (!e || now >= e.expires) {
      this._entries.delete(k);
      return undefined;
    }
    const aged = Math.floor((now - e.stored) / 1000);
    const r = e.result;
    return {
      ...r,
      records: r.records.map((rec) => ({ ...rec, ttl: Math.max(0, rec.ttl - aged) })),
      // Above zero: now < expires.
      ttl: Math.ceil((e.expires - now) / 1000),
    };
  }
}
