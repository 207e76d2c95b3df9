// Cross-check with an independent decoder and encoder: dns-packet (dev-only).
// Every vector is decoded by both and compared field by field where
// dns-packet knows the type; for types it keeps as raw bytes, those bytes
// must equal our uncompressed rdata. Then dns-packet encodes messages that
// we decode, and it decodes what we re-encode.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRequire } from 'node:module';
import dnsPacket from 'dns-packet';
import { decode, encode, rdataBytes } from '../../src/wire/index.js';
import { T } from '../../src/wire/types.js';
import type { CodecOptions, EdnsOption, Message, Nsec, Rec, Soa, Srv } from '../../src/wire/types.js';
import { bytes, hexOf, vectors } from './vectors.js';

const require = createRequire(import.meta.url);
interface Codes { toString(n: number): string }
const dpTypes = require('dns-packet/types.js') as Codes;
const dpClasses = require('dns-packet/classes.js') as Codes;
const dpOpcodes = require('dns-packet/opcodes.js') as Codes;
const dpRcodes = require('dns-packet/rcodes.js') as Codes;

// dns-packet's decoded shapes, loosely: the fields this suite reads.
interface DpRecord { name: string; type: string; class?: string; flush?: boolean; ttl?: number; data?: unknown; [k: string]: unknown }
interface DpPacket { [k: string]: unknown; questions: { name: string; type: string; class: string }[]; answers: DpRecord[]; authorities: DpRecord[]; additionals: DpRecord[] }

/** dns-packet writes labels joined by '.', without escapes, and the root as '.'. */
function dpName(name: string): string {
  return name === '' ? '.' : name.replace(/\\([.\\])/g, '$1');
}

const hexOfBuf = (b: unknown): string => hexOf(new Uint8Array(b as Buffer));

function sameHeader(ours: Message, theirs: DpPacket, what: string): void {
  assert.is(theirs.id, ours.id, `${what}: id`);
  for (const f of ['qr', 'aa', 'tc', 'rd', 'ra', 'z', 'ad', 'cd'] as const) assert.is(theirs[`flag_${f}`], ours[f], `${what}: ${f}`);
  assert.is(theirs.opcode, dpOpcodes.toString(ours.opcode), `${what}: opcode`);
  assert.is(theirs.rcode, dpRcodes.toString(ours.rcode), `${what}: rcode`);
  assert.is(theirs.questions.length, ours.questions.length, `${what}: questions`);
  ours.questions.forEach((q, i) => {
    const t = theirs.questions[i];
    assert.is(t.name, dpName(q.name), `${what}: question name`);
    assert.is(t.type, dpTypes.toString(q.type), `${what}: question type`);
    // dns-packet keeps the QU bit inside the class number (RFC 6762 §5.4: top bit of qclass).
    assert.is(t.class, dpClasses.toString(q.class | (q.qu ? 0x8000 : 0)), `${what}: question class`);
  });
}

/** The OPT rdata as dns-packet saw it: code, length, data for each option. */
function dpOptionBytes(options: { code: number; data?: Buffer }[]): string {
  return options.map((o) => {
    const data = hexOfBuf(o.data ?? Buffer.alloc(0));
    return o.code.toString(16).padStart(4, '0') + (data.length / 2).toString(16).padStart(4, '0') + data;
  }).join('');
}

function sameRecord(ours: Rec, theirs: DpRecord, o: CodecOptions | undefined, what: string): void {
  assert.is(theirs.name, dpName(ours.name), `${what}: name`);
  assert.is(theirs.type, dpTypes.toString(ours.type), `${what}: type`);
  if (ours.type === T.OPT) {
    // RFC 6891 §6.1.3: class = payload size, TTL = ext-rcode(8) version(8) flags(16).
    assert.is(theirs.udpPayloadSize, ours.class, `${what}: payload size`);
    assert.is(theirs.extendedRcode, ours.ttl >>> 24, `${what}: ext rcode`);
    assert.is(theirs.ednsVersion, (ours.ttl >>> 16) & 0xff, `${what}: version`);
    assert.is(theirs.flags, ours.ttl & 0xffff, `${what}: EDNS flags`);
    assert.is(dpOptionBytes(theirs.options as { code: number; data: Buffer }[]), hexOf(rdataBytes(ours, o)), `${what}: options`);
    return;
  }
  assert.is(theirs.class, dpClasses.toString(ours.class), `${what}: class`);
  assert.is(theirs.flush, ours.flush, `${what}: cache-flush`);
  assert.is(theirs.ttl, ours.ttl, `${what}: ttl`);
  const d = theirs.data as Record<string, unknown>;
  switch (ours.type) {
    case T.A: case T.AAAA:
      assert.is(d, ours.data, `${what}: address`);
      break;
    case T.PTR: case T.CNAME: case T.NS:
      assert.is(d, dpName(ours.data as string), `${what}: name data`);
      break;
    case T.SRV: {
      const s = ours.data as Srv;
      assert.equal(d, { priority: s.priority, weight: s.weight, port: s.port, target: dpName(s.target) }, `${what}: SRV`);
      break;
    }
    case T.TXT:
      assert.equal((d as unknown as Buffer[]).map(hexOfBuf), (ours.data as Uint8Array[]).map(hexOf), `${what}: TXT`);
      break;
    case T.NSEC: {
      const n = ours.data as Nsec;
      assert.is(d.nextDomain, dpName(n.next), `${what}: NSEC next`);
      assert.equal(d.rrtypes, n.types.map((t) => dpTypes.toString(t)), `${what}: NSEC types`);
      break;
    }
    case T.SOA: {
      const s = ours.data as Soa;
      assert.equal(d, { ...s, mname: dpName(s.mname), rname: dpName(s.rname) }, `${what}: SOA`);
      break;
    }
    case 13: {
      // HINFO (RFC 1035 §3.3.2) is opaque to us, structured to dns-packet: two character-strings.
      const text = (s: unknown): string => { const b = new TextEncoder().encode(s as string); return hexOf(new Uint8Array([b.length, ...b])); };
      assert.is(text(d.cpu) + text(d.os), hexOf(ours.data as Uint8Array), `${what}: HINFO`);
      break;
    }
    default:
      // dns-packet keeps KEY, SIG and unknown types as raw rdata: it must be our rdata written in full.
      assert.ok(Buffer.isBuffer(d), `${what}: dns-packet structured type ${theirs.type}; add a comparison`);
      assert.is(hexOfBuf(d), hexOf(rdataBytes(ours, o)), `${what}: raw rdata`);
  }
}

function sameMessage(ours: Message, theirs: DpPacket, o: CodecOptions | undefined, what: string): void {
  sameHeader(ours, theirs, what);
  for (const s of ['answers', 'authorities', 'additionals'] as const) {
    assert.is(theirs[s].length, ours[s].length, `${what}: ${s}`);
    ours[s].forEach((r, i) => sameRecord(r, theirs[s][i], o, `${what}: ${s}[${i}]`));
  }
}

const dpDecode = (b: Uint8Array): DpPacket => dnsPacket.decode(Buffer.from(b)) as unknown as DpPacket;

for (const v of vectors) {
  test(`dns-packet reads vector "${v.name}" as we do`, () => {
    sameMessage(decode(bytes(v.hex), v.opts), dpDecode(bytes(v.hex)), v.opts, v.name);
  });
}

/** `repeats`: the message repeats names, so our compressed encoding is shorter. */
const dpMessages: { name: string; repeats: boolean; packet: dnsPacket.Packet }[] = [
  {
    name: 'mDNS announcement',
    repeats: true,
    packet: {
      type: 'response', id: 0, flags: dnsPacket.AUTHORITATIVE_ANSWER,
      answers: [
        { type: 'PTR', name: '_http._tcp.local', ttl: 4500, data: 'Web Server._http._tcp.local' },
        { type: 'SRV', name: 'Web Server._http._tcp.local', ttl: 120, flush: true, data: { priority: 1, weight: 2, port: 8080, target: 'Box.local' } },
        { type: 'TXT', name: 'Web Server._http._tcp.local', ttl: 4500, flush: true, data: [Buffer.from('path=/'), Buffer.from([0, 1, 2])] },
        { type: 'A', name: 'Box.local', ttl: 120, flush: true, data: '198.51.100.4' },
        { type: 'AAAA', name: 'Box.local', ttl: 120, flush: true, data: 'fe80::a:b:c:d' },
      ],
      additionals: [
        { type: 'NSEC', name: 'Box.local', ttl: 120, flush: true, data: { nextDomain: 'Box.local', rrtypes: ['A', 'AAAA'] } },
      ],
    },
  },
  {
    name: 'unicast response with CNAME, NS and SOA',
    repeats: true,
    packet: {
      type: 'response', id: 0xbeef, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
      questions: [{ type: 'A', name: 'www.example.org', class: 'IN' }],
      answers: [{ type: 'CNAME', name: 'www.example.org', ttl: 60, data: 'edge.example.net' }],
      authorities: [
        { type: 'NS', name: 'example.net', ttl: 3600, data: 'ns.example.net' },
        { type: 'SOA', name: 'example.net', ttl: 3600, data: { mname: 'ns.example.net', rname: 'root.example.net', serial: 7, refresh: 8, retry: 9, expire: 10, minimum: 11 } },
      ],
    },
  },
  {
    name: 'query with EDNS options',
    repeats: false,
    packet: {
      type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ type: 'AAAA', name: 'example.org', class: 'IN' }],
      additionals: [{
        type: 'OPT', name: '.', udpPayloadSize: 1232, flags: dnsPacket.DNSSEC_OK,
        options: [
          { code: 20, data: Buffer.from('0001001c', 'hex') },
          { code: 1, data: Buffer.from('000100020000ffffffffffffffff00000e10', 'hex') },
          { code: 2, data: Buffer.from('00000e10', 'hex') },
          { code: 65002, data: Buffer.from('0000000a01020304ffff', 'hex') },
          { code: 10, data: Buffer.from('0011223344556677', 'hex') },
        ],
      } as unknown as dnsPacket.Answer],
    },
  },
];

for (const m of dpMessages) {
  test(`we read dns-packet's encoding of "${m.name}", and it reads ours back`, () => {
    const theirs = new Uint8Array(dnsPacket.encode(m.packet));
    const ours = decode(theirs);
    sameMessage(ours, dpDecode(theirs), undefined, m.name);
    // Ours compresses (RFC 1035 §4.1.4), dns-packet's encoder does not: same message, fewer bytes.
    const again = encode(ours);
    if (m.repeats) assert.ok(again.length < theirs.length, `${again.length} < ${theirs.length}`);
    else assert.is(hexOf(again), hexOf(theirs));
    sameMessage(ours, dpDecode(again), undefined, `${m.name} (our encoding)`);
  });
}

test('the options dns-packet wrote are read as TSR, MQTYPE, LLQ, Update Lease and raw', () => {
  const theirs = new Uint8Array(dnsPacket.encode(dpMessages[2].packet));
  const options = decode(theirs).additionals[0].data as EdnsOption[];
  assert.equal(options, [
    { kind: 'mqtype', code: 20, types: [T.A, T.AAAA] },
    { kind: 'llq', code: 1, version: 1, opcode: 2, error: 0, id: 0xffffffffffffffffn, lease: 3600 },
    { kind: 'lease', code: 2, lease: 3600 },
    { kind: 'tsr', code: 65002, seconds: 10, checksum: 0x01020304, index: 0xffff },
    { kind: 'raw', code: 10, data: bytes('0011223344556677') },
  ]);
});

test.run();
