// The codec against dns-packet, same process, same packets (issue 2): a
// known-answer query (1 question, 3 PTR answers) and a service announcement
// (PTR, SRV, TXT with 3 pairs, A, AAAA, NSEC). Decode: both libraries read
// the same bytes, hush's compressed encoding. Encode: each library writes its
// own in-memory form of the same content. Rounds alternate the libraries so
// drift (CPU frequency, hypervisor steal) hits both alike.
import dnsPacket from 'dns-packet';
import { decode, encode, message, txtEncode, T } from '../src/wire/index.js';
import type { Message } from '../src/wire/index.js';
import type { Bench } from './run.js';

const ROUNDS = 5;
const ROUND_MS = 300;
const WARMUP_MS = 300;

const SERVICE = '_http._tcp.local';
const INSTANCE = `Living Room Printer.${SERVICE}`;
const HOST = 'printer-4f2a.local';

interface Case { name: string; hush: Message; peer: dnsPacket.Packet }

function knownAnswerQuery(): Case {
  const instances = ['Kitchen', 'Office Laser', 'Living Room Printer'].map((i) => `${i}.${SERVICE}`);
  return {
    name: 'query 1Q+3 known-answer PTR',
    hush: message({
      questions: [{ name: SERVICE, type: T.PTR, class: 1, qu: false }],
      answers: instances.map((data) => ({ name: SERVICE, type: T.PTR, class: 1, flush: false, ttl: 4500, data })),
    }),
    peer: {
      type: 'query', id: 0, flags: 0,
      questions: [{ name: SERVICE, type: 'PTR', class: 'IN' }],
      answers: instances.map((data) => ({ name: SERVICE, type: 'PTR', class: 'IN', ttl: 4500, data }) as const),
    },
  };
}

function announcement(): Case {
  const txt = { txtvers: '1', rp: 'printers/lr', note: 'Living room' };
  return {
    name: 'announce PTR+SRV+TXT+A+AAAA+NSEC',
    hush: message({
      qr: true, aa: true,
      answers: [
        { name: SERVICE, type: T.PTR, class: 1, flush: false, ttl: 4500, data: INSTANCE },
        { name: INSTANCE, type: T.SRV, class: 1, flush: true, ttl: 120, data: { priority: 0, weight: 0, port: 631, target: HOST } },
        { name: INSTANCE, type: T.TXT, class: 1, flush: true, ttl: 4500, data: txtEncode(txt) },
        { name: HOST, type: T.A, class: 1, flush: true, ttl: 120, data: '192.168.1.20' },
        { name: HOST, type: T.AAAA, class: 1, flush: true, ttl: 120, data: 'fe80::1c2d:3eff:fe4f:2a' },
        { name: HOST, type: T.NSEC, class: 1, flush: true, ttl: 120, data: { next: HOST, types: [T.A, T.AAAA] } },
      ],
    }),
    peer: {
      type: 'response', id: 0, flags: dnsPacket.AUTHORITATIVE_ANSWER,
      answers: [
        { name: SERVICE, type: 'PTR', class: 'IN', ttl: 4500, data: INSTANCE },
        { name: INSTANCE, type: 'SRV', class: 'IN', flush: true, ttl: 120, data: { priority: 0, weight: 0, port: 631, target: HOST } },
        { name: INSTANCE, type: 'TXT', class: 'IN', flush: true, ttl: 4500, data: Object.entries(txt).map(([k, v]) => `${k}=${v}`) },
        { name: HOST, type: 'A', class: 'IN', flush: true, ttl: 120, data: '192.168.1.20' },
        { name: HOST, type: 'AAAA', class: 'IN', flush: true, ttl: 120, data: 'fe80::1c2d:3eff:fe4f:2a' },
        { name: HOST, type: 'NSEC', class: 'IN', flush: true, ttl: 120, data: { nextDomain: HOST, rrtypes: ['A', 'AAAA'] } },
      ],
    },
  };
}

/** Written by every measured call, so no call can be optimised away. */
export let sink = 0;

/** Calls per second of `fn` over at least `ms` milliseconds. */
function rate(fn: () => number, ms: number): number {
  let n = 0;
  let batch = 16;
  const t0 = performance.now();
  let t = 0;
  do {
    for (let i = 0; i < batch; i++) sink ^= fn();
    n += batch;
    batch = Math.min(batch * 2, 4096);
    t = performance.now() - t0;
  } while (t < ms);
  return (n * 1000) / t;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const geomean = (xs: number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);

/** Fails the bench if the two libraries would not be doing the same work. */
function check(c: Case, wire: Uint8Array): void {
  const theirs = dnsPacket.decode(Buffer.from(wire.buffer, wire.byteOffset, wire.length));
  const ours = decode(new Uint8Array(dnsPacket.encode(c.peer)));
  const names = (rs: { name: string }[] | undefined) => (rs ?? []).map((r) => r.name).join();
  if (names(theirs.answers) !== names(c.hush.answers) || names(ours.answers) !== names(c.hush.answers)) {
    throw new Error(`${c.name}: the libraries disagree on the packet`);
  }
}

export function codec(): Bench {
  const rows: string[][] = [['packet', 'op', 'hush ops/s', 'dns-packet ops/s', 'ratio']];
  const packets: Record<string, unknown>[] = [];
  const decodeRatios: number[] = [];
  const encodeRatios: number[] = [];
  for (const c of [knownAnswerQuery(), announcement()]) {
    const wire = encode(c.hush);
    const peerWire = dnsPacket.encode(c.peer);
    check(c, wire);
    const buf = Buffer.from(wire.buffer, wire.byteOffset, wire.length);
    const ops = {
      decode: { hush: () => decode(wire).answers.length, peer: () => dnsPacket.decode(buf).answers!.length },
      encode: { hush: () => encode(c.hush).length, peer: () => dnsPacket.encode(c.peer).length },
    };
    const result: Record<string, unknown> = { packet: c.name, hush_bytes: wire.length, dns_packet_bytes: peerWire.length };
    for (const op of ['decode', 'encode'] as const) {
      const { hush, peer } = ops[op];
      rate(hush, WARMUP_MS);
      rate(peer, WARMUP_MS);
      const h: number[] = [];
      const p: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        if (round % 2 === 0) { h.push(rate(hush, ROUND_MS)); p.push(rate(peer, ROUND_MS)); } else { p.push(rate(peer, ROUND_MS)); h.push(rate(hush, ROUND_MS)); }
      }
      const ratio = median(h) / median(p);
      (op === 'decode' ? decodeRatios : encodeRatios).push(ratio);
      result[op] = { hush_ops: Math.round(median(h)), dns_packet_ops: Math.round(median(p)), ratio, hush_rounds: h.map(Math.round), dns_packet_rounds: p.map(Math.round) };
      rows.push([c.name, op, Math.round(median(h)).toLocaleString('en'), Math.round(median(p)).toLocaleString('en'), ratio.toFixed(2)]);
    }
    rows.push([c.name, 'bytes', String(wire.length), String(peerWire.length), (wire.length / peerWire.length).toFixed(2)]);
    packets.push(result);
  }
  const decode_ratio = geomean(decodeRatios);
  const encode_ratio = geomean(encodeRatios);
  rows.push(['geometric mean', 'decode', '', '', decode_ratio.toFixed(2)], ['geometric mean', 'encode', '', '', encode_ratio.toFixed(2)]);
  return {
    rows,
    json: { decode_ratio, encode_ratio, target: 3, rounds: ROUNDS, round_ms: ROUND_MS, node: process.version, packets },
    ok: true,
  };
}
