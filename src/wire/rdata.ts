// Record data by type. Reading happens with `r.end` set to the end of the
// rdata, so a record can never read into its neighbour; the caller checks
// that the rdata was consumed exactly (rdlength agrees with the data).
import type { CodecOptions, Key, Nsec, RData, Rec, Sig, Soa, Srv } from './types.js';
import { T } from './types.js';
import { formatV4, formatV6, parseV4, parseV6 } from './addr.js';
import { EncodeError } from './errors.js';
import { readOptions, writeOptions } from './edns.js';
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

function rest(r: Reader, what: string): Uint8Array {
  return r.bytes(r.end - r.pos, what);
}

function obj<X>(d: RData, field: string): X {
  if (typeof d !== 'object' || d === null || d instanceof Uint8Array || Array.isArray(d)) {
    throw new EncodeError(field, 'record data must be an object');
  }
  return d as X;
}

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
    case T.SRV: {
      const priority = r.u16('SRV priority'), weight = r.u16('SRV weight'), port = r.u16('SRV port');
      return { priority, weight, port, target: r.name() } satisfies Srv;
    }
    case T.SOA: {
      const mname = r.name(), rname = r.name();
      return {
        mname, rname, serial: r.u32('SOA serial'), refresh: r.u32('SOA refresh'), retry: r.u32('SOA retry'),
        expire: r.u32('SOA expire'), minimum: r.u32('SOA minimum'),
      } satisfies Soa;
    }
    case T.NSEC: return { next: r.name(), types: readBitmap(r) } satisfies Nsec;
    case T.OPT: return readOptions(r, o);
    case T.KEY: {
      const flags = r.u16('KEY flags'), protocol = r.u8('KEY protocol'), algorithm = r.u8('KEY algorithm');
      return { flags, protocol, algorithm, key: rest(r, 'KEY key') } satisfies Key;
    }
    case T.SIG: {
      const typeCovered = r.u16('SIG type'), algorithm = r.u8('SIG algorithm'), labels = r.u8('SIG labels');
      const originalTtl = r.u32('SIG TTL'), expiration = r.u32('SIG expiration'), inception = r.u32('SIG inception');
      const keyTag = r.u16('SIG key tag');
      const signer = r.name();
      return { typeCovered, algorithm, labels, originalTtl, expiration, inception, keyTag, signer, signature: rest(r, 'SIG signature') } satisfies Sig;
    }
    default: return rest(r, 'rdata');
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
    case T.SRV: {
      const s = obj<Srv>(d, 'SRV');
      w.u16(s.priority, 'SRV priority'); w.u16(s.weight, 'SRV weight'); w.u16(s.port, 'SRV port');
      return w.name(s.target, 'SRV target', w.compress && w.compressSrv);
    }
    case T.SOA: {
      const s = obj<Soa>(d, 'SOA');
      w.name(s.mname, 'SOA mname'); w.name(s.rname, 'SOA rname');
      w.u32(s.serial, 'SOA serial'); w.u32(s.refresh, 'SOA refresh'); w.u32(s.retry, 'SOA retry');
      w.u32(s.expire, 'SOA expire'); w.u32(s.minimum, 'SOA minimum');
      return;
    }
    case T.NSEC: {
      const s = obj<Nsec>(d, 'NSEC');
      w.name(s.next, 'NSEC next');
      return writeBitmap(w, s.types);
    }
    case T.OPT: return writeOptions(w, d as never, o);
    case T.KEY: {
      const k = obj<Key>(d, 'KEY');
      w.u16(k.flags, 'KEY flags'); w.u8(k.protocol, 'KEY protocol'); w.u8(k.algorithm, 'KEY algorithm');
      return w.bytes(k.key, 'KEY key');
    }
    case T.SIG: {
      const s = obj<Sig>(d, 'SIG');
      w.u16(s.typeCovered, 'SIG type'); w.u8(s.algorithm, 'SIG algorithm'); w.u8(s.labels, 'SIG labels');
      w.u32(s.originalTtl, 'SIG TTL'); w.u32(s.expiration, 'SIG expiration'); w.u32(s.inception, 'SIG inception');
      w.u16(s.keyTag, 'SIG key tag');
      // RFC 4034 §3.1.7: the signer's name is not compressed.
      w.name(s.signer, 'SIG signer', false);
      return w.bytes(s.signature, 'SIG signature');
    }
    default:
      if (!(d instanceof Uint8Array)) throw new EncodeError(`type ${rec.type}`, 'data of an unknown type must be a Uint8Array');
      return w.bytes(d, 'rdata');
  }
}
