// Bounds-checked reading of a DNS message. Every read checks `end` first;
// names follow compression pointers only strictly backwards, so decoding
// cannot loop, and each decoded name suffix is remembered by offset, so
// pointers cost one lookup and decode time stays linear in the packet size.
import { DecodeError } from './errors.js';
import { readLabel } from './label.js';

/** Scratch for one name at a time (decoding is synchronous and not re-entrant). */
const offs: number[] = [];
const labs: string[] = [];
/** Pointers passed on the way, with the number of labels before each: their targets' names are memoised too. */
const jumps: number[] = [];
/** Wire length of the name suffix memoised at an offset; valid where the reader's memo has that offset. */
const memoLen = new Uint8Array(0x4000);

export class Reader {
  pos = 0;
  /** End of the current region: the message, or the rdata being read. */
  end: number;
  private readonly _memo = new Map<number, string>();

  constructor(readonly b: Uint8Array) {
    this.end = b.length;
  }

  fail(reason: string, at = this.pos): never {
    throw new DecodeError(at, reason);
  }

  need(n: number, what: string): void {
    if (this.pos + n > this.end) this.fail(`truncated ${what}: ${n} bytes needed, ${this.end - this.pos} left`);
  }

  /** The unsigned big-endian integer in the next `n` bytes (1, 2 or 4). */
  uint(n: number, what: string): number {
    this.need(n, what);
    const b = this.b, p = this.pos;
    this.pos = p + n;
    return n === 1 ? b[p] : n === 2 ? (b[p] << 8) | b[p + 1] : ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
  }

  /**
   * Limits reading to the next `n` bytes, a record's rdata (RDLENGTH, RFC 1035
   * §4.1.3) or an EDNS option's data (RFC 6891 §6.1.2), so it can never run
   * into the neighbour. Returns the end to restore; `endRegion` checks that they
   * were all used.
   */
  region(n: number, what: string): number {
    this.need(n, what);
    const outer = this.end;
    this.end = this.pos + n;
    return outer;
  }

  endRegion(outer: number, what: string): void {
    if (this.pos < this.end) this.fail(`${what} has ${this.end - this.pos} bytes left over`);
    this.end = outer;
  }

  /** A copy of the next n bytes. */
  copy(n: number, what: string): Uint8Array {
    this.need(n, what);
    return this.b.slice(this.pos, (this.pos += n));
  }

  domain(): string {
    const b = this.b;
    const start = this.pos;
    let p = start;
    let limit = this.end;
    /** Any pointer must aim before this offset: before the name, then before each jump target. */
    let bound = start;
    let jumped = false;
    let len = 1;
    let tail = '';
    let tailLen = 1;
    let n = 0;
    let nj = 0;
    for (;;) {
      if (p >= limit) this.fail('truncated name', p);
      const c = b[p];
      if (c === 0) {
        if (!jumped) this.pos = p + 1;
        break;
      }
      if (c >= 0xc0) {
        if (p + 1 >= limit) this.fail('truncated compression pointer', p);
        const target = ((c & 0x3f) << 8) | b[p + 1];
        if (!jumped) this.pos = p + 2;
        if (target >= bound) this.fail(`compression pointer to ${target} does not point backwards`, p);
        const known = this._memo.get(target);
        if (known !== undefined) {
          tail = known;
          tailLen = memoLen[target];
          break;
        }
        if (p < 0x4000) { jumps[nj++] = p; jumps[nj++] = n; }
        bound = p = target;
        limit = b.length;
        jumped = true;
        continue;
      }
      if (c > 63) this.fail(`label type 0x${c.toString(16)} (label over 63 bytes)`, p);
      if (p + 1 + c > limit) this.fail('truncated label', p);
      len += c + 1;
      if (len > 255) break;
      offs[n] = p;
      labs[n++] = readLabel(b, p + 1, p + 1 + c);
      p += c + 1;
    }
    // RFC 1035 §2.3.4: at most 255 bytes, the labels read and a remembered tail together.
    if (len + tailLen - 1 > 255) this.fail('name longer than 255 bytes', start);
    let name = tail;
    let suffixLen = tailLen;
    let k = nj - 2;
    for (let i = n; i >= 0; i--) {
      for (; k >= 0 && jumps[k + 1] === i; k -= 2) {
        this._memo.set(jumps[k], name);
        memoLen[jumps[k]] = suffixLen;
      }
      if (i === 0) break;
      name = name === '' ? labs[i - 1] : labs[i - 1] + '.' + name;
      suffixLen += b[offs[i - 1]] + 1;
      if (offs[i - 1] < 0x4000) {
        this._memo.set(offs[i - 1], name);
        memoLen[offs[i - 1]] = suffixLen;
      }
    }
    return name;
  }
}
