// Time Since Received (draft-tllq-tsr-05): the facts one owner name carries,
// reading them from a message (§3.4), writing them into one (§3.5), and
// comparing two of them. The registrar rules that use these live in the
// responder.
import type { EdnsOption, Message, Rec, TsrOption } from '../wire/types.js';
import { T } from '../wire/types.js';
import { nameKey } from '../wire/name.js';

/** A registration's TSR data: when it was received (platform ms, absolute, §5) and its key checksum. */
export interface Tsr { receivedAt: number; keySum: number }

export interface TsrConfig {
  /** EDNS option code (default 65002, Apple's). */
  code: number;
  /** 'apple' (time, checksum, index; deployed) or 'draft' (index, checksum, time). */
  layout: 'apple' | 'draft';
  /** Times closer than this are the same time (ms; default 2000, as deployed: §4 network latency). */
  skew: number;
}

/** §2 and §6: "...the mDNS registrar MUST use a value of seven days rather than the larger value." */
export const SEVEN_DAYS = 7 * 24 * 3600;

/**
 * §3.4: each option's index is matched to the non-question records of the
 * message (answers, authorities, additionals, in order); "If there is a TSR
 * option in an mDNS message for which there is no matching resource record
 * in the mDNS message, the mDNS registrar MUST ignore that TSR option." An
 * index naming the OPT record itself, a time over seven days, the wrong
 * length, or two options for one name are ignored too (all of them, for
 * that name: neither can be trusted). Each ignored option is counted
 * ('tsrBadIndex', 'tsrBadTime', 'tsrBadLength', 'tsrBadDuplicate').
 * Returns owner name key -> its TSR, for names with exactly one valid option.
 */
export function readTsr(m: Message, code: number, now: number, count: (what: string, n?: number) => void): Map<string, Tsr> {
  const records = indexed(m);
  const found = new Map<string, Tsr[]>();
  for (const r of records) {
    if (r.type !== T.OPT) continue;
    for (const o of r.data as EdnsOption[]) {
      if (o.code !== code) continue;
      if (o.kind !== 'tsr') { count('tsrBadLength'); continue; }
      const target = records[o.index];
      if (!target || target.type === T.OPT) { count('tsrBadIndex'); continue; }
      if (o.seconds > SEVEN_DAYS) { count('tsrBadTime'); continue; }
      const key = nameKey(target.name);
      found.set(key, [...(found.get(key) ?? []), { receivedAt: now - o.seconds * 1000, keySum: o.checksum }]);
    }
  }
  const byName = new Map<string, Tsr>();
  for (const [key, list] of found) {
    if (list.length > 1) count('tsrBadDuplicate', list.length);
    else byName.set(key, list[0]);
  }
  return byName;
}

/** The records TSR options index (§3.4, §3.5): the message's answers, authorities and additionals, in order. */
function indexed(m: Message): Rec[] {
  return m.answers.concat(m.authorities, m.additionals);
}

/**
 * §3.5: one option per owner name that has TSR data, indexed to the first
 * record with that name; the time relative to now, in whole seconds,
 * clamped to seven days.
 */
export function tsrOptions(m: Message, of: (key: string) => Tsr | undefined, code: number, now: number): TsrOption[] {
  const keys = indexed(m).map((r) => nameKey(r.name));
  return keys.flatMap((key, index): TsrOption[] => {
    const t = keys.indexOf(key) === index && of(key);
    return t ? [{ kind: 'tsr', code, index, checksum: t.keySum, seconds: Math.min(SEVEN_DAYS, Math.max(0, Math.floor((now - t.receivedAt) / 1000))) }] : [];
  });
}

/** Which of two registrations of one key is newer; within `skew` ms they are the same (§4). */
export function compareTsr(mine: Tsr, theirs: Tsr, skew: number): 'mine' | 'theirs' | 'same' {
  const d = theirs.receivedAt - mine.receivedAt;
  if (Math.abs(d) <= skew) return 'same';
  return d > 0 ? 'theirs' : 'mine';
}

/** Records remembered per name: far more than any registration holds on one name. */
const IDS_PER_NAME = 64;

/** Past `max` entries, the one added first goes. */
function trim(c: Map<string, unknown> | Set<string>, max: number): void {
  if (c.size > max) c.delete(c.keys().next().value!);
}

/** What other hosts advertise on one name: record ids, their TSR if they sent one, and when it all expires. */
export interface Heard { tsr?: Tsr; ids: Set<string>; expires: number }

/**
 * The registrar's memory of names heard from others (§3.1 "records ... in
 * cache", §3.4 "local data in the cache"), capped: past `max` names the
 * oldest noted is forgotten.
 */
export class HeardBook {
  private readonly _map = new Map<string, Heard>();

  constructor(private readonly _max = 1024) {}

  get(key: string, now: number): Heard | undefined {
    const h = this._map.get(key);
    if (h && h.expires <= now) {
      this._map.delete(key);
      return undefined;
    }
    return h;
  }

  /** A record heard on `key`; TTL 0 (a goodbye) takes it away. */
  note(key: string, id: string, ttl: number, now: number, tsr?: Tsr): void {
    let h = this.get(key, now);
    if (ttl === 0) {
      if (h?.ids.delete(id) && h.ids.size === 0) this._map.delete(key);
      return;
    }
    if (!h) {
      h = { ids: new Set(), expires: 0 };
      trim(this._map.set(key, h), this._max);
    }
    h.ids.delete(id);
    // At most IDS_PER_NAME records per name: a flood on one name forgets its oldest.
    trim(h.ids.add(id), IDS_PER_NAME);
    h.expires = Math.max(h.expires, now + ttl * 1000);
    if (tsr) h.tsr = tsr;
  }

  /** §3.4 / §3.1: cached data on the name is discarded. */
  forget(key: string): void { this._map.delete(key); }
}
