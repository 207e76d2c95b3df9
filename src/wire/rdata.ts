// Record data by type. Reading happens with `r.end` set to the end of the
// rdata, so a record can never read into its neighbour; the caller checks
// that the rdata was consumed exactly (rdlength agrees with the data).
import type { CodecOptions, Nsec, RData, Rec } from './types.js';
import { T } from './types.js';
import { formatV4, formatV6, parseV4, parseV6 } from './addr.js';
import { EncodeError } from './errors.js';
import { readOptions, writeOptions } from './edns.js';
import { layout, readLayout, writeLayout } from './layout.js';
import type { Layout } from './layout.js';
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

function readAddr(r: Reader, n: 4 | 16): string {
  r.need(n, 'address');
  const s = n === 4 ? formatV4(r.b, r.pos) : formatV6(r.b, r.pos);
  r.pos += n;
  return s;
}

function writeAddr(w: Writer, s: RData, v6: boolean): void {
  const field = v6 ? 'AAAA' : 'A';
  if (typeof s !== 'string') throw new EncodeError(field, 'address must be a string');
  w.room(v6 ? 16 : 4);
  if (!(v6 ? parseV6(s, w.b, w.pos) : parseV4(s, w.b, w.pos))) throw new EncodeError(field, `not an IPv${v6 ? 6 : 4} address: ${s}`);
  w.pos += v6 ? 16 : 4;
}

/** RFC 4034 §4.1.2 type bitmap: windows in increasing order, 1..32 bytes each. */
function readBitmap(r: Reader): number[] {
  const types: number[] = [];
  let last = -1;
  while (r.pos < r.end) {
    const win = r.u8('NSEC window');
    const len = r.u8('NSEC bitmap length');
    if (win <= last) r.fail(`NSEC window ${win} out of order`, r.pos - 2);
    if (len < 1 || len > 32) r.fail(`NSEC bitmap length ${len}`, r.pos - 1);
    r.need(len, 'NSEC bitmap');
    for (let i = 0; i < len; i++) {
      const byte = r.b[r.pos + i];
      for (let bit = 0; bit < 8; bit++) if (byte & (0x80 >> bit)) types.push(win * 256 + i * 8 + bit);
    }
    r.pos += len;
    last = win;
  }
  return types;
}

function writeBitmap(w: Writer, types: number[]): void {
  if (!Array.isArray(types)) throw new EncodeError('NSEC types', 'must be a list of types');
  let sorted = types;
  for (let i = 1; i < types.length; i++) {
    if (types[i] <= types[i - 1]) { sorted = types.slice().sort((a, b) => a - b); break; }
  }
  for (let i = 0; i < sorted.length; ) {
    const win = sorted[i] >> 8;
    w.u8(win, 'NSEC window');
    // The scratch buffer has room past the budget for a whole 32-byte window; the budget is checked once its length is known.
    const at = w.pos;
    w.b.fill(0, at + 1, at + 33);
    let len = 0;
    for (; i < sorted.length && sorted[i] >> 8 === win; i++) {
      const t = sorted[i];
      if ((t & 0xffff) !== t) throw new EncodeError('NSEC types', `not a type: ${t}`);
      w.b[at + 1 + ((t & 255) >> 3)] |= 0x80 >> (t & 7);
      len = ((t & 255) >> 3) + 1;
    }
    w.room(1 + len);
    w.b[at] = len;
    w.pos = at + 1 + len;
  }
}

/** Record data of a fixed layout: RFC 2782 SRV, RFC 1035 §3.3.13 SOA, RFC 2535 §3.1 KEY and §4.1 SIG. */
const LAYOUTS: Record<number, Layout> = {
  [T.SRV]: layout('SRV', 'priority:2 weight:2 port:2 target:m'),
  [T.SOA]: layout('SOA', 'mname:n rname:n serial:4 refresh:4 retry:4 expire:4 minimum:4'),
  [T.KEY]: layout('KEY', 'flags:2 protocol:1 algorithm:1 key:r'),
  [T.SIG]: layout('SIG', 'typeCovered:2 algorithm:1 labels:1 originalTtl:4 expiration:4 inception:4 keyTag:2 signer:u signature:r'),
};
const NSEC_NEXT = layout('NSEC', 'next:n');

export function readRData(r: Reader, type: number, o: CodecOptions | undefined): RData {
  switch (type) {
    case T.A: return readAddr(r, 4);
    case T.AAAA: return readAddr(r, 16);
    case T.NS: case T.CNAME: case T.PTR: return r.name();
    case T.TXT: {
      const list: Uint8Array[] = [];
      while (r.pos < r.end) list.push(r.bytes(r.u8('TXT string length'), 'TXT string'));
      return list;
    }
    case T.NSEC: return { next: r.name(), types: readBitmap(r) } satisfies Nsec;
    case T.OPT: return readOptions(r, o);
    default: return LAYOUTS[type] ? readLayout(r, LAYOUTS[type]) as unknown as RData : r.bytes(r.end - r.pos, 'rdata');
  }
}

export function writeRData(w: Writer, rec: Rec, o: CodecOptions | undefined): void {
  const d = rec.data;
  switch (rec.type) {
    case T.A: return writeAddr(w, d, false);
    case T.AAAA: return writeAddr(w, d, true);
    case T.NS: case T.CNAME: case T.PTR: return w.name(d as string, 'rdata name');
    case T.TXT: {
      if (!Array.isArray(d)) throw new EncodeError('TXT', 'data must be a list of byte strings');
      for (const s of d as Uint8Array[]) {
        if (!(s instanceof Uint8Array) || s.length > 255) throw new EncodeError('TXT', 'each string must be a Uint8Array of at most 255 bytes');
        w.u8(s.length, 'TXT');
        w.bytes(s, 'TXT');
      }
      return;
    }
    case T.NSEC: {
      writeLayout(w, NSEC_NEXT, d);
      return writeBitmap(w, (d as Nsec).types);
    }
    case T.OPT: return writeOptions(w, d as never, o);
    default:
      if (LAYOUTS[rec.type]) return writeLayout(w, LAYOUTS[rec.type], d);
      if (!(d instanceof Uint8Array)) throw new EncodeError(`type ${rec.type}`, 'data of an unknown type must be a Uint8Array');
      return w.bytes(d, 'rdata');
  }
}
