// RFC 6762 §8.2 tiebreaking order: "The determination of 'lexicographically
// later' is performed by first comparing the record class (excluding the
// cache-flush bit), then the record type, then raw comparison of the binary
// content of the rdata without regard for meaning or structure."
import type { CodecOptions, Rec } from './types.js';
import { writeRData } from './rdata.js';
import { MAX_BUDGET, Writer } from './writer.js';

/** The rdata bytes with every name written out in full (no compression). */
export function rdataBytes(rec: Rec, o?: CodecOptions): Uint8Array {
  const w = new Writer(MAX_BUDGET);
  w.compress = false;
  writeRData(w, rec, o);
  return w.b.slice(0, w.pos);
}

/** Negative when a sorts before b, positive when a is lexicographically later. */
export function compareRecords(a: Rec, b: Rec, o?: CodecOptions): number {
  const d = a.class - b.class || a.type - b.type;
  if (d) return d;
  const x = rdataBytes(a, o), y = rdataBytes(b, o);
  for (let i = 0; i < x.length && i < y.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
  // Equal up to the shorter one: the shorter sorts first.
  return x.length - y.length;
}
