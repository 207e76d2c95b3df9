// Writing a DNS message into one reused scratch buffer, up to a byte budget,
// with RFC 1035 §4.1.4 name compression keyed case-insensitively (RFC 6762
// §18.14: compress wherever possible, rdata names included).
import { EncodeError } from './errors.js';
import { writeLabel } from './label.js';
import { labelStarts, nameKey, trimDot } from './name.js';

/** Signals that the budget is exhausted; `pack` catches it, `encode` turns it into EncodeError. */
export const FULL = { full: true };

export const MAX_BUDGET = 9000;
/** Room past the budget so one label (≤ 63 bytes plus a 4-byte UTF-8 tail) can be written before checking. */
const SLACK = 72;
const scratch = new Uint8Array(MAX_BUDGET + SLACK);
const view = new DataView(scratch.buffer);
const table = new Map<string, number>();
const added: string[] = [];
/** Uncompressed length of the name suffix written at an offset, for the 255-byte limit. */
const suffixLen = new Map<number, number>();
const len: number[] = [0];

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
    table.clear();
    added.length = 0;
    suffixLen.clear();
  }

  room(n: number): void {
    if (this.pos + n > this.cap) throw FULL;
  }

  u8(x: number, field: string): void {
    if ((x & 0xff) !== x) throw new EncodeError(field, `not an 8-bit value: ${x}`);
    this.room(1);
    this.b[this.pos++] = x;
  }

  u16(x: number, field: string): void {
    if ((x & 0xffff) !== x) throw new EncodeError(field, `not a 16-bit value: ${x}`);
    this.room(2);
    this.v.setUint16(this.pos, x);
    this.pos += 2;
  }

  u32(x: number, field: string): void {
    if (x >>> 0 !== x) throw new EncodeError(field, `not a 32-bit value: ${x}`);
    this.room(4);
    this.v.setUint32(this.pos, x);
    this.pos += 4;
  }

  bytes(x: Uint8Array, field: string): void {
    if (!(x instanceof Uint8Array)) throw new EncodeError(field, 'not a Uint8Array');
    this.room(x.length);
    this.b.set(x, this.pos);
    this.pos += x.length;
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
  name(name: string, field: string, pointer = this.compress): void {
    if (typeof name !== 'string') throw new EncodeError(field, 'not a name string');
    name = trimDot(name);
    if (name === '') return this.u8(0, field);
    const starts = labelStarts(name);
    const register = this.compress;
    const key = register ? nameKey(name) : '';
    let hit = -1;
    let i = 0;
    if (register && pointer) {
      for (; i < starts.length; i++) {
        const at = table.get(i === 0 ? key : key.slice(starts[i]));
        if (at !== undefined) { hit = at; break; }
      }
    } else i = starts.length;
    const nameStart = this.pos;
    for (let j = 0; j < i; j++) {
      const here = this.pos;
      if (here >= this.cap) throw FULL;
      const next = writeLabel(name, starts[j], this.b, here + 1, len);
      const n = len[0];
      if (next < 0) throw new EncodeError(field, `bad escape in ${JSON.stringify(name)}`);
      if (n === 0) throw new EncodeError(field, `empty label in ${JSON.stringify(name)}`);
      if (n > 63) throw new EncodeError(field, `label over 63 bytes in ${JSON.stringify(name)}`);
      this.b[here] = n;
      this.pos = here + 1 + n;
      if (this.pos > this.cap) throw FULL;
      if (register && here < 0x4000) {
        const k = j === 0 ? key : key.slice(starts[j]);
        // A name written in full may repeat a known suffix: keep the first target.
        if (pointer || !table.has(k)) {
          table.set(k, here);
          added.push(k);
        }
      }
    }
    const labelsEnd = this.pos;
    const tailLen = hit >= 0 ? suffixLen.get(hit)! : 1;
    if (labelsEnd - nameStart + tailLen > 255) throw new EncodeError(field, 'name longer than 255 bytes');
    if (hit >= 0) this.u16(0xc000 | hit, field);
    else this.u8(0, field);
    if (register) for (let j = 0, at = nameStart; j < i; j++, at += this.b[at] + 1) suffixLen.set(at, labelsEnd - at + tailLen);
  }
}
