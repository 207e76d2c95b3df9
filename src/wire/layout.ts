// Fixed layouts of record data and EDNS options, read and written field by
// field: each field is its name and its width in bytes (1, 2, 4; 8 is a
// bigint), or a letter: 'n' a domain name, compressible (RFC 1035 §3.3);
// 'm' a name compressed only where the writer allows it in SRV (RFC 6762
// §18.14, never in legacy unicast replies, RFC 2782); 'u' a name never
// compressed (RFC 4034 §3.1.7); 'r' the bytes up to the end.
import { EncodeError } from './errors.js';
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

type Width = 1 | 2 | 4 | 8 | 'n' | 'm' | 'u' | 'r';

export interface Layout { what: string; fields: [string, Width][] }

/** `spec` is 'name:width ...', e.g. 'priority:2 weight:2 port:2 target:m'. */
export function layout(what: string, spec: string): Layout {
  return {
    what,
    fields: spec.split(' ').map((f) => {
      const [name, w] = f.split(':');
      return [name, (/\d/.test(w) ? Number(w) : w) as Width];
    }),
  };
}

export function readLayout(r: Reader, l: Layout): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, w] of l.fields) {
    const what = `${l.what} ${name}`;
    out[name] = w === 1 ? r.u8(what) : w === 2 ? r.u16(what) : w === 4 ? r.u32(what)
      : w === 8 ? (BigInt(r.u32(what)) << 32n) | BigInt(r.u32(what))
      : w === 'r' ? r.bytes(r.end - r.pos, what) : r.name();
  }
  return out;
}

export function writeLayout(w: Writer, l: Layout, d: unknown): void {
  if (typeof d !== 'object' || d === null || d instanceof Uint8Array || Array.isArray(d)) {
    throw new EncodeError(l.what, 'record data must be an object');
  }
  const o = d as Record<string, unknown>;
  for (const [name, width] of l.fields) {
    const what = `${l.what} ${name}`;
    const v = o[name] as never;
    switch (width) {
      case 1: w.u8(v, what); break;
      case 2: w.u16(v, what); break;
      case 4: w.u32(v, what); break;
      case 8: {
        const id = v as bigint;
        if (typeof id !== 'bigint' || id < 0n || id >> 64n !== 0n) throw new EncodeError(what, 'not a 64-bit bigint');
        w.u32(Number(id >> 32n), what);
        w.u32(Number(id & 0xffffffffn), what);
        break;
      }
      case 'r': w.bytes(v, what); break;
      default: w.name(v, what, width === 'n' ? w.compress : width === 'm' && w.compress && w.compressSrv);
    }
  }
}
