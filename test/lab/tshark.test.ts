// Cross-check of the hand-built vectors with Wireshark's DNS/mDNS dissector.
// Every vector becomes one UDP packet in a pcap file (text2pcap writes the
// file; nothing is sent on any network), tshark dissects the file, and each
// packet must show no malformation or error-level expert item, and the same
// header, names, types, classes, cache-flush bits, TTLs and data as our decode.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, rdataBytes } from '../../src/wire/index.js';
import { T } from '../../src/wire/types.js';
import type { CodecOptions, Key, Message, Nsec, Rec, Sig, Soa, Srv } from '../../src/wire/types.js';
import { bytes, hexOf, vectors } from '../wire/vectors.js';
import type { Vector } from '../wire/vectors.js';

/** Wireshark's PI_ERROR: expert items at or above it mean the dissector found the packet wrong. */
const PI_ERROR = 0x00800000;
const LEGACY = 'legacy unicast reply';

type Tree = { [k: string]: Field };
type Field = string | Tree | Field[];

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`${cmd} is not installed; the lab needs it: apt-get install -y tshark (text2pcap and mergecap come with it)`);
  }
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/**
 * UDP ports and addresses per vector. RFC 6762 §18.1: multicast mDNS
 * messages carry ID 0, so those go 5353 -> 224.0.0.251:5353; the legacy
 * unicast reply (§6.7) goes from 5353 to the querier's own port; the rest
 * are unicast DNS on port 53.
 */
function route(v: Vector, i: number): { src: string; dst: string; sport: number; dport: number; layer: 'mdns' | 'dns' } {
  const src = `192.0.2.${10 + i}`;
  if (v.name === LEGACY) return { src, dst: '192.0.2.1', sport: 5353, dport: 49152, layer: 'mdns' };
  if (v.message.id === 0) return { src, dst: '224.0.0.251', sport: 5353, dport: 5353, layer: 'mdns' };
  return v.message.qr
    ? { src, dst: '192.0.2.1', sport: 53, dport: 49152, layer: 'dns' }
    : { src, dst: '192.0.2.1', sport: 49152, dport: 53, layer: 'dns' };
}

/** text2pcap's input: the packet as offset-prefixed hex lines (16 bytes each). */
function hexdump(h: string): string {
  const lines: string[] = [];
  for (let off = 0; off < h.length / 2; off += 16) {
    const chunk = h.slice(off * 2, off * 2 + 32).match(/../g)!.join(' ');
    lines.push(`${off.toString(16).padStart(6, '0')} ${chunk}`);
  }
  return lines.join('\n') + '\n';
}

let dissected: Tree[] | undefined;

/** Writes every vector into one pcap and returns tshark's JSON layers, one per packet, in vector order. */
function dissect(): Tree[] {
  if (dissected) return dissected;
  const dir = mkdtempSync(join(tmpdir(), 'hush-tshark-'));
  try {
    const files = vectors.map((v, i) => {
      const r = route(v, i);
      const txt = join(dir, `${i}.txt`), pcap = join(dir, `${String(i).padStart(3, '0')}.pcap`);
      writeFileSync(txt, hexdump(v.hex));
      run('text2pcap', ['-q', '-4', `${r.src},${r.dst}`, '-u', `${r.sport},${r.dport}`, txt, pcap]);
      return pcap;
    });
    const all = join(dir, 'all.pcap');
    run('mergecap', ['-a', '-w', all, ...files]);
    const out = JSON.parse(run('tshark', ['-r', all, '-T', 'json', '--no-duplicate-keys'])) as { _source: { layers: Tree } }[];
    dissected = out.map((p) => p._source.layers);
    return dissected;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every value under a key, however deep: tshark nests fields and turns repeated keys into arrays. */
function findAll(t: Field, key: (k: string) => boolean, out: Field[] = []): Field[] {
  if (Array.isArray(t)) for (const x of t) findAll(x, key, out);
  else if (typeof t === 'object') {
    for (const [k, v] of Object.entries(t)) {
      if (key(k)) out.push(...(Array.isArray(v) ? v : [v]));
      findAll(v, key, out);
    }
  }
  return out;
}

/** The entries of a section (key = tshark's summary line), in order; repeated summaries are arrays. */
function entries(section: Field | undefined): [string, Tree][] {
  if (section === undefined) return [];
  const list: [string, Tree][] = [];
  for (const [k, v] of Object.entries(section as Tree)) for (const x of Array.isArray(v) ? v : [v]) list.push([k, x as Tree]);
  return list;
}

const str = (f: Field | undefined): string => (typeof f === 'string' ? f : JSON.stringify(f));
const list = (f: Field | undefined): string[] => (f === undefined ? [] : Array.isArray(f) ? f.map(str) : [str(f)]);
const num = (f: Field | undefined): number => Number(str(f));
/** tshark prints bytes as 'aa:bb:cc'. */
const colonHex = (f: Field | undefined): string => str(f).replace(/:/g, '');
/** tshark shows names without escapes and the root as '<Root>'. */
const shown = (name: string): string => (name === '' ? '<Root>' : name.replace(/\\([.\\])/g, '$1'));

function flagsWord(m: Message): number {
  return (m.qr ? 0x8000 : 0) | (m.opcode << 11) | (m.aa ? 0x400 : 0) | (m.tc ? 0x200 : 0) | (m.rd ? 0x100 : 0) |
    (m.ra ? 0x80 : 0) | (m.z ? 0x40 : 0) | (m.ad ? 0x20 : 0) | (m.cd ? 0x10 : 0) | m.rcode;
}

function sameData(r: Rec, t: Tree, o: CodecOptions | undefined, what: string): void {
  const d = r.data;
  switch (r.type) {
    case T.A: assert.is(str(t['dns.a']), d, what); break;
    case T.AAAA: assert.is(str(t['dns.aaaa']), d, what); break;
    case T.PTR: assert.is(str(t['dns.ptr.domain_name']), shown(d as string), what); break;
    case T.CNAME: assert.is(str(t['dns.cname']), shown(d as string), what); break;
    case T.NS: assert.is(str(t['dns.ns']), shown(d as string), what); break;
    case T.SRV: {
      const s = d as Srv;
      assert.equal(
        [num(t['dns.srv.priority']), num(t['dns.srv.weight']), num(t['dns.srv.port']), str(t['dns.srv.target'])],
        [s.priority, s.weight, s.port, shown(s.target)], what);
      break;
    }
    case T.TXT:
      assert.equal(list(t['dns.txt']), (d as Uint8Array[]).map((s) => new TextDecoder().decode(s)), what);
      break;
    case T.NSEC: {
      const n = d as Nsec;
      assert.is(str(t['dns.nsec.next_domain_name']), shown(n.next), what);
      // tshark lists the record's own type first, then the bitmap's types.
      assert.equal(list(t['dns.resp.type']).slice(1).map(Number), n.types, what);
      break;
    }
    case T.SOA: {
      const s = d as Soa;
      assert.equal(
        [str(t['dns.soa.mname']), str(t['dns.soa.rname']), num(t['dns.soa.serial_number']), num(t['dns.soa.refresh_interval']),
          num(t['dns.soa.retry_interval']), num(t['dns.soa.expire_limit']), num(t['dns.soa.minimum_ttl'])],
        [shown(s.mname), shown(s.rname), s.serial, s.refresh, s.retry, s.expire, s.minimum], what);
      break;
    }
    case T.KEY: {
      const k = d as Key;
      assert.equal(
        [num(t['dns.key.flags']), num(t['dns.key.protocol']), num(t['dns.key.algorithm']), colonHex(t['dns.key.public_key'])],
        [k.flags, k.protocol, k.algorithm, hexOf(k.key)], what);
      break;
    }
    case T.SIG: {
      const s = d as Sig;
      assert.equal(
        [num(t['dns.rrsig.type_covered']), num(t['dns.rrsig.algorithm']), num(t['dns.rrsig.labels']), num(t['dns.rrsig.original_ttl']),
          num(t['dns.rrsig.key_tag']), str(t['dns.rrsig.signers_name']), colonHex(t['dns.rrsig.signature'])],
        [s.typeCovered, s.algorithm, s.labels, s.originalTtl, s.keyTag, shown(s.signer), hexOf(s.signature)], what);
      break;
    }
    case 13: {
      // HINFO (RFC 1035 §3.3.2): opaque to us, two character-strings to tshark.
      const cs = (f: Field | undefined): number[] => { const b = new TextEncoder().encode(str(f)); return [b.length, ...b]; };
      assert.is(hexOf(new Uint8Array([...cs(t['dns.hinfo.cpu']), ...cs(t['dns.hinfo.os'])])), hexOf(d as Uint8Array), what);
      break;
    }
    case T.OPT: {
      // RFC 6891 §6.1.3: class = payload size; TTL = extended rcode(8), version(8), flags(16).
      assert.equal(
        [num(t['dns.rr.udp_payload_size']), num(t['dns.resp.ext_rcode']), num(t['dns.resp.edns0_version']), num(t['dns.resp.z'])],
        [r.class, r.ttl >>> 24, (r.ttl >>> 16) & 0xff, r.ttl & 0xffff], what);
      // Every option as tshark split it (code, length, data), even those it cannot name, is our option bytes.
      const opts = (Array.isArray(t['dns.opt']) ? t['dns.opt'] : t['dns.opt'] === undefined ? [] : [t['dns.opt']]) as Tree[];
      const seen = opts.map((x) => num(x['dns.opt.code']).toString(16).padStart(4, '0') + num(x['dns.opt.len']).toString(16).padStart(4, '0') + colonHex(x['dns.opt.data'])).join('');
      assert.is(seen, hexOf(rdataBytes(r, o)), `${what}: options`);
      break;
    }
    default:
      assert.is(colonHex(t['dns.data']), hexOf(rdataBytes(r, o)), `${what}: opaque rdata`);
  }
}

function sameRecord(r: Rec, [summary, t]: [string, Tree], o: CodecOptions | undefined, mdns: boolean, what: string): void {
  // The owner name is the summary line up to ': type' (tshark splits SRV owners into service/proto/name).
  assert.is(summary.slice(0, summary.indexOf(': type ')), shown(r.name), `${what}: name`);
  assert.is(num(list(t['dns.resp.type'])[0]), r.type, `${what}: type`);
  if (r.type !== T.OPT) {
    // RFC 6762 §10.2: on mDNS ports tshark reads the top bit of the class as cache-flush.
    if (mdns) {
      assert.is(num(t['dns.resp.class']), r.class, `${what}: class`);
      assert.is(str(t['dns.resp.cache_flush']), r.flush ? '1' : '0', `${what}: cache-flush`);
    } else {
      assert.is(num(t['dns.resp.class']), r.class | (r.flush ? 0x8000 : 0), `${what}: class`);
    }
    assert.is(num(t['dns.resp.ttl']), r.ttl, `${what}: ttl`);
  }
  sameData(r, t, o, `${what}: data`);
}

vectors.forEach((v, i) => {
  test(`tshark dissects vector "${v.name}" cleanly and as we decode it`, () => {
    const layers = dissect()[i];
    const where = route(v, i);
    const dns = layers[where.layer] as Tree | undefined;
    assert.ok(dns, `tshark did not dissect packet ${i + 1} as ${where.layer}: layers ${Object.keys(layers).join(', ')}`);
    assert.equal(findAll(layers, (k) => k.startsWith('_ws.malformed')), [], 'malformed');
    const errors = findAll(layers, (k) => k === '_ws.expert').filter((e) => num((e as Tree)['_ws.expert.severity']) >= PI_ERROR);
    assert.equal(errors, [], 'expert errors');

    const m = decode(bytes(v.hex), v.opts);
    assert.is(num(dns['dns.id']), m.id, 'id');
    assert.is(num(dns['dns.flags']), flagsWord(m), 'flags');
    // RFC 2136 §2: an UPDATE names its sections zone, prerequisite, update, additional.
    const update = m.opcode === 5;
    const counts = update ? ['zones', 'prerequisites', 'updates', 'add_rr'] : ['queries', 'answers', 'auth_rr', 'add_rr'];
    const titles = update ? ['Zone', 'Prerequisites', 'Updates', 'Additional records'] : ['Queries', 'Answers', 'Authoritative nameservers', 'Additional records'];
    const ours = [m.questions, m.answers, m.authorities, m.additionals];
    ours.forEach((section, s) => {
      assert.is(num(dns[`dns.count.${counts[s]}`]), section.length, `count of ${titles[s]}`);
      assert.is(entries(dns[titles[s]]).length, section.length, `${titles[s]} shown`);
    });
    entries(dns[titles[0]]).forEach(([, t], k) => {
      const q = m.questions[k];
      assert.equal([str(t['dns.qry.name']), num(t['dns.qry.type']), num(t['dns.qry.class'])], [q.name.replace(/\\([.\\])/g, '$1'), q.type, q.class], `question ${k}`);
      // RFC 6762 §5.4: the QU bit, shown on mDNS ports.
      if (where.layer === 'mdns') assert.is(str(t['dns.qry.qu']), q.qu ? '1' : '0', `question ${k} QU`);
    });
    for (let s = 1; s < 4; s++) {
      entries(dns[titles[s]]).forEach((e, k) => sameRecord(ours[s][k] as Rec, e, v.opts, where.layer === 'mdns', `${titles[s]}[${k}]`));
    }
  });
});

test('tshark sees one packet per vector', () => {
  assert.is(dissect().length, vectors.length);
});

test.run();
