// The RFC 6762 querier: one-shot (§5.1) and continuous (§5.2) queries with
// known-answer lists (§7.1, §7.2), duplicate question suppression (§7.3) and
// cache maintenance (§5.2 refresh, §10). Like the responder it is fed by
// receive() and its own timer and never throws out of either: bad input is
// counted and dropped.
import type { PacketMeta, Platform } from '../platform.js';
import type { Message, Question, Rec } from '../wire/types.js';
import { CLASS_IN, T } from '../wire/types.js';
import { message } from '../wire/message.js';
import { nameKey } from '../wire/name.js';
import { Cache, questionId, remaining } from './cache.js';
import type { CacheEntry, CacheEvent } from './cache.js';
import { Engine, rearm } from './engine.js';
import type { LinkChange } from './endpoint.js';
import type { Alarm, LinkOptions } from './engine.js';
import { MDNS_PORT } from './link.js';
import type { Link } from './link.js';
import { recordId, withTtl } from './record.js';

export interface QuerierOptions extends LinkOptions {
  /** Most cached records (default 4096). */
  cacheSize?: number;
}

/** What to ask: class defaults to IN. */
export interface Ask { name: string; type: number; class?: number }

export interface WatchOptions {
  /** §5.4: ask for unicast replies in the first query on each link. */
  qu?: boolean;
}

export type WatchListener = (event: CacheEvent, entry: CacheEntry) => void;

export interface Watch {
  /** Live cached answers, on every link. */
  records(): CacheEntry[];
  stop(): void;
}

/** §5.2: "...the interval between the first two queries MUST be at least one second". */
const FIRST_INTERVAL = 1000;
/** §5.2: "...until the interval reaches a ceiling of 60 minutes". */
const MAX_INTERVAL = 3_600_000;
/** §5.2: the first query goes after a random 20-120 ms. */
const FIRST_DELAY = { min: 20, spread: 100 };
/** §5.2 refresh points, as fractions of the TTL, plus up to 2% jitter. */
const REFRESH = [0.8, 0.85, 0.9, 0.95];
const JITTER = 0.02;
/** §10.4: queries for a doubted record go now and once more. */
const RECONFIRM_RETRY = 2000;

interface Schedule {
  due: number;
  /** The wait that ends at `due`; the one after the next query is twice as long (§5.2). */
  gap: number;
  /** The next query is the first on this link. */
  first: boolean;
}

interface Asking {
  q: Question;
  qu: boolean;
  listeners: WatchListener[];
  schedules: Map<Link, Schedule>;
}

/** §10.4: one query of a doubted record on a link, with the id of its question. */
interface Reconfirm { via: Link; id: string; q: Question; at: number }

type Told = [CacheEvent, CacheEntry][];

const askId = (q: Question): string => questionId(nameKey(q.name), q.type, q.class);

export class Querier extends Engine {
  readonly cache: Cache;
  private readonly _asking = new Map<string, Asking>();
  /** §5.2 refresh points (platform ms) of cached answers someone wants, soonest first; dropped when the record is received again. */
  private readonly _refresh = new Map<CacheEntry, number[]>();
  private _reconfirms: Reconfirm[] = [];
  private _tickAt?: Alarm;
  /** Cache events of the response being read, told to watchers once the whole packet is in. */
  private _batch?: Told;

  constructor(p: Platform, opts: QuerierOptions = {}) {
    super(p, opts);
    this.cache = new Cache(p, {
      max: opts.cacheSize,
      reconfirm: (linkId, name, type) => this._guard(() => this._askAgain(linkId, name, type)),
    });
    this.cache.on((event, e) => this._guard(() => this._onCache(event, e)));
  }

  start(): void {
    this._attach();
  }

  /**
   * A continuous query (§5.2) until stop(): the first after 20-120 ms, then
   * at intervals doubling from 1 s up to 60 min, and cached answers refreshed
   * at 80-95% of their TTL. Watches of one question share its queries.
   */
  watch(ask: Ask, fn: WatchListener = () => undefined, opts: WatchOptions = {}): Watch {
    const q = question(ask);
    checkListener(fn);
    this._open('watch');
    const id = askId(q);
    const a = this._asking.get(id) ?? this._ask(q, id, !!opts.qu);
    a.listeners.push(fn);
    let stopped = false;
    return {
      records: () => this._cached(q),
      stop: () => {
        if (stopped) return;
        stopped = true;
        a.listeners = a.listeners.filter((f) => f !== fn);
        if (a.listeners.length === 0 && this._asking.get(id) === a) {
          this._asking.delete(id);
          this._schedule();
        }
      },
    };
  }

  /** A question newly watched: asked on every link from now on. */
  private _ask(q: Question, id: string, qu: boolean): Asking {
    const a: Asking = { q, qu, listeners: [], schedules: new Map() };
    this._asking.set(id, a);
    for (const link of this._links.values()) a.schedules.set(link, this._firstSchedule());
    this._schedule();
    return a;
  }

  /**
   * One query now on every link (§5.1), answers collected for `wait` ms
   * (default 1000), then the cached answers, one per record. Bad arguments
   * and a call after close() throw synchronously.
   */
  query(ask: Ask, opts: WatchOptions & { wait?: number } = {}): Promise<Rec[]> {
    const q = question(ask);
    // Like every argument error, a call after close() throws at once rather than rejecting later.
    this._open('query');
    const wait = opts.wait ?? 1000;
    if (!(wait >= 0)) throw new RangeError(`hush: query wait must be ≥ 0 ms, got ${String(wait)}`);
    this._guard(() => {
      for (const link of this._links.values()) this._send(link, [{ ...q, qu: !!opts.qu }]);
    });
    return new Promise((resolve) => {
      this._p.timer(wait, () => {
        let answers: Rec[] = [];
        this._guard(() => { answers = records(this._cached(q), this._now); });
        resolve(answers);
      });
    });
  }

  /** §10.4: doubt a record (every link when `link` is not given): it is queried and goes within 10 s unless answered. */
  reconfirm(ask: Ask, link?: string): void {
    const q = question(ask);
    for (const id of link === undefined ? this._links.keys() : [link]) this.cache.reconfirm(id, q.name, q.type);
  }

  async close(): Promise<void> {
    if (this._closed) return;
    this._closed = true;
    this._leave();
    this._tickAt?.cancel();
    this._asking.clear();
    this._reconfirms = [];
    this.cache.clear();
  }

  // ---- interfaces and links -------------------------------------------------

  /** The endpoint's links changed: §10.3, what was heard on a link that went or changed may be stale. */
  onLinks({ added, changed, removed }: LinkChange): void {
    if (this._closed) return;
    for (const link of [...removed, ...changed]) this.cache.flushLink(link.id);
    this._reconfirms = this._reconfirms.filter((r) => !removed.includes(r.via));
    for (const a of this._asking.values()) for (const link of removed) a.schedules.delete(link);
    // Link by link, each watched question drawing its random first delay in turn.
    for (const link of [...changed, ...added]) for (const a of this._asking.values()) a.schedules.set(link, this._firstSchedule());
    this._schedule();
  }

  // ---- the schedule -----------------------------------------------------------

  /**
   * §5.2 first query after 20-120 ms; §5.3 a question that starts while a
   * query is due within that window joins it, so they share a packet.
   */
  private _firstSchedule(): Schedule {
    const now = this._now;
    const start = now + FIRST_DELAY.min;
    const t = this._tickAt?.at ?? Infinity;
    const due = t >= start && t <= start + FIRST_DELAY.spread ? t : start + Math.floor(this._p.random() * FIRST_DELAY.spread);
    return { due, gap: due - now, first: true };
  }

  /** When a cached answer someone still wants is next refreshed (Infinity after the 95% query). */
  private _refreshAt(e: CacheEntry): number {
    let points = this._refresh.get(e);
    if (!points) {
      points = REFRESH.map((f) => e.receivedAt + e.rec.ttl * 1000 * (f + JITTER * this._p.random())).filter((at) => at < e.expires).map(Math.floor);
      this._refresh.set(e, points);
    }
    return points[0] ?? Infinity;
  }

  /** Live cached answers to `q`, on `link` or on every link. */
  private _cached(q: Question, link?: Link): CacheEntry[] {
    return this.cache.get(q.name, q.type, link?.id).filter((e) => e.rec.class === q.class);
  }

  private _schedule(): void {
    if (this._closed) return;
    let at = Infinity;
    for (const a of this._asking.values()) {
      for (const [link, s] of a.schedules) at = Math.min(at, s.due, ...this._cached(a.q, link).map((e) => this._refreshAt(e)));
    }
    at = Math.min(at, ...this._reconfirms.map((r) => r.at));
    this._tickAt = rearm(this._p, this._tickAt, at, () => this._guard(() => this._tick()));
  }

  /** Sends every question due now, per link, in as few packets as fit (§5.3). */
  private _tick(): void {
    this._tickAt = undefined;
    if (this._closed) return;
    const now = this._now;
    const due = new Map<Link, Map<string, Question>>();
    const add = (link: Link, id: string, q: Question): void => {
      let m = due.get(link);
      if (!m) due.set(link, (m = new Map()));
      // A question that is both watched and reconfirmed goes once, as watched (asked first).
      if (!m.has(id)) m.set(id, q);
    };
    for (const [id, a] of this._asking) {
      for (const [link, s] of a.schedules) {
        const stale = this._cached(a.q, link).filter((e) => this._refreshAt(e) <= now);
        if (s.due <= now) {
          add(link, id, { ...a.q, qu: a.qu && s.first });
          sent(s, now);
        } else if (stale.length) {
          this._count('refreshQueries');
          add(link, id, a.q);
        }
        // One query per refresh: points already passed (a watch that started late) are skipped.
        for (const e of stale) while (this._refreshAt(e) <= now) this._refresh.get(e)!.shift();
      }
    }
    for (const r of this._reconfirms) if (r.at <= now) add(r.via, r.id, r.q);
    this._reconfirms = this._reconfirms.filter((r) => r.at > now);
    for (const [link, qs] of due) this._send(link, [...qs.values()]);
    this._schedule();
  }

  /** §10.4: the cache doubts a record on a link: ask for it now and once more. */
  private _askAgain(linkId: string, name: string, type: number): void {
    const link = this._links.get(linkId);
    if (!link || this._closed) return;
    const q: Question = { name, type, class: CLASS_IN, qu: false };
    const id = askId(q);
    // A record already being reconfirmed on this link is not queued again.
    if (this._reconfirms.some((r) => r.via === link && r.id === id)) return;
    const now = this._now;
    for (const at of [now, now + RECONFIRM_RETRY]) this._reconfirms.push({ via: link, id, q, at });
    this._schedule();
  }

  /** §7.1 known answers: cached answers to the questions with at least half their TTL left. */
  private _known(link: Link, questions: Question[], now: number): CacheEntry[] {
    return questions.flatMap((q) => this._cached(q, link)).filter((e) => (e.expires - now) * 2 >= e.rec.ttl * 1000);
  }

  /**
   * Sends a query: questions, then known answers at their remaining TTL (the
   * cache-flush bit belongs to responses only, §10.2); §7.2: "If the
   * Known-Answer list is too large to fit in a single packet, the querier
   * sets the TC bit" and sends the rest in following packets, TC on all but the last.
   */
  private _send(link: Link, questions: Question[]): void {
    this._count('queries');
    const now = this._now;
    link.send(message({ questions, answers: records(this._known(link, questions, now), now, false) }));
  }

  // ---- receiving --------------------------------------------------------------

  receive(link: Link, m: Message, meta: PacketMeta): void {
    if (this._closed) return;
    if (m.qr) {
      // §6: "Multicast DNS implementations MUST silently ignore any Multicast
      // DNS responses they receive where the source UDP port is not 5353."
      if (meta.srcPort !== MDNS_PORT) return this._count('badSourcePort');
      if (m.rcode !== 0) return this._count('ignoredRcode'); // §18.11
      this._count('responses');
      const batch: Told = (this._batch = []);
      try {
        for (const rec of m.answers.concat(m.additionals)) if (rec.type !== T.OPT) this.cache.put(link.id, rec);
      } finally {
        this._batch = undefined;
      }
      return this._tell(batch);
    }
    if (link.iface.addrs.some((a) => a.addr === meta.src)) return; // our own query, looped back
    this._count('peerQueries');
    if (m.tc) return; // its known-answer list continues in later packets: nothing certain to learn
    this.cache.observe(link.id, m.questions, m.answers);
    this._duplicate(link, m);
  }

  /**
   * §7.3: "If a host is planning to transmit (or retransmit) a query, and it
   * sees another host on the network send a query containing the same "QM"
   * question, and the Known-Answer Section of that query does not contain
   * any records that this host would not also put in its own Known-Answer
   * Section, then this host SHOULD treat its own query as having been sent."
   */
  private _duplicate(link: Link, m: Message): void {
    const now = this._now;
    let changed = false;
    for (const q of m.questions) {
      if (q.qu) continue;
      const s = this._asking.get(askId(q))?.schedules.get(link);
      // "Planning to transmit": the first query, or past the middle of the wait for the next one.
      if (!s || (!s.first && now < s.due - s.gap / 2)) continue;
      // (Their question is ours, up to the case of its name.)
      const ours = new Set(this._known(link, [q], now).map((e) => e.id));
      // Any answer of theirs that we would not list: ours still goes.
      if (m.answers.some((r) => nameKey(r.name) === nameKey(q.name) && (q.type === T.ANY || r.type === q.type) && !ours.has(recordId(r)))) continue;
      this._count('duplicateQuestions');
      sent(s, now);
      changed = true;
    }
    if (changed) this._schedule();
  }

  private _onCache(event: CacheEvent, e: CacheEntry): void {
    // A record received again (or gone) starts its refreshes afresh.
    if (event !== 'add') this._refresh.delete(e);
    // A response's records are told, and the schedule redone, once the whole packet is in.
    if (this._batch) this._batch.push([event, e]);
    else this._tell([[event, e]]);
  }

  /** Tells the watchers of the questions these records answer; what was added or updated may move the schedule. */
  private _tell(told: Told): void {
    for (const [event, e] of told) {
      for (const type of [e.rec.type, T.ANY]) {
        for (const fn of this._asking.get(questionId(e.key, type, e.rec.class))?.listeners.slice() ?? []) {
          try { fn(event, e); } catch { /* a listener's error is its own */ }
        }
      }
    }
    if (told.some(([event]) => event !== 'remove')) this._schedule();
  }
}

/** Cached entries as records at their remaining TTL, one per record (it may be cached on several links). */
function records(entries: CacheEntry[], now: number, flush?: boolean): Rec[] {
  return [...new Map(entries.map((e) => [e.id, withTtl(e.rec, remaining(e, now), flush)])).values()];
}

/** §5.2: a query went (or counts as gone): the next waits one second after the first query, then twice the last wait, up to the ceiling. */
function sent(s: Schedule, now: number): void {
  s.gap = s.first ? FIRST_INTERVAL : Math.min(2 * s.gap, MAX_INTERVAL);
  s.first = false;
  s.due = now + s.gap;
}

/** Checks the question a caller asked for, naming the field that is wrong. */
function question(ask: Ask): Question {
  if (!ask || typeof ask.name !== 'string') throw new TypeError('hush: name must be a string');
  return { name: ask.name, type: integer('type must be an RR type number', ask.type, 65535), class: integer('class must be a number', ask.class ?? CLASS_IN, 0x7fff), qu: false };
}

/** An integer field of a question, 1 to `max`; `what` says what it must be. */
function integer(what: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 1 || v > max) throw new RangeError(`hush: ${what} (1-${max}), got ${String(v)}`);
  return v;
}

/** Listeners are checked when given, not when first called. */
export function checkListener(fn: unknown): void {
  if (typeof fn !== 'function') throw new TypeError('hush: listener must be a function');
}

export function createQuerier(platform: Platform, options: QuerierOptions = {}): Querier {
  const q = new Querier(platform, options);
  q.start();
  return q;
}
