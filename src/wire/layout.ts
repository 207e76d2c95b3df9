// Fixed layouts of record data and EDNS options, read and written field by
// field: each field is its name and its width in bytes (1, 2, 4; 8 is a
// bigint), or a letter: 'n' a domain name, compressible (RFC 1035 §3.3);
// 'm' a name compressed only where the writer allows it in SRV (RFC 6762
// §18.14, never in legacy unicast replies, RFC 2782); 'u' a name never
// compressed (RFC 4034 §3.1.7); 't' an NSEC type bitmap (RFC 4034 §4.1.2);
// 'l' a list of 16-bit types up to the end; 'r' the bytes up to the end.
// Data of the wrong shape is refused by the first field whose own check (a
// number's width, a name's type...) fails, so the error names that field.
import { EncodeError } from './errors.js';
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

type Width = 1 | 2 | 4 | 8 | 'n' | 'm' | 'u' | 't' | 'l' | 'r';

/** Fields: name, width, and the field's name in errors (e.g. 'SRV port'). */
export type Layout = [string, Width, string][];

/** `spec` is 'name:width ...', e.g. 'priority:2 weight:2 port:2 target:m'. */
export function layout(what: string, spec: string): Layout {
  return spec.split(' ').map((f) => {
    const [name, w] = f.split(':');
    return [name, (+w || w) as Width, `${what} ${name}`];
  });
}

/** RFC 4034 §4.1.2 type bitmap: windows in increasing order, 1..32 bytes each. */
function readBitmap(r: Reader): number[] {
  const types: number[] = [];
  let last = -1;
  while (r.pos < r.end) {
    const win = r.uint(1, 'NSEC window');
    const len = r.uint(1, 'NSEC bitmap length');
    if (win <= last) r.fail(`NSEC window ${win} out of order`, r.pos - 2);
    if (len < 1 || len > 32) r.fail(`NSEC bitmap length ${len}`, r.pos - 1);
    r.need(len, 'NSEC bitmap');
    // Bit i of the window's bitmap, counted from the top bit of its first byte, is type win * 256 + i.
    const b = r.b, at = r.pos;
    for (let i = 0; i < len * 8; i++) if (b[at + (i >> 3)] & (0x80 >> (i & 7))) types.push(win * 256 + i);
    r.pos = at + len;
    last = win;
  }
  return types;
}

/** The types in any order, repeats allowed; each window is written up to its last non-zero byte. */
function writeBitmap(w: Writer, types: number[], what: string): void {
  if (!Array.isArray(types)) throw new EncodeError(what, 'must be a list of types');
  // Window -> its bitmap bytes; a bitmap's length is one past its last non-zero
  // byte. A byte never set is undefined: it ORs as 0 and is stored as 0.
  const windows: number[][] = [];
  for (const t of types) {
    if ((t & 0xffff) !== t) throw new EncodeError(what, `not a type: ${t}`);
    const bits = windows[t >> 8] || (windows[t >> 8] = []);
    bits[(t & 255) >> 3] |= 0x80 >> (t & 7);
  }
  for (let win = 0; win < windows.length; win++) {
    const bits = windows[win];
    if (!bits) continue;
    w.room(2 + bits.length);
    w.b.set([win, bits.length, ...bits], w.pos);
    w.pos += 2 + bits.length;
  }
}

/** 16-bit types up to the end (draft-ietf-dnssd-multi-qtypes option data). */
function readTypes(r: Reader, what: string): number[] {
  const types: number[] = [];
  while (r.pos < r.end) types.push(r.uint(2, what));
  return types;
}

export function readLayout(r: Reader, l: Layout): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, w, what] of l) {
    out[name] = w === 8 ? (BigInt(r.uint(4, what)) << 32n) | BigInt(r.uint(4, what))
      : typeof w === 'number' ? r.uint(w, what)
      : w === 'r' ? r.copy(r.end - r.pos, what)
      : w === 't' ? readBitmap(r)
      : w === 'l' ? readTypes(r, what)
      : r.domain();
  }
  return out;
}

export function writeLayout(w: Writer, l: Layout, d: unknown): void {
  const o = Object(d) as Record<string, never>;
  for (const [name, width, what] of l) {
    const v = o[name];
    if (width === 8) {
      const id = v as bigint;
      if (typeof id !== 'bigint' || id < 0n || id >> 64n !== 0n) throw new EncodeError(what, 'not a 64-bit bigint');
      w.uint(Number(id >> 32n), 4, what);
      w.uint(Number(id & 0xffffffffn), 4, what);
    } else if (typeof width === 'number') w.uint(v, width, what);
    else if (width === 'r') w.copy(v, what);
    else if (width === 't') writeBitmap(w, v, what);
    else if (width === 'l') for (const t of v as number[]) w.uint(t, 2, what);
    else w.domain(v, what, width === 'n' || (width === 'm' && w.compressSrv));
  }
}
