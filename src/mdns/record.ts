// Records the responder owns, and comparing them with records on the wire.
import type { Rec } from '../wire/types.js';
import { CLASS_IN, T } from '../wire/types.js';
import { nameKey } from '../wire/name.js';
import { rdataBytes } from '../wire/order.js';

export interface Owned {
  rec: Rec;
  /** Lower-cased owner name. */
  ownerKey: string;
  /** Identity: owner key, type, class and rdata bytes. */
  rid: string;
  /** Unique records carry the cache-flush bit and are probed (RFC 6762 §2). */
  unique: boolean;
  /** Only on this interface (address records, RFC 6762 §6.2), else everywhere. */
  ifindex?: number;
}

/** The bytes as a string of one char per byte: an exact key, half the size of hex (every cached record holds one). */
function byteString(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** A record's identity (RFC 2181 §5: name, type, class and data; the TTL and the cache-flush bit are not part of it). */
export function recordId(rec: Rec): string {
  return `${nameKey(rec.name)}|${rec.type}|${rec.class}|${byteString(rdataBytes(rec))}`;
}

export function own(name: string, type: number, ttl: number, data: Rec['data'], unique: boolean, ifindex?: number): Owned {
  const rec: Rec = { name, type, class: CLASS_IN, flush: unique, ttl, data };
  return { rec, ownerKey: nameKey(name), rid: recordId(rec), unique, ifindex };
}

/** RFC 6762 §6.1: the restricted NSEC form, next name = owner, types < 256 (`types` is sorted in place). */
export function nsec(name: string, types: number[], ttl: number, ifindex?: number): Owned {
  return own(name, T.NSEC, ttl, { next: name, types: types.sort((a, b) => a - b) }, true, ifindex);
}

export function withTtl(rec: Rec, ttl: number, flush = rec.flush): Rec {
  return { ...rec, flush, ttl };
}
