// Writing a DNS message into one reused scratch buffer, up to a byte budget,
// with RFC 1035 §4.1.4 name compression (RFC 6762 §18.14: compress wherever
// possible, rdata names included). Suffixes match only with the same case, so
// every name keeps on the wire exactly the case it was given (DESIGN.md §3).
import { EncodeError } from './errors.js';
import { writeLabel } from './label.js';
import { nextLabel, trimDot } from './name.js';

/** Signals that the budget is exhausted; `pack` catches it, `encode` turns it into EncodeError. */
export const FULL = { full: true };

export const MAX_BUDGET = 9000;
/** Room past the budget so one label (≤ 63 bytes plus a 4-byte UTF-8 tail) can be written before checking. */
const SLACK = 72;
const scratch = new Uint8Array(MAX_BUDGET + SLACK);
const view = new DataView(scratch.buffer);
/**
 * Compression targets: name suffix -> gen·2^22 + suffix length·2^14 + offset.
 * The generation stamp makes entries of earlier messages invalid without
 * clearing the map for every message; it is cleared when it grows large.
 */
const table = new Map<string, number>();
const TABLE_MAX = 2048;
let gen = 0;
const added: string[] = [];
const starts: number[] = [];

function target(key: string): number {
  const v = table.get(key);
  return v !== undefined && Math.floor(v / 0x400000) === gen ? v % 0x400000 : -1;
}

export class Writer {
  readonly b = scratch;
  readonly v = view;
  pos = 0;
  /** Compress names at all (off for the uncompressed rdata of RFC 6762 §8.2 comparisons). */
  compress = true;
  /** Compress SRV targets (off for legacy unicast replies, RFC 6762 §18.14). */
  compressSrv = true;

  constructor(readonly cap: number) {
    if (!(cap >= 12 && cap <= MAX_BUDGET)) throw new EncodeError('budget', `must be 12..${MAX_BUDGET}, got ${cap}`);
    if (++gen > 0x3fffffff || table.size > TABLE_MAX) { table.clear(); gen = 0; }
    added.length = 0;
  }

  room(n: number): void {
    if (this.pos + n > this.cap) throw FULL;
  }

  /** Writes `x` as an unsigned big-endian integer of `n` bytes (1, 2 or 4). */
  uint(x: number, n: number, field: string): void {
    if (x >>> 0 !== x || x >= 2 ** (8 * n)) throw new EncodeError(field, `not in 0..${2 ** (8 * n) - 1}: ${x}`);
    this.room(n);
    if (n === 1) this.b[this.pos] = x;
    else if (n === 2) this.v.setUint16(this.pos, x);
    else this.v.setUint32(this.pos, x);
    this.pos += n;
  }

  copy(x: Uint8Array, field: string): void {
    if (!(x instanceof Uint8Array)) throw new EncodeError(field, 'not a Uint8Array');
    this.room(x.length);
    this.b.set(x, this.pos);
    this.pos += x.length;
  }

  /**
   * Reserves a 16-bit count of the bytes that follow, RDLENGTH (RFC 1035
   * §4.1.3) or an EDNS option length (RFC 6891 §6.1.2); `setLength16` fills
   * it in once they are written. Returns where they start.
   */
  length16(): number {
    this.room(2);
    return (this.pos += 2);
  }

  setLength16(at: number): void {
    this.v.setUint16(at - 2, this.pos - at);
  }

  /** Marks a rollback point; `undo` returns to it, forgetting compression targets written since. */
  mark(): number {
    return added.length;
  }

  undo(pos: number, mark: number): void {
    this.pos = pos;
    while (added.length > mark) table.delete(added.pop()!);
  }

  /**
   * Writes a name. `pointer` false writes it in full (SRV target in legacy
   * unicast, SIG signer); its labels still become targets for later names.
   */
  domain(name: string, field: string, pointer = this.compress): void {
    if (typeof name !== 'string') throw new EncodeError(field, 'not a name string');
    name = trimDot(name);
    if (name === '') return this.uint(0, 1, field);
    const register = this.compress;
    // Find the longest suffix already written, label by label from the left.
    let n = 0;
    let hit = -1;
    let at = 0;
    const plain = name.indexOf('\\') < 0;
    for (;;) {
      starts[n++] = at;
      if (register && pointer && (hit = target(name.slice(at))) >= 0) { n--; break; }
      at = plain ? name.indexOf('.', at) + 1 : nextLabel(name, at);
      if (at === 0) break;
    }
    const nameStart = this.pos;
    for (let j = 0; j < n; j++) {
      // pos never passes cap, so the label (at most 68 bytes) stays inside the scratch's slack.
      const here = this.pos;
      const size = writeLabel(name, starts[j], this.b, here + 1);
      const bad = size < 0 ? 'bad escape' : size === 0 ? 'empty label' : size > 63 ? 'label over 63 bytes' : '';
      if (bad) throw new EncodeError(field, `${bad} in ${JSON.stringify(name)}`);
      this.room(1 + size);
      this.b[here] = size;
      this.pos = here + 1 + size;
    }
    const labelsEnd = this.pos;
    const tailLen = hit >= 0 ? hit >> 14 : 1;
    if (labelsEnd - nameStart + tailLen > 255) throw new EncodeError(field, 'name longer than 255 bytes');
    if (hit >= 0) this.uint(0xc000 | (hit & 0x3fff), 2, field);
    else this.uint(0, 1, field);
    if (!register) return;
    for (let j = 0, off = nameStart; j < n && off < 0x4000; j++, off += this.b[off] + 1) {
      const k = name.slice(starts[j]);
      // A name written in full may repeat a known suffix: keep the first target.
      if (pointer || target(k) < 0) {
        table.set(k, gen * 0x400000 + (labelsEnd - off + tailLen) * 0x4000 + off);
        added.push(k);
      }
    }
  }
}
