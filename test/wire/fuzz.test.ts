// Robustness of the codec against hostile input (issue 2, "Bad input"): any
// byte sequence decodes to a Message or throws a DecodeError with an offset
// and a reason, and whatever decodes re-encodes to the same message. Seeded,
// so a failure names its seed and packet and reproduces exactly.
import { runInNewContext } from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decode, encode, DecodeError, EncodeError } from '../../src/wire/index.js';
import type { CodecOptions, EncodeOptions, Message } from '../../src/wire/types.js';
import { Rng, hex, message, mutate, noise, pointerChain } from './gen.js';
import { bytes as unhex, vectors } from './vectors.js';

let cases = 0;
/** The input being decoded now, named for the watchdog. */
let current: { what: string; p: Uint8Array } = { what: '', p: new Uint8Array(0) };

/**
 * A uvu test whose body runs under a watchdog, so a decode that never
 * returns ("never a hang") fails naming its input instead of stalling.
 */
function check(name: string, body: () => void): void {
  test(name, () => {
    try {
      runInNewContext('body()', { body }, { timeout: 30_000 });
    } catch (e) {
      if ((e as { code?: string }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw e;
      throw new Error(`${name}: hung on ${current.what}: ${hex(current.p)}`);
    }
  });
}

/** Header (id 0, no flags) with the four section counts. */
function header(qd: number, an: number, ns: number, ar: number): number[] {
  return [0, 0, 0, 0, qd >> 8, qd & 0xff, an >> 8, an & 0xff, ns >> 8, ns & 0xff, ar >> 8, ar & 0xff];
}

/** A root-named resource record with the given type, rdata and (by default matching) rdlength. */
function rr(type: number, rdata: number[], rdlength = rdata.length): number[] {
  return [0, type >> 8, type & 0xff, 0, 1, 0, 0, 0, 120, rdlength >> 8, rdlength & 0xff, ...rdata];
}

const bytes = (...parts: number[][]) => Uint8Array.from(parts.flat());

function fail(message: string): never {
  throw new Error(message);
}

/** `e`, if it is a DecodeError with an offset inside `p` and a reason; fails the test otherwise. */
function decodeError(e: unknown, p: Uint8Array, what: string): DecodeError {
  if (!(e instanceof DecodeError)) fail(`${what}: ${String(e)} escaped decode of ${hex(p)}`);
  if (!(Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= p.length && typeof e.reason === 'string' && e.reason !== '')) {
    fail(`${what}: DecodeError(${e.offset}, ${JSON.stringify(e.reason)}) out of contract for ${hex(p)}`);
  }
  return e;
}

/** Runs decode and returns its DecodeError; fails on success or on any other exception. */
function rejects(p: Uint8Array, what: string, opts?: CodecOptions): DecodeError {
  current = { what, p };
  try {
    decode(p, opts);
  } catch (e) {
    return decodeError(e, p, what);
  }
  fail(`${what}: decoded ${hex(p)} without error`);
}

/**
 * The robustness contract for one input: a Message or a well-formed
 * DecodeError, nothing else; a decoded message re-encodes (or is refused
 * with an EncodeError) and decodes back to itself.
 */
function robust(p: Uint8Array, what: string): void {
  cases++;
  current = { what, p };
  let m: Message;
  try {
    m = decode(p);
  } catch (e) {
    decodeError(e, p, what);
    return;
  }
  let again: Uint8Array;
  try {
    again = encode(m);
  } catch (e) {
    if (e instanceof EncodeError) return;
    fail(`${what}: ${String(e)} escaped encode of the message decoded from ${hex(p)}`);
  }
  let back: Message;
  try {
    back = decode(again);
  } catch (e) {
    fail(`${what}: ${hex(p)} decodes, re-encodes as ${hex(again)}, which fails: ${String(e)}`);
  }
  const d = diff(back, m);
  if (d) fail(`${what}: ${hex(p)} decodes, re-encodes as ${hex(again)}, and decodes differently at ${d}`);
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Where two values first differ (a path and both values), or '' when they are deeply equal. */
function diff(a: unknown, b: unknown, path = '$'): string {
  if (a === b) return '';
  if (a instanceof Uint8Array && b instanceof Uint8Array) return same(a, b) ? '' : `${path}: ${hex(a)} vs ${hex(b)}`;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = diff(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return '';
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !(a instanceof Uint8Array) && !(b instanceof Uint8Array)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const d = diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return keys.every((k) => k in a && k in b) ? '' : `${path}: keys ${Object.keys(a)} vs ${Object.keys(b)}`;
  }
  return `${path}: ${String(a)} vs ${String(b)}`;
}

const OPTION_SETS: EncodeOptions[] = [{}, { tsrLayout: 'draft' }, { tsrCode: 65001, tsrLayout: 'apple', compressSrv: false }];

// Odd seeds mix names that differ only in ASCII case: compression matches
// suffixes case-exactly (src/wire/writer.ts), so every name, in any case,
// must come back exactly as given.
check('random valid messages: decode(encode(m)) equals m and re-encoding is byte-identical', () => {
  for (let seed = 1; seed <= 4000; seed++) {
    const opts = OPTION_SETS[seed % OPTION_SETS.length];
    const variants = seed % 2 === 1;
    const m = message(new Rng(seed), opts, variants);
    const wire = encode(m, opts);
    current = { what: `seed ${seed}`, p: wire };
    const back = decode(wire, opts);
    const d = diff(back, m);
    if (d) fail(`seed ${seed}: decoded ≠ generated at ${d}\n${hex(wire)}`);
    const again = encode(back, opts);
    if (!same(again, wire)) fail(`seed ${seed}: re-encoding differs\n${hex(wire)}\n${hex(again)}`);
    cases++;
  }
});

/** Encoded random messages: the material the mutator works on. */
function corpus(n: number, seed: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) out.push(encode(message(new Rng(seed + i))));
  return out;
}

check('mutated packets: a Message that re-encodes to itself, or a DecodeError', () => {
  const pool = corpus(300, 100_000);
  for (let seed = 1; seed <= 12_000; seed++) {
    const rng = new Rng(seed);
    robust(mutate(rng, rng.pick(pool), rng.pick(pool)), `mutation seed ${seed}`);
  }
});

check('random byte strings of 0..600 bytes: a Message or a DecodeError', () => {
  for (let seed = 1; seed <= 4000; seed++) robust(noise(new Rng(seed ^ 0x5a5a5a5a)), `random seed ${seed}`);
});

/** Every strict prefix of a packet without trailing bytes lacks part of a record the header announces. */
function truncations(p: Uint8Array, what: string, opts?: EncodeOptions): void {
  for (let cut = 0; cut < p.length; cut++) {
    const e = rejects(p.subarray(0, cut), `${what} cut at ${cut}`, opts);
    assert.ok(e.offset <= cut, `${what} cut at ${cut}: offset ${e.offset}`);
    cases++;
  }
}

check('truncation at every offset of every vector packet is a DecodeError', () => {
  for (const v of vectors) truncations(unhex(v.hex), `vector ${v.name}`, v.opts);
});

check('truncation at every offset of random valid packets is a DecodeError', () => {
  corpus(40, 200_000).forEach((p, i) => truncations(p, `corpus packet ${i}`));
});

// The dns-packet amplification: a tiny packet claiming 65,535 records per
// section. A decoder must refuse it from the header alone, before reading
// (and allocating) a single record. The tail holds well-formed records, so a
// decoder that reads first and checks later would fail only at the end (34).
const FOUR_ROOT_QUESTIONS = [0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0xff, 0xff];
const TWO_EMPTY_RECORDS = [...rr(0xff00, []), ...rr(0xff00, [])];

check('amplification: 34-byte packet claiming 65535 records in every section is refused at the header', () => {
  for (const tail of [FOUR_ROOT_QUESTIONS, TWO_EMPTY_RECORDS]) {
    const p = bytes(header(0xffff, 0xffff, 0xffff, 0xffff), tail);
    assert.is(p.length, 34);
    const e = rejects(p, 'all counts 65535');
    assert.ok(e.offset <= 12, `refused at ${e.offset}, after reading records`);
    assert.match(e.reason, /count/i);
  }
});

check('amplification: qdcount-only, ancount-only, nscount-only and arcount-only variants are refused at the header', () => {
  const variants: [string, number[], number[]][] = [
    ['qdcount', header(0xffff, 0, 0, 0), FOUR_ROOT_QUESTIONS],
    ['ancount', header(0, 0xffff, 0, 0), TWO_EMPTY_RECORDS],
    ['nscount', header(0, 0, 0xffff, 0), TWO_EMPTY_RECORDS],
    ['arcount', header(0, 0, 0, 0xffff), TWO_EMPTY_RECORDS],
  ];
  for (const [what, h, tail] of variants) {
    const e = rejects(bytes(h, tail), what);
    assert.ok(e.offset <= 12, `${what}: refused at ${e.offset}, after reading records`);
    assert.match(e.reason, /count/i, what);
  }
});

check('amplification control: counts the bytes can hold still decode', () => {
  assert.is(decode(bytes(header(4, 0, 0, 0), FOUR_ROOT_QUESTIONS.slice(0, 20))).questions.length, 4);
  assert.is(decode(bytes(header(0, 0, 0, 2), TWO_EMPTY_RECORDS)).additionals.length, 2);
});

check('rfc1035 §4.1.4 pointers must point strictly backwards: self, mutual and forward pointers are refused', () => {
  const loops: [string, Uint8Array][] = [
    ['self pointer', bytes(header(1, 0, 0, 0), [0xc0, 12, 0, 1, 0, 1])],
    // q1 at 12 points to q2's name at 18, which points back to 12.
    ['two pointers at each other', bytes(header(2, 0, 0, 0), [0xc0, 18, 0, 1, 0, 1], [0xc0, 12, 0, 1, 0, 1])],
    ['forward pointer to a valid name', bytes(header(2, 0, 0, 0), [0xc0, 18, 0, 1, 0, 1], [1, 0x61, 0, 0, 1, 0, 1])],
  ];
  for (const [what, p] of loops) {
    const e = rejects(p, what);
    assert.is(e.offset, 12, what);
    assert.match(e.reason, /pointer/i, what);
  }
});

check('rfc1035 §4.1.4 a pointer reached through a pointer must aim before the first jump (no loop through rdata)', () => {
  // Answer 1 (opaque type) carries rdata 'a' + pointer to answer 2's name;
  // answer 2's name (27) points back into that rdata (23): 27 -> 23 -> 25 -> 27 ...
  const first = rr(0xff00, [1, 0x61, 0xc0, 27]);
  const p = bytes(header(0, 2, 0, 0), first, [0xc0, 23, 0xff, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  assert.is(p[25], 0xc0);
  assert.is(p[27], 0xc0);
  const e = rejects(p, 'loop through rdata');
  assert.is(e.offset, 25);
  assert.match(e.reason, /pointer/i);
});

check('rfc1035 §2.3.4 a 64-byte label and a 256-byte name are refused; 63 and 255 are fine', () => {
  const labelOf = (n: number) => [n, ...new Array<number>(n).fill(0x61)];
  const q = (...labels: number[][]) => bytes(header(1, 0, 0, 0), ...labels, [0, 0, 1, 0, 1]);
  assert.is(decode(q(labelOf(63))).questions[0].name, 'a'.repeat(63));
  let e = rejects(q(labelOf(64)), 'label of 64');
  assert.is(e.offset, 12);
  assert.match(e.reason, /label/i);

  const in255 = q(labelOf(63), labelOf(63), labelOf(63), labelOf(61));
  assert.is(decode(in255).questions[0].name.length, 63 * 3 + 61 + 3);
  e = rejects(q(labelOf(63), labelOf(63), labelOf(63), labelOf(62)), 'name of 256');
  assert.match(e.reason, /255/);

  // Over 255 only through compression: 9 bytes of label + a 250-byte suffix.
  const long = [...labelOf(63), ...labelOf(63), ...labelOf(63), ...labelOf(56), 0, 0, 1, 0, 1];
  assert.is(decode(bytes(header(1, 0, 0, 0), long)).questions[0].name.length, 63 * 3 + 56 + 3);
  const p = bytes(header(2, 0, 0, 0), long, labelOf(8), [0xc0, 12, 0, 1, 0, 1]);
  e = rejects(p, 'name of 259 through a pointer');
  assert.match(e.reason, /255/);
});

check('rdlength that disagrees with the structured rdata is a DecodeError', () => {
  const name = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
  const bad: [string, number[]][] = [
    ['A with rdlength 3', rr(1, [192, 0, 2])],
    ['A with rdlength 5', rr(1, [192, 0, 2, 1, 0])],
    ['AAAA with rdlength 15', rr(28, new Array<number>(15).fill(1))],
    ['SRV with rdlength 5', rr(33, [0, 0, 0, 0, 0])],
    ['SRV target past rdlength', rr(33, [0, 0, 0, 0, 0, 80, ...name('host'), 0], 9)],
    ['SRV with a byte after the target', rr(33, [0, 0, 0, 0, 0, 80, 0, 0x61])],
    ['PTR name past rdlength', rr(12, [...name('host'), 0], 3)],
    ['PTR with a byte after the name', rr(12, [...name('host'), 0, 0])],
    ['TXT string past rdlength', rr(16, [5, 0x61, 0x62], 3)],
    ['SOA missing its last byte', rr(6, [0, 0, ...new Array<number>(19).fill(0)])],
    ['NSEC bitmap past rdlength', rr(47, [0, 0, 32, 0x40])],
    ['NSEC bitmap of 33 bytes', rr(47, [0, 0, 33, ...new Array<number>(33).fill(0x40)])],
    ['NSEC bitmap of 0 bytes', rr(47, [0, 0, 0])],
    ['KEY shorter than its fixed fields', rr(25, [1, 0, 3])],
    ['SIG shorter than its fixed fields', rr(24, new Array<number>(17).fill(0))],
    ['OPT option past rdlength', rr(41, [0, 3, 0, 10, 1, 2, 3, 4])],
    ['OPT option header cut', rr(41, [0, 3, 0])],
    ['MQTYPE option of odd length', rr(41, [0, 20, 0, 3, 0, 1, 0])],
    ['LLQ option of 17 bytes', rr(41, [0, 1, 0, 17, ...new Array<number>(17).fill(0)])],
    ['lease option of 6 bytes', rr(41, [0, 2, 0, 6, 0, 0, 0, 0, 0, 0])],
    ['rdlength past the packet', rr(0xff00, [1, 2, 3], 4)],
  ];
  // The same records with rdlength and rdata in agreement decode.
  const good: [string, number[]][] = [
    ['A', rr(1, [192, 0, 2, 1])],
    ['AAAA', rr(28, new Array<number>(16).fill(1))],
    ['SRV', rr(33, [0, 0, 0, 0, 0, 80, ...name('host'), 0])],
    ['PTR', rr(12, [...name('host'), 0])],
    ['TXT', rr(16, [2, 0x61, 0x62])],
    ['SOA', rr(6, [0, 0, ...new Array<number>(20).fill(0)])],
    ['NSEC', rr(47, [0, 0, 1, 0x40])],
    ['KEY', rr(25, [1, 0, 3, 8])],
    ['SIG', rr(24, new Array<number>(19).fill(0))],
    ['OPT', rr(41, [0, 3, 0, 4, 1, 2, 3, 4, 0, 20, 0, 2, 0, 1, 0, 1, 0, 18, ...new Array<number>(18).fill(0)])],
    // A TSR option of the wrong length is kept raw (the responder counts and ignores it).
    ['OPT with a 9-byte TSR option', rr(41, [0xfd, 0xea, 0, 9, ...new Array<number>(9).fill(0)])],
  ];
  const packet = (rec: number[]) => bytes(rec[2] === 41 ? header(0, 0, 0, 1) : header(0, 1, 0, 0), rec);
  for (const [what, rec] of good) assert.is(decode(packet(rec)).answers.length + decode(packet(rec)).additionals.length, 1, what);
  for (const [what, rec] of bad) {
    const e = rejects(packet(rec), what);
    assert.ok(e.offset >= 12, `${what}: offset ${e.offset} is in the header`);
  }
});

// Decode time on such packets (linear or not) is measured by bench/fuzz.ts.
check('a 9000-byte packet of about 1,500 chained pointers decodes or is refused like any other', () => {
  const p = pointerChain(9000);
  assert.ok(p.length > 8990 && p.length <= 9000);
  robust(p, 'pointer chain');
});

test('the fuzz suite ran at least 20,000 cases', () => {
  assert.ok(cases >= 20_000, `${cases} cases`);
});

test.run();
