// The querier's record cache (RFC 6762 §10): records heard on each link,
// keyed case-insensitively, aged by their TTL on the platform clock with one
// timer for the soonest expiry, and bounded by a size cap that evicts the
// records closest to expiring.
import type { Cancel, Platform } from '../platform.js';
import type { Question, Rec } from '../wire/types.js';
import { T } from '../wire/types.js';
import { nameKey } from '../wire/name.js';
import { rearm } from './engine.js';
import type { Alarm } from './engine.js';
import { recordId } from './record.js';

export interface CacheEntry {
  /** The record as last received (its `ttl` is the TTL it arrived with). */
  rec: Rec;
  /** Link id ('eth0/4') it was heard on. */
  link: string;
  /** Identity: owner key, type and rdata bytes. */
  id: string;
  /** Lower-cased owner name. */
  key: string;
  /** When it was last received (platform ms). */
  receivedAt: number;
  /** When it leaves the cache (platform ms). */
  expires: number;
  /** Unanswered queries seen for it since it was last received (§10.5). */
  missed: number;
}

export type CacheEvent = 'add' | 'update' | 'remove';
export type CacheListener = (event: CacheEvent, entry: CacheEntry) => void;

export interface CacheOptions {
  /** Most records kept; past it the soonest-expiring is evicted (default 4096). */
  max?: number;
  /** Called when a record needs reconfirming (§10.4, §10.5): the querier asks for it. */
  reconfirm?: (link: string, name: string, type: number) => void;
}

/** §10.1, §10.2: goodbyes and flushed records stay one more second. */
const GRACE = 1000;
/** §10.4: "...if no response is received within ten seconds, then ... flush". */
const RECONFIRM = 10_000;

export const DEFAULT_CACHE_MAX = 4096;

/** Seconds left of an entry's TTL, whole, at `now`. */
export function remaining(e: CacheEntry, now: number): number {
  return Math.max(0, Math.floor((e.expires - now) / 1000));
}

/** A question's identity: owner name key, type and class. */
export const questionId = (key: string, type: number, cls: number): string => key + '|' + type + '|' + cls;

export class Cache {
  readonly max: number;
  /** Link id -> record id -> entry (nested, so no entry needs a second key string). */
  private readonly _entries = new Map<string, Map<string, CacheEntry>>();
  /** Name key -> its entries on every link, for lookups and the cache-flush rule. */
  private readonly _byName = new Map<string, Set<CacheEntry>>();
  /** Every entry, latest expiry first, so the soonest to go is last; ties go in the order they came. */
  private readonly _order: CacheEntry[] = [];
  private _listeners: CacheListener[] = [];
  private _timer?: Alarm;

  constructor(private readonly _p: Platform, private readonly _opts: CacheOptions = {}) {
    this.max = _opts.max ?? DEFAULT_CACHE_MAX;
    if (!Number.isInteger(this.max) || this.max < 1) throw new RangeError('hush: cache max must be a positive integer');
  }

  get size(): number { return this._order.length; }

  private _find(link: string, id: string): CacheEntry | undefined {
    return this._entries.get(link)?.get(id);
  }

  on(fn: CacheListener): Cancel {
    this._listeners.push(fn);
    return () => { this._listeners = this._listeners.filter((f) => f !== fn); };
  }

  /** A record heard on `link`: added, refreshed, or (TTL 0) marked to go (§10.1). */
  put(link: string, rec: Rec): CacheEntry | undefined {
    const now = this._p.now();
    const id = recordId(rec);
    let e = this._find(link, id);
    if (rec.ttl === 0) {
      // §10.1: "...set the TTL to 1 and delete after one second."
      if (e) this._shorten(e, now + GRACE);
      return e;
    }
    // A goodbye with the cache-flush bit says nothing about the rest of its RRSet; a live record does.
    if (rec.flush) this._flushOthers(link, rec, id, now);
    const expires = now + rec.ttl * 1000;
    if (e) {
      e.rec = rec;
      e.receivedAt = now;
      e.missed = 0;
      this._expireAt(e, expires);
      this._emit('update', e);
      return e;
    }
    e = { rec, link, id, key: nameKey(rec.name), receivedAt: now, expires, missed: 0 };
    let onLink = this._entries.get(link);
    if (!onLink) this._entries.set(link, (onLink = new Map()));
    onLink.set(id, e);
    let s = this._byName.get(e.key);
    if (!s) this._byName.set(e.key, (s = new Set()));
    s.add(e);
    this._list(e);
    this._emit('add', e);
    // One over the cap: the entry expiring soonest goes (this one, possibly).
    if (this.size > this.max) {
      this._drop(this._soonest()!);
      this._arm();
    }
    return this._find(link, id);
  }

  /**
   * §10.2: "...any records of the same name, rrtype, and rrclass that were
   * received more than one second ago are declared invalid, and marked to
   * expire from the cache in one second."
   */
  private _flushOthers(link: string, rec: Rec, id: string, now: number): void {
    for (const e of this.get(rec.name, rec.type, link)) {
      // (A record of type ANY flushes only its own type.)
      if (e.rec.type === rec.type && e.rec.class === rec.class && e.id !== id && now - e.receivedAt > GRACE) this._shorten(e, now + GRACE);
    }
  }

  /** Live records of `name` and `type` (T.ANY: every type) on one link or, without `link`, on all. */
  get(name: string, type: number, link?: string): CacheEntry[] {
    const key = nameKey(name);
    const out: CacheEntry[] = [];
    const now = this._p.now();
    for (const e of this._byName.get(key) ?? []) {
      if (e.expires > now && (type === T.ANY || e.rec.type === type) && (link === undefined || e.link === link)) out.push(e);
    }
    return out;
  }

  /** §10.3: the link changed: everything heard there goes now. */
  flushLink(link: string): void {
    for (const e of [...(this._entries.get(link)?.values() ?? [])]) this._drop(e);
    this._arm();
  }

  /**
   * §10.4: doubt about a record: it goes within ten seconds unless an answer
   * refreshes it; the querier is asked to query for it.
   */
  reconfirm(link: string, name: string, type: number): void {
    const limit = this._p.now() + RECONFIRM;
    const found = this.get(name, type, link);
    for (const e of found) this._shorten(e, limit);
    if (found.length) this._opts.reconfirm?.(link, found[0].rec.name, type);
  }

  /**
   * §10.5 passive observation of failures: a multicast (QM) query on `link`
   * whose answer we hold and that the asker does not already know. "After
   * seeing two or more of these queries, and seeing no multicast response
   * containing the expected answer within ten seconds ... that record SHOULD
   * be flushed"; a response in between (put) resets the count.
   */
  observe(link: string, questions: Question[], known: Rec[]): void {
    const knownIds = new Set(known.map(recordId));
    // One packet is one query: a question repeated inside it counts once,
    // and each doubted (name, type) is reconfirmed once.
    const asked = new Set<string>();
    const doubted = new Map<string, CacheEntry>();
    for (const q of questions) {
      const key = questionId(nameKey(q.name), q.type, q.class);
      if (q.qu || asked.has(key)) continue;
      asked.add(key);
      for (const e of this.get(q.name, q.type, link)) {
        if (knownIds.has(e.id) || e.rec.class !== q.class) continue;
        if (++e.missed === 2) doubted.set(e.key + '|' + e.rec.type, e);
      }
    }
    for (const e of doubted.values()) this.reconfirm(link, e.rec.name, e.rec.type);
  }

  clear(): void {
    for (const link of [...this._entries.keys()]) this.flushLink(link);
  }

  private _emit(event: CacheEvent, e: CacheEntry): void {
    for (const fn of this._listeners) {
      try { fn(event, e); } catch { /* a listener's error is its own; the cache goes on */ }
    }
  }

  /** Brings `e`'s expiry forward to `at` when it is later. */
  private _shorten(e: CacheEntry, at: number): void {
    if (e.expires > at) this._expireAt(e, at);
  }

  private _expireAt(e: CacheEntry, at: number): void {
    this._unlist(e);
    e.expires = at;
    this._list(e);
  }

  private _drop(e: CacheEntry): void {
    const onLink = this._entries.get(e.link);
    if (onLink?.get(e.id) !== e) return;
    onLink.delete(e.id);
    if (onLink.size === 0) this._entries.delete(e.link);
    const s = this._byName.get(e.key)!;
    s.delete(e);
    if (s.size === 0) this._byName.delete(e.key);
    this._unlist(e);
    this._emit('remove', e);
  }

  /** Where an entry expiring at `at` goes in the expiry order: after every later one, before every one as soon or sooner. */
  private _slot(at: number): number {
    const o = this._order;
    let lo = 0, hi = o.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (o[mid].expires > at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The entry expiring soonest. */
  private _soonest(): CacheEntry | undefined {
    return this._order[this._order.length - 1];
  }

  /** Adds `e` to the expiry order; the timer follows the soonest expiry. */
  private _list(e: CacheEntry): void {
    this._order.splice(this._slot(e.expires), 0, e);
    this._arm();
  }

  /** Takes `e` out of the expiry order (before its expiry changes). */
  private _unlist(e: CacheEntry): void {
    this._order.splice(this._order.indexOf(e, this._slot(e.expires)), 1);
  }

  private _expire(): void {
    this._timer = undefined;
    const now = this._p.now();
    for (let e; (e = this._soonest()) && e.expires <= now; ) this._drop(e);
    this._arm();
  }

  /** One timer, for the soonest expiry. */
  private _arm(): void {
    this._timer = rearm(this._p, this._timer, this._soonest()?.expires ?? Infinity, () => this._expire());
  }
}
