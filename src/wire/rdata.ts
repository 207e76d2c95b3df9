// Record data by type. Reading happens with `r.end` set to the end of the
// rdata, so a record can never read into its neighbour; the caller checks
// that the rdata was consumed exactly (rdlength agrees with the data).
import type { CodecOptions, RData, Rec } from './types.js';
import { T } from './types.js';
import { formatV4, formatV6, parseV4, parseV6 } from './addr.js';
import { EncodeError } from './errors.js';
import { readOptions, writeOptions } from './edns.js';
import { layout, readLayout, writeLayout } from './layout.js';
import type { Layout } from './layout.js';
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

/** RFC 1035 §3.4.1 A and RFC 3596 §2.2 AAAA: the address in n = 4 or 16 bytes, as text. */
function readAddr(r: Reader, n: number): string {
  r.need(n, 'address');
  return (n === 4 ? formatV4 : formatV6)(r.b, (r.pos += n) - n);
}

function writeAddr(w: Writer, s: RData, n: number): void {
  const v4 = n === 4;
  if (typeof s === 'string') {
    w.room(n);
    if ((v4 ? parseV4 : parseV6)(s, w.b, w.pos)) return void (w.pos += n);
  }
  throw new EncodeError(v4 ? 'A' : 'AAAA', `not an IPv${v4 ? 4 : 6} address: ${s}`);
}

/** Record data of a fixed layout: RFC 2782 SRV, RFC 1035 §3.3.13 SOA, RFC 2535 §3.1 KEY and §4.1 SIG, RFC 4034 §4.1 NSEC. */
const LAYOUTS: Record<number, Layout> = {
  [T.SRV]: layout('SRV', 'priority:2 weight:2 port:2 target:m'),
  [T.SOA]: layout('SOA', 'mname:n rname:n serial:4 refresh:4 retry:4 expire:4 minimum:4'),
  [T.KEY]: layout('KEY', 'flags:2 protocol:1 algorithm:1 key:r'),
  [T.SIG]: layout('SIG', 'typeCovered:2 algorithm:1 labels:1 originalTtl:4 expiration:4 inception:4 keyTag:2 signer:u signature:r'),
  [T.NSEC]: layout('NSEC', 'next:n types:t'),
};

export function readRData(r: Reader, type: number, o: CodecOptions | undefined): RData {
  switch (type) {
    case T.A: return readAddr(r, 4);
    case T.AAAA: return readAddr(r, 16);
    case T.NS: case T.CNAME: case T.PTR: return r.domain();
    case T.TXT: {
      const list: Uint8Array[] = [];
      while (r.pos < r.end) list.push(r.copy(r.uint(1, 'TXT string length'), 'TXT string'));
      return list;
    }
    case T.OPT: return readOptions(r, o);
    default: return LAYOUTS[type] ? readLayout(r, LAYOUTS[type]) as unknown as RData : r.copy(r.end - r.pos, 'rdata');
  }
}

export function writeRData(w: Writer, rec: Rec, o: CodecOptions | undefined): void {
  const d = rec.data;
  switch (rec.type) {
    case T.A: return writeAddr(w, d, 4);
    case T.AAAA: return writeAddr(w, d, 16);
    case T.NS: case T.CNAME: case T.PTR: return w.domain(d as string, 'rdata name');
    case T.TXT:
      if (!Array.isArray(d)) throw new EncodeError('TXT', 'data must be a list of byte strings');
      for (const s of d as Uint8Array[]) {
        if (!(s instanceof Uint8Array)) throw new EncodeError('TXT string', 'not a Uint8Array');
        w.uint(s.length, 1, 'TXT string length');
        w.copy(s, 'TXT string');
      }
      return;
    case T.OPT: return writeOptions(w, d as never, o);
    default:
      return LAYOUTS[rec.type] ? writeLayout(w, LAYOUTS[rec.type], d) : w.copy(d as Uint8Array, 'rdata');
  }
}
