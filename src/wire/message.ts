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
const NOTHING_LEFT: Leftover = Object.freeze({
  questions: Object.freeze([]) as unknown as Question[],
  answers: Object.freeze([]) as unknown as Rec[],
  authorities: Object.freeze([]) as unknown as Rec[],
  additionals: Object.freeze([]) as unknown as Rec[],
});

export function message(m: Partial<Message> = {}): Message {
  return {
    id: 0, qr: false, opcode: 0, aa: false, tc: false, rd: false, ra: false, z: false, ad: false, cd: false, rcode: 0,
    questions: [], answers: [], authorities: [], additionals: [], ...m,
  };
}

function readRecord(r: Reader, o: CodecOptions | undefined): Rec {
  const name = r.name();
  const type = r.u16('type');
  const cls = r.u16('class');
  const ttl = r.u32('TTL');
  const len = r.u16('rdlength');
  r.need(len, 'rdata');
  const end = r.pos + len;
  r.end = end;
  const data = readRData(r, type, o);
  if (r.pos !== end) r.fail(`rdlength ${len} disagrees with the ${type} rdata (${len - (end - r.pos)} bytes used)`);
  r.end = r.b.length;
  const opt = type === T.OPT;
  return { name, type, class: opt ? cls : cls & 0x7fff, flush: !opt && cls >= 0x8000, ttl, data };
}

function readRecords(r: Reader, n: number, o: CodecOptions | undefined): Rec[] {
  const list: Rec[] = [];
  for (let i = 0; i < n; i++) list.push(readRecord(r, o));
  return list;
}

/** Decodes one DNS message; throws only DecodeError. */
export function decode(bytes: Uint8Array, o?: CodecOptions): Message {
  const r = new Reader(bytes);
  r.need(12, 'header');
  const id = r.u16('id'), flags = r.u16('flags');
  const qd = r.u16('count'), an = r.u16('count'), ns = r.u16('count'), ar = r.u16('count');
  // Refuse counts the remaining bytes cannot hold before allocating anything.
  const least = qd * MIN_QUESTION + (an + ns + ar) * MIN_RECORD;
  if (least > bytes.length - 12) r.fail(`counts ${qd}/${an}/${ns}/${ar} need at least ${least} bytes, ${bytes.length - 12} left`, 4);
  const questions: Question[] = [];
  for (let i = 0; i < qd; i++) {
    const name = r.name();
    const type = r.u16('question type');
    const cls = r.u16('question class');
    questions.push({ name, type, class: cls & 0x7fff, qu: cls >= 0x8000 });
  }
  const answers = readRecords(r, an, o);
  const authorities = readRecords(r, ns, o);
  const additionals = readRecords(r, ar, o);
  return {
    id,
    qr: (flags & 0x8000) !== 0, opcode: (flags >> 11) & 15, aa: (flags & 0x400) !== 0, tc: (flags & 0x200) !== 0,
    rd: (flags & 0x100) !== 0, ra: (flags & 0x80) !== 0, z: (flags & 0x40) !== 0, ad: (flags & 0x20) !== 0,
    cd: (flags & 0x10) !== 0, rcode: flags & 15,
    questions, answers, authorities, additionals,
  };
}

function writeQuestion(w: Writer, q: Question): void {
  w.name(q.name, 'question name');
  w.u16(q.type, 'question type');
  w.u16(q.class | (q.qu ? 0x8000 : 0), 'question class');
}

export function writeRecord(w: Writer, rec: Rec, o: CodecOptions | undefined): void {
  w.name(rec.name, 'record name');
  w.u16(rec.type, 'record type');
  w.u16(rec.type === T.OPT ? rec.class : rec.class | (rec.flush ? 0x8000 : 0), 'record class');
  w.u32(rec.ttl, 'record TTL');
  w.room(2);
  const at = w.pos;
  w.pos += 2;
  writeRData(w, rec, o);
  const len = w.pos - at - 2;
  w.v.setUint16(at, len);
}

function header(w: Writer, m: Message): void {
  if ((m.opcode & 15) !== m.opcode) throw new EncodeError('opcode', `not a 4-bit value: ${m.opcode}`);
  if ((m.rcode & 15) !== m.rcode) throw new EncodeError('rcode', `not a 4-bit value: ${m.rcode}`);
  w.u16(m.id, 'id');
  w.u16(
    (m.qr ? 0x8000 : 0) | (m.opcode << 11) | (m.aa ? 0x400 : 0) | (m.tc ? 0x200 : 0) | (m.rd ? 0x100 : 0) |
      (m.ra ? 0x80 : 0) | (m.z ? 0x40 : 0) | (m.ad ? 0x20 : 0) | (m.cd ? 0x10 : 0) | m.rcode,
    'flags',
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
  const lists = [m.questions, m.answers, m.authorities, m.additionals];
  const counts = [0, 0, 0, 0];
  let full = false;
  for (let s = 0; s < 4 && !full; s++) {
    const list = lists[s];
    if (!Array.isArray(list)) throw new EncodeError(['questions', 'answers', 'authorities', 'additionals'][s], 'must be a list');
    for (let i = 0; i < list.length; i++) {
      const pos = w.pos, mark = w.mark();
      try {
        if (s === 0) writeQuestion(w, list[i] as Question);
        else writeRecord(w, list[i] as Rec, o);
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
  const rest: Leftover = full
    ? {
        questions: m.questions.slice(counts[0]),
        answers: m.answers.slice(counts[1]),
        authorities: m.authorities.slice(counts[2]),
        additionals: m.additionals.slice(counts[3]),
      }
    : NOTHING_LEFT;
  return { data: w.b.slice(0, w.pos), rest, full };
}

/** Encodes a whole message; throws EncodeError if it is invalid or larger than `budget` (default 9000). */
export function encode(m: Message, o: EncodeOptions = {}): Uint8Array {
  const budget = o.budget ?? MAX_BUDGET;
  const p = fill(m, o, budget);
  if (p.full) throw new EncodeError('message', `does not fit in ${budget} bytes`);
  return p.data;
}
