// Bounds-checked reading of a DNS message. Every read checks `end` first;
// names follow compression pointers only strictly backwards, so decoding
// cannot loop, and each decoded name suffix is remembered by offset, so
// pointers cost one lookup and decode time stays linear in the packet size.
import { DecodeError } from './errors.js';
import { readLabel } from './label.js';

export class Reader {
  readonly v: DataView;
  pos = 0;
  /** End of the current region: the message, or the rdata being read. */
  end: number;
  private readonly memo = new Map<number, string>();
  private readonly memoLen = new Map<number, number>();

  constructor(readonly b: Uint8Array) {
    this.v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    this.end = b.length;
  }

  fail(reason: string, at = this.pos): never {
    throw new DecodeError(at, reason);
  }

  need(n: number, what: string): void {
    if (this.pos + n > this.end) this.fail(`truncated ${what}: ${n} bytes needed, ${this.end - this.pos} left`);
  }

  u8(what: string): number { this.need(1, what); return this.b[this.pos++]; }
  u16(what: string): number { this.need(2, what); const x = this.v.getUint16(this.pos); this.pos += 2; return x; }
  u32(what: string): number { this.need(4, what); const x = this.v.getUint32(this.pos); this.pos += 4; return x; }

  /** A copy of the next n bytes. */
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    return this.b.slice(this.pos, (this.pos += n));
  }

  name(): string {
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
    const offs: number[] = [];
    const labs: string[] = [];
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
        const known = this.memo.get(target);
        if (known !== undefined) {
          tail = known;
          tailLen = this.memoLen.get(target)!;
          if (len + tailLen - 1 > 255) this.fail('name longer than 255 bytes', start);
          break;
        }
        bound = p = target;
        limit = b.length;
        jumped = true;
        continue;
      }
      if (c > 63) this.fail(`label type 0x${c.toString(16)} (label over 63 bytes)`, p);
      if (p + 1 + c > limit) this.fail('truncated label', p);
      len += c + 1;
      if (len > 255) this.fail('name longer than 255 bytes', start);
      offs.push(p);
      labs.push(readLabel(b, p + 1, p + 1 + c));
      p += c + 1;
    }
    let name = tail;
    let suffixLen = tailLen;
    for (let i = labs.length - 1; i >= 0; i--) {
      name = name === '' ? labs[i] : labs[i] + '.' + name;
      suffixLen += b[offs[i]] + 1;
      if (offs[i] < 0x4000) {
        this.memo.set(offs[i], name);
        this.memoLen.set(offs[i], suffixLen);
      }
    }
    return name;
  }
}
