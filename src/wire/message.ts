// Whole messages: header (RFC 1035 §4.1.1, RFC 2535 AD/CD), questions with
// the mDNS QU bit (RFC 6762 §5.4), records with the cache-flush bit (§10.2).
import type { CodecOptions, EncodeOptions, Leftover, Message, Packed, Question, Rec } from './types.js';
import { T } from './types.js';
import { EncodeError } from './errors.js';
import { Reader } from './reader.js';
import { readRData, writeRData } from './rdata.js';
import { FULL, MAX_BUDGET, Writer } from './writer.js';

/** 1500-byte MTU minus IPv6 (40) and UDP (8) headers: fits either family. */
export const MTU_BUDGET = 1452;
const MIN_QUESTION = 5;
const MIN_RECORD = 11;
/**
 * The sections in wire order (RFC 1035 §4.1), the first one the questions.
 * Reached through this function rather than by name strings, so the device
 * build may shorten the field names (scripts/kept-names.mjs).
 */
export const sectionsOf = (m: Leftover): unknown[][] => [m.questions, m.answers, m.authorities, m.additionals];

/** A Leftover from four lists in wire order. */
export const leftover = ([questions, answers, authorities, additionals]: unknown[][]): Leftover =>
  ({ questions, answers, authorities, additionals }) as Leftover;

const NOTHING_LEFT: Leftover = Object.freeze(leftover([[], [], [], []]));

export function message(m: Partial<Message> = {}): Message {
  return {
    id: 0, qr: false, opcode: 0, aa: false, tc: false, rd: false, ra: false, z: false, ad: false, cd: false, rcode: 0,
    questions: [], answers: [], authorities: [], additionals: [], ...m,
  };
}

function readQuestion(r: Reader): Question {
  const name = r.domain();
  const type = r.uint(2, 'question type');
  const cls = r.uint(2, 'question class');
  return { name, type, class: cls & 0x7fff, qu: cls >= 0x8000 };
}

function readRecord(r: Reader, o: CodecOptions | undefined): Rec {
  const name = r.domain();
  const type = r.uint(2, 'type');
  const cls = r.uint(2, 'class');
  const ttl = r.uint(4, 'TTL');
  const outer = r.region(r.uint(2, 'rdlength'), 'rdata');
  const data = readRData(r, type, o);
  r.endRegion(outer, 'rdata');
  const opt = type === T.OPT;
  return { name, type, class: opt ? cls : cls & 0x7fff, flush: !opt && cls >= 0x8000, ttl, data };
}

/** `n` entries read one after another. */
function readList<E>(r: Reader, n: number, o: CodecOptions | undefined, read: (r: Reader, o: CodecOptions | undefined) => E): E[] {
  const list: E[] = [];
  for (let i = 0; i < n; i++) list.push(read(r, o));
  return list;
}

/** Decodes one DNS message; throws only DecodeError. */
export function decode(bytes: Uint8Array, o?: CodecOptions): Message {
  const r = new Reader(bytes);
  r.need(12, 'header');
  // RFC 1035 §4.1.1: six 16-bit fields, ID, flags and the four counts.
  const word = () => r.uint(2, 'header');
  const id = word(), flags = word(), qd = word(), an = word(), ns = word(), ar = word();
  // Refuse counts the remaining bytes cannot hold before allocating anything.
  const least = qd * MIN_QUESTION + (an + ns + ar) * MIN_RECORD;
  if (least > bytes.length - 12) r.fail(`counts ${qd}/${an}/${ns}/${ar} need at least ${least} bytes, ${bytes.length - 12} left`, 4);
  return {
    id, qr: (flags & 0x8000) !== 0, opcode: (flags >> 11) & 15, aa: (flags & 0x400) !== 0, tc: (flags & 0x200) !== 0,
    rd: (flags & 0x100) !== 0, ra: (flags & 0x80) !== 0, z: (flags & 0x40) !== 0, ad: (flags & 0x20) !== 0,
    cd: (flags & 0x10) !== 0, rcode: flags & 15,
    questions: readList(r, qd, o, readQuestion), answers: readList(r, an, o, readRecord),
    authorities: readList(r, ns, o, readRecord), additionals: readList(r, ar, o, readRecord),
  };
}

function writeQuestion(w: Writer, q: Question): void {
  w.domain(q.name, 'question name');
  w.uint(q.type, 2, 'question type');
  w.uint(q.class | (q.qu ? 0x8000 : 0), 2, 'question class');
}

function writeRecord(w: Writer, rec: Rec, o: CodecOptions | undefined): void {
  w.domain(rec.name, 'record name');
  w.uint(rec.type, 2, 'record type');
  w.uint(rec.type === T.OPT ? rec.class : rec.class | (rec.flush ? 0x8000 : 0), 2, 'record class');
  w.uint(rec.ttl, 4, 'record TTL');
  const at = w.length16();
  writeRData(w, rec, o);
  w.setLength16(at);
}

/** Opcode and RCODE are 4-bit fields (RFC 1035 §4.1.1). */
function nibble(v: number, field: string): number {
  if ((v & 15) !== v) throw new EncodeError(field, `not in 0..15: ${v}`);
  return v;
}

/** The ID and flags; the counts are filled in once the sections are written. */
function header(w: Writer, m: Message): void {
  const opcode = nibble(m.opcode, 'opcode'), rcode = nibble(m.rcode, 'rcode');
  w.uint(m.id, 2, 'id');
  w.uint(
    (m.qr ? 0x8000 : 0) | (opcode << 11) | (m.aa ? 0x400 : 0) | (m.tc ? 0x200 : 0) | (m.rd ? 0x100 : 0) |
      (m.ra ? 0x80 : 0) | (m.z ? 0x40 : 0) | (m.ad ? 0x20 : 0) | (m.cd ? 0x10 : 0) | rcode,
    2, 'flags',
  );
  w.pos += 8;
}

/**
 * Fills one packet up to `budget` bytes, in order: questions, answers,
 * authorities, additionals. At the first item that does not fit, it and
 * everything after it are handed back in `rest`, so callers can split answers
 * across packets (RFC 6762 §7.2 known answers with TC).
 */
export function pack(m: Message, o: EncodeOptions = {}): Packed {
  return fill(m, o, o.budget ?? MTU_BUDGET);
}

function fill(m: Message, o: EncodeOptions, budget: number): Packed {
  const w = new Writer(budget);
  w.compressSrv = o.compressSrv !== false;
  header(w, m);
  const counts = [0, 0, 0, 0];
  let full = false;
  for (let s = 0; s < 4 && !full; s++) {
    const list: unknown = sectionsOf(m)[s];
    if (!Array.isArray(list)) throw new EncodeError(['questions', 'answers', 'authorities', 'additionals'][s], 'must be a list');
    for (let i = 0; i < list.length; i++) {
      const pos = w.pos, mark = w.mark();
      try {
        if (s) writeRecord(w, list[i], o);
        else writeQuestion(w, list[i]);
      } catch (e) {
        if (e !== FULL) throw e;
        w.undo(pos, mark);
        full = true;
        break;
      }
      counts[s]++;
    }
  }
  for (let s = 0; s < 4; s++) w.v.setUint16(4 + 2 * s, counts[s]);
  const rest = full ? leftover(sectionsOf(m).map((list, s) => list.slice(counts[s]))) : NOTHING_LEFT;
  return { data: w.b.slice(0, w.pos), rest, full };
}

/** Encodes a whole message; throws EncodeError if it is invalid or larger than `budget` (default 9000). */
export function encode(m: Message, o: EncodeOptions = {}): Uint8Array {
  const budget = o.budget ?? MAX_BUDGET;
  const p = fill(m, o, budget);
  if (p.full) throw new EncodeError('message', `does not fit in ${budget} bytes`);
  return p.data;
}
