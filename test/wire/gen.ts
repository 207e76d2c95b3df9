// Seeded random DNS messages and packet mutations, shared by the fuzz suite
// (test/wire/fuzz.test.ts) and the fuzz benchmark (bench/fuzz.ts).
//
// `message()` produces only *valid* messages in the form the decoder gives
// back (names in canonical presentation form, AAAA in RFC 5952 form, NSEC
// types ascending), so `decode(encode(m))` must deep-equal `m`.
import type {
  CodecOptions, EdnsOption, Message, Question, RData, Rec,
} from '../../src/wire/types.js';
import { OPT, T, TSR_APPLE } from '../../src/wire/types.js';

export { hexOf as hex } from './vectors.js';

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), seeded through splitmix32. */
export class Rng {
  private a: number; private b: number; private c: number; private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const mix = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = mix(); this.b = mix(); this.c = mix(); this.d = 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Integer in [0, n). */
  int(n: number): number { return Math.floor((this.u32() / 0x100000000) * n); }
  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number { return lo + this.int(hi - lo + 1); }
  chance(p: number): boolean { return this.u32() / 0x100000000 < p; }
  pick<V>(list: readonly V[]): V { return list[this.int(list.length)]; }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
  /** Mostly small lengths, sometimes up to `max`. */
  len(small: number, max: number): number {
    return this.chance(0.9) ? this.range(0, small) : this.range(0, max);
  }
}

// ---- names -------------------------------------------------------------

/** One character of a label: its presentation text and its wire length. */
type Glyph = [text: string, bytes: number];

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const GLYPHS: Glyph[] = [
  ['-', 1], ['_', 1], [' ', 1], ['\\.', 1], ['\\\\', 1],
  ['é', 2], ['ß', 2], ['Ü', 2], ['ж', 2], ['€', 3], ['日', 3], ['本', 3], ['🐝', 4], ['😀', 4],
];
/** Bytes the decoder prints as \DDD: control characters and bytes never valid in UTF-8. */
const ESCAPED = [0, 1, 9, 10, 13, 31, 127, 0xc0, 0xc1, 0xf5, 0xfe, 0xff];

function glyph(rng: Rng): Glyph {
  const roll = rng.int(100);
  if (roll < 70) return [ALNUM[rng.int(ALNUM.length)], 1];
  if (roll < 95) return rng.pick(GLYPHS);
  return ['\\' + String(rng.pick(ESCAPED)).padStart(3, '0'), 1];
}

/** A label of at most `max` wire bytes (at least one). */
function label(rng: Rng, max: number): Glyph {
  const want = Math.min(max, rng.chance(0.05) ? 63 : rng.range(1, 12));
  let text = '';
  let bytes = 0;
  for (;;) {
    const g = glyph(rng);
    if (bytes + g[1] > want) {
      if (bytes > 0) break;
      continue;
    }
    text += g[0];
    bytes += g[1];
  }
  return [text, bytes];
}

/** Wire length of a presentation name (labels + length bytes + root). */
export function nameWireLength(name: string): number {
  if (name === '') return 1;
  let n = 2; // first length byte and the root
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x5c) {
      n += 1;
      i += /\d/.test(name[i + 1]) ? 3 : 1;
    } else if (c === 0x2e) n += 1;
    else if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00) { n += 4; i++; } else n += 3;
  }
  return n;
}

/** Random labels in front of `suffix`, keeping the whole name within 255 bytes. */
function prefixed(rng: Rng, suffix: string, labels: number): string {
  let name = suffix;
  for (let i = 0; i < labels; i++) {
    const room = 255 - nameWireLength(name) - 1;
    if (room < 1) break;
    const [text] = label(rng, Math.min(63, room));
    name = name === '' ? text : text + '.' + name;
  }
  return name;
}

/** Flips the case of some ASCII letters (names compare case-insensitively, keep case on the wire). */
function recase(rng: Rng, name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    if (ch === '\\') { // keep escapes intact
      const n = /\d/.test(name[i + 1]) ? 4 : 2;
      out += name.slice(i, i + n);
      i += n - 1;
    } else if (/[a-zA-Z]/.test(ch) && rng.chance(0.3)) out += ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase();
    else out += ch;
  }
  return out;
}

/** Names of one message: new ones extend shared suffixes, so compression has work to do. */
class Names {
  private pool: string[] = [];

  constructor(private rng: Rng, private variants: boolean) {
    for (const name of ['local', '_tcp.local', '_udp.local', '_http._tcp.local', '_services._dns-sd._udp.local', 'arpa']) this.add(name);
    for (let i = rng.range(0, 2); i > 0; i--) this.add(prefixed(rng, rng.chance(0.5) ? '' : 'local', rng.range(1, 3)));
  }

  next(): string {
    const name = this.draw();
    this.add(name);
    return name;
  }

  private add(name: string): void {
    this.pool.push(name);
  }

  private draw(): string {
    const rng = this.rng;
    const roll = rng.int(100);
    if (roll < 3) return '';
    if (roll < 30) return rng.pick(this.pool);
    if (roll < 40 && this.variants) return recase(rng, rng.pick(this.pool));
    if (roll < 45) return prefixed(rng, '', rng.range(1, 40)); // long, often near 255
    return prefixed(rng, rng.pick(this.pool), rng.range(1, 3));
  }
}

// ---- record data -------------------------------------------------------

function ipv4(rng: Rng): string {
  return Array.from(rng.bytes(4)).join('.');
}

/** RFC 5952 §4: lower-case hex, no leading zeros, the longest (first) run of two or more zero groups as '::'. */
export function ipv6Text(groups: number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(groups);
  return hex(groups.slice(0, best)) + '::' + hex(groups.slice(best + bestLen));
}

function ipv6(rng: Rng): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(rng.chance(0.4) ? 0 : rng.chance(0.3) ? rng.int(16) : rng.int(0x10000));
  // RFC 5952 §5 prints IPv4-mapped addresses in dotted form; stay out of that prefix.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) groups[5] = 0xfffe;
  return ipv6Text(groups);
}

function txt(rng: Rng): Uint8Array[] {
  const out: Uint8Array[] = [];
  const n = rng.range(1, 5);
  const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  for (let i = 0; i < n; i++) {
    const roll = rng.int(4);
    if (roll === 0) out.push(rng.bytes(rng.len(16, 255)));
    else if (roll === 1) out.push(ascii(`k${i}=${rng.u32().toString(36)}`));
    else if (roll === 2) out.push(ascii(`flag${i}`));
    else out.push(new Uint8Array(0));
  }
  return out;
}

/** NSEC type set, ascending; sometimes past window 0 (types > 255) and up to 65535. */
function nsecTypes(rng: Rng): number[] {
  const set = new Set<number>();
  const n = rng.chance(0.03) ? 0 : rng.range(1, 12);
  for (let i = 0; i < n; i++) {
    const roll = rng.int(10);
    if (roll < 6) set.add(rng.pick([T.A, T.PTR, T.TXT, T.AAAA, T.SRV, T.NSEC, T.CNAME, T.KEY]));
    else if (roll < 8) set.add(rng.range(1, 255));
    else set.add(rng.pick([256, 257, 32768, 32769, 65280, 65535, rng.range(256, 65535)]));
  }
  return [...set].sort((a, b) => a - b);
}

const u16 = (rng: Rng) => rng.int(0x10000);

function options(rng: Rng, opts: CodecOptions): EdnsOption[] {
  const tsrCode = opts.tsrCode ?? TSR_APPLE;
  const out: EdnsOption[] = [];
  for (let i = rng.range(0, 4); i > 0; i--) {
    switch (rng.int(5)) {
      case 0: out.push({ kind: 'tsr', code: tsrCode, index: u16(rng), checksum: rng.u32(), seconds: rng.u32() }); break;
      case 1: out.push({ kind: 'mqtype', code: rng.chance(0.5) ? OPT.MQTYPE_QUERY : OPT.MQTYPE_RESPONSE, types: Array.from({ length: rng.range(0, 5) }, () => u16(rng)) }); break;
      case 2: out.push({
        kind: 'llq', code: OPT.LLQ, version: u16(rng), opcode: u16(rng), error: u16(rng),
        id: (BigInt(rng.u32()) << 32n) | BigInt(rng.u32()), lease: rng.u32(),
      }); break;
      case 3: out.push(rng.chance(0.5)
        ? { kind: 'lease', code: OPT.LEASE, lease: rng.u32() }
        : { kind: 'lease', code: OPT.LEASE, lease: rng.u32(), keyLease: rng.u32() }); break;
      default: {
        let code = u16(rng);
        while (code === OPT.LLQ || code === OPT.LEASE || code === OPT.MQTYPE_QUERY || code === OPT.MQTYPE_RESPONSE || code === tsrCode) code = u16(rng);
        out.push({ kind: 'raw', code, data: rng.bytes(rng.len(8, 40)) });
      }
    }
  }
  return out;
}

const KNOWN: number[] = [T.A, T.NS, T.CNAME, T.SOA, T.PTR, T.TXT, T.SIG, T.KEY, T.AAAA, T.SRV, T.NSEC];
const RESERVED = new Set<number>([...KNOWN, T.OPT, T.ANY]);

/** A type the codec keeps as opaque rdata (RFC 3597). */
function opaqueType(rng: Rng): number {
  for (;;) {
    const t = rng.chance(0.5) ? rng.range(0, 300) : u16(rng);
    if (!RESERVED.has(t)) return t;
  }
}

function rdata(rng: Rng, type: number, names: Names): RData {
  switch (type) {
    case T.A: return ipv4(rng);
    case T.AAAA: return ipv6(rng);
    case T.NS: case T.CNAME: case T.PTR: return names.next();
    case T.TXT: return txt(rng);
    case T.SRV: return { priority: u16(rng), weight: u16(rng), port: u16(rng), target: names.next() };
    case T.SOA: return {
      mname: names.next(), rname: names.next(), serial: rng.u32(), refresh: rng.u32(),
      retry: rng.u32(), expire: rng.u32(), minimum: rng.u32(),
    };
    case T.NSEC: return { next: names.next(), types: nsecTypes(rng) };
    case T.KEY: return { flags: u16(rng), protocol: rng.int(256), algorithm: rng.int(256), key: rng.bytes(rng.len(16, 64)) };
    case T.SIG: return {
      typeCovered: u16(rng), algorithm: rng.int(256), labels: rng.int(256), originalTtl: rng.u32(),
      expiration: rng.u32(), inception: rng.u32(), keyTag: u16(rng), signer: names.next(),
      signature: rng.bytes(rng.len(16, 64)),
    };
    default: return rng.bytes(rng.len(8, 40));
  }
}

function record(rng: Rng, names: Names): Rec {
  const type = rng.chance(0.85) ? rng.pick(KNOWN) : opaqueType(rng);
  return {
    name: names.next(),
    type,
    class: rng.chance(0.8) ? 1 : rng.int(0x8000),
    flush: rng.chance(0.5),
    ttl: rng.chance(0.5) ? rng.pick([0, 120, 4500]) : rng.u32(),
    data: rdata(rng, type, names),
  };
}

function question(rng: Rng, names: Names): Question {
  const roll = rng.int(10);
  const type = roll < 6 ? rng.pick(KNOWN) : roll < 8 ? T.ANY : u16(rng);
  return { name: names.next(), type, class: rng.chance(0.8) ? 1 : rng.int(0x8000), qu: rng.chance(0.5) };
}

function opt(rng: Rng, opts: CodecOptions): Rec {
  return {
    name: '', type: T.OPT, class: rng.chance(0.7) ? rng.pick([512, 1232, 1440, 9000]) : u16(rng),
    flush: false, ttl: rng.u32(), data: options(rng, opts),
  };
}

/**
 * A random valid message; TSR options use `opts.tsrCode`. With `caseVariants`
 * some names repeat an earlier one in another ASCII case.
 */
export function message(rng: Rng, opts: CodecOptions = {}, caseVariants = true): Message {
  const names = new Names(rng, caseVariants);
  const list = <V>(max: number, make: () => V): V[] => Array.from({ length: rng.chance(0.1) ? 0 : rng.range(0, max) }, make);
  const additionals = list(3, () => record(rng, names));
  if (rng.chance(0.4)) additionals.splice(rng.int(additionals.length + 1), 0, opt(rng, opts));
  return {
    id: u16(rng),
    qr: rng.chance(0.5), aa: rng.chance(0.5), tc: rng.chance(0.2), rd: rng.chance(0.2),
    ra: rng.chance(0.2), z: rng.chance(0.1), ad: rng.chance(0.2), cd: rng.chance(0.2),
    opcode: rng.chance(0.8) ? 0 : rng.int(16),
    rcode: rng.chance(0.8) ? 0 : rng.int(16),
    questions: list(4, () => question(rng, names)),
    answers: list(6, () => record(rng, names)),
    authorities: list(3, () => record(rng, names)),
    additionals,
  };
}

// ---- mutation ----------------------------------------------------------

const INTERESTING = [0, 0xff, 0xc0, 0x3f, 0x40, 0x01, 0x7f, 0x80];

/** Points a compression pointer at `at` to itself or somewhere after it. */
function reaim(rng: Rng, p: Uint8Array, at: number): void {
  const target = rng.chance(0.4) ? at : at + rng.range(1, 64);
  p[at] = 0xc0 | ((target >> 8) & 0x3f);
  p[at + 1] = target & 0xff;
}

function mutateOnce(rng: Rng, p: Uint8Array, other: Uint8Array): Uint8Array {
  const at = () => rng.int(p.length);
  switch (rng.int(9)) {
    case 0: { // bit flips
      if (p.length === 0) return p;
      for (let i = rng.range(1, 4); i > 0; i--) p[at()] ^= 1 << rng.int(8);
      return p;
    }
    case 1: { // interesting byte values
      if (p.length === 0) return p;
      p[at()] = rng.pick(INTERESTING);
      return p;
    }
    case 2: return p.slice(0, rng.int(p.length + 1)); // truncation
    case 3: { // extension with junk
      const out = new Uint8Array(p.length + rng.range(1, 32));
      out.set(p);
      out.set(rng.bytes(out.length - p.length), p.length);
      return out;
    }
    case 4: { // splice the head of one packet onto the tail of another
      const head = rng.int(p.length + 1);
      const tail = rng.int(other.length + 1);
      const out = new Uint8Array(head + other.length - tail);
      out.set(p.subarray(0, head));
      out.set(other.subarray(tail), head);
      return out;
    }
    case 5: { // raise a count field
      if (p.length < 12) return p;
      const field = 4 + 2 * rng.int(4);
      const n = rng.chance(0.3) ? 0xffff : Math.min(0xffff, ((p[field] << 8) | p[field + 1]) + rng.range(1, 3));
      p[field] = n >> 8;
      p[field + 1] = n & 0xff;
      return p;
    }
    case 6: { // re-aim an existing compression pointer (or plant one) forwards or at itself
      if (p.length < 14) return p;
      const pointers: number[] = [];
      for (let i = 12; i < p.length - 1; i++) if ((p[i] & 0xc0) === 0xc0) pointers.push(i);
      reaim(rng, p, pointers.length > 0 && rng.chance(0.8) ? rng.pick(pointers) : rng.range(12, p.length - 2));
      return p;
    }
    case 7: { // nudge a length byte up or down
      if (p.length === 0) return p;
      const i = at();
      p[i] = (p[i] + rng.pick([-3, -2, -1, 1, 2, 3, 64])) & 0xff;
      return p;
    }
    default: { // set a 16-bit field (rdlength, option length, type) to a boundary value
      if (p.length < 2) return p;
      const i = rng.int(p.length - 1);
      const v = rng.pick([0, 1, 0xffff, 0x8000, (p[i] << 8 | p[i + 1]) + 1]);
      p[i] = (v >> 8) & 0xff;
      p[i + 1] = v & 0xff;
      return p;
    }
  }
}

/** One to three mutations of `packet` (not modified); `other` is a second packet to splice from. */
export function mutate(rng: Rng, packet: Uint8Array, other: Uint8Array): Uint8Array {
  let p: Uint8Array = packet.slice();
  for (let i = rng.range(1, 3); i > 0; i--) p = mutateOnce(rng, p, other);
  return p;
}

/** Random bytes of 0..600; half of them with small section counts, so decoding gets past the header. */
export function noise(rng: Rng): Uint8Array {
  const p = rng.bytes(rng.range(0, 600));
  if (p.length >= 12 && rng.chance(0.5)) for (let i = 4; i < 12; i++) p[i] = i % 2 === 0 ? 0 : rng.int(4);
  return p;
}

/**
 * About `size` bytes of questions whose names are each a pointer to the
 * previous question's name, itself a pointer: a decoder that follows every
 * chain to its end does quadratic work.
 */
export function pointerChain(size: number): Uint8Array {
  const n = Math.max(2, Math.floor((size - 19) / 6) + 1);
  const p = new Uint8Array(19 + 6 * (n - 1));
  p[4] = n >> 8;
  p[5] = n & 0xff;
  p.set([1, 0x61, 0, 0, 1, 0, 1], 12);
  for (let i = 1, prev = 12, at = 19; i < n; i++, prev = at, at += 6) p.set([0xc0 | (prev >> 8), prev & 0xff, 0, 1, 0, 1], at);
  return p;
}
