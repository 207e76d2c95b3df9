// The querier's record cache (RFC 6762 §10): records heard on each link,
// keyed case-insensitively, aged by their TTL on the platform clock with one
// timer for the soonest expiry, and bounded by a size cap that evicts the
// records closest to expiring.
import type { Cancel, Platform } from '../platform.js';
import type { Question, Rec } from '../wire/types.js';
import { T } from '../wire/types.js';
import { nameKey } from '../wire/name.js';
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
  received: number;
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

export class Cache {
  readonly max: number;
  /** Link id -> record id -> entry (nested, so no entry needs a second key string). */
  private readonly _entries = new Map<string, Map<string, CacheEntry>>();
  private _size = 0;
  /** Name key -> its entries on every link, for lookups and the cache-flush rule. */
  private readonly _byName = new Map<string, Set<CacheEntry>>();
  /** Min-heap of (expires, entry); stale pairs are skipped when popped. */
  private _heap: [number, CacheEntry][] = [];
  private _listeners: CacheListener[] = [];
  private _timer?: { at: number; cancel: Cancel };

  constructor(private readonly _p: Platform, private readonly _opts: CacheOptions = {}) {
    this.max = _opts.max ?? DEFAULT_CACHE_MAX;
    if (!Number.isInteger(this.max) || this.max < 1) throw new RangeError(`hush: cache max must be a positive integer, got ${String(_opts.max)}`);
  }

  get size(): number { return this._size; }

  private _all(): CacheEntry[] {
    const out: CacheEntry[] = [];
    for (const m of this._entries.values()) for (const e of m.values()) out.push(e);
    return out;
  }

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
      if (e && e.expires > now + GRACE) this._expireAt(e, now + GRACE);
      return e;
    }
    // A goodbye with the cache-flush bit says nothing about the rest of its RRSet; a live record does.
    if (rec.flush) this._flushOthers(link, rec, id, now);
    const expires = now + rec.ttl * 1000;
    if (e) {
      e.rec = rec;
      e.received = now;
      e.missed = 0;
      this._expireAt(e, expires);
      this._emit('update', e);
      return e;
    }
    e = { rec, link, id, key: nameKey(rec.name), received: now, expires, missed: 0 };
    let onLink = this._entries.get(link);
    if (!onLink) this._entries.set(link, (onLink = new Map()));
    onLink.set(id, e);
    this._size++;
    let s = this._byName.get(e.key);
    if (!s) this._byName.set(e.key, (s = new Set()));
    s.add(e);
    this._push(e);
    this._emit('add', e);
    while (this._size > this.max) this._evict();
    return this._find(link, id);
  }

  /**
   * §10.2: "...any records of the same name, rrtype, and rrclass that were
   * received more than one second ago are declared invalid, and marked to
   * expire from the cache in one second."
   */
  private _flushOthers(link: string, rec: Rec, id: string, now: number): void {
    for (const e of this._byName.get(nameKey(rec.name)) ?? []) {
      if (e.link !== link || e.rec.type !== rec.type || e.rec.class !== rec.class || e.id === id) continue;
      if (now - e.received > GRACE && e.expires > now + GRACE) this._expireAt(e, now + GRACE);
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
    for (const e of found) if (e.expires > limit) this._expireAt(e, limit);
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
      const key = nameKey(q.name) + '|' + q.type + '|' + q.class;
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
    this._timer?.cancel();
    this._timer = undefined;
    for (const e of this._all()) this._drop(e);
    this._heap = [];
  }

  private _emit(event: CacheEvent, e: CacheEntry): void {
    for (const fn of this._listeners) {
      try { fn(event, e); } catch { /* a listener's error is its own; the cache goes on */ }
    }
  }

  private _expireAt(e: CacheEntry, at: number): void {
    e.expires = at;
    this._push(e);
  }

  private _drop(e: CacheEntry): void {
    const onLink = this._entries.get(e.link);
    if (onLink?.get(e.id) !== e) return;
    onLink.delete(e.id);
    if (onLink.size === 0) this._entries.delete(e.link);
    this._size--;
    const s = this._byName.get(e.key);
    s?.delete(e);
    if (s && s.size === 0) this._byName.delete(e.key);
    this._emit('remove', e);
  }

  /** Removes the live entry expiring soonest. */
  private _evict(): void {
    for (;;) {
      const top = this._pop();
      if (!top) return;
      if (this._current(top)) {
        this._drop(top[1]);
        this._arm();
        return;
      }
    }
  }

  private _current([at, e]: [number, CacheEntry]): boolean {
    return e.expires === at && this._find(e.link, e.id) === e;
  }

  private _expire(): void {
    this._timer = undefined;
    const now = this._p.now();
    while (this._heap.length && this._heap[0][0] <= now) {
      const top = this._pop()!;
      if (this._current(top)) this._drop(top[1]);
    }
    this._arm();
  }

  /** One timer, for the soonest expiry. */
  private _arm(): void {
    while (this._heap.length && !this._current(this._heap[0])) this._pop();
    const at = this._heap.length ? this._heap[0][0] : undefined;
    if (this._timer && this._timer.at === at) return;
    this._timer?.cancel();
    this._timer = undefined;
    if (at === undefined) return;
    this._timer = { at, cancel: this._p.timer(Math.max(0, at - this._p.now()), () => this._expire()) };
  }

  private _push(e: CacheEntry): void {
    const h = this._heap;
    // Stale pairs outnumbering live entries: rebuild from the live ones.
    if (h.length > 2 * this._size + 64) this._rebuildHeap();
    h.push([e.expires, e]);
    let i = h.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (h[up][0] <= h[i][0]) break;
      [h[up], h[i]] = [h[i], h[up]];
      i = up;
    }
    if (!this._timer || e.expires < this._timer.at) this._arm();
  }

  private _pop(): [number, CacheEntry] | undefined {
    const h = this._heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && h[l][0] < h[m][0]) m = l;
        if (r < h.length && h[r][0] < h[m][0]) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }

  private _rebuildHeap(): void {
    this._heap = this._all().map((e): [number, CacheEntry] => [e.expires, e]).sort((a, b) => a[0] - b[0]);
  }
}
