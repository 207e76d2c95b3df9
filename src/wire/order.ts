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
  if (a.class !== b.class) return a.class - b.class;
  if (a.type !== b.type) return a.type - b.type;
  const x = rdataBytes(a, o), y = rdataBytes(b, o);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}
