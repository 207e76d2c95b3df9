// Byte-exact DNS messages assembled by hand from the RFC and draft texts,
// each with the Message the codec must decode it to and encode back from.
//
// Offsets in the comments are from the start of the DNS message ('@28' is
// byte 28); a compression pointer 'c0XX' points at offset 0xXX (RFC 1035
// §4.1.4). The encoder compresses every name (owner names and the names in
// PTR, CNAME, SOA, SRV and NSEC rdata) to the first place that name suffix was
// written, matching case-insensitively, so these packets use exactly that.
import { message } from '../../src/wire/index.js';
import { T, TSR_APPLE } from '../../src/wire/types.js';
import type { EdnsOption, EncodeOptions, Message, Question, RData, Rec } from '../../src/wire/types.js';

export interface Vector { name: string; hex: string; note: string; message: Message; opts?: EncodeOptions }

/** Joins hex written field by field; '#' starts a comment that runs to the end of the line. */
function hex(parts: TemplateStringsArray, ...values: string[]): string {
  const text = parts.reduce((acc, part, i) => acc + part + (values[i] ?? ''), '');
  const out = text.replace(/#[^\n]*/g, '').replace(/\s+/g, '').toLowerCase();
  if (!/^(?:[0-9a-f]{2})*$/.test(out)) throw new Error(`vector hex is not whole bytes: ${out}`);
  return out;
}

/** One label on the wire (RFC 1035 §3.1): its length byte, then its UTF-8 bytes. */
function label(text: string): string {
  const b = new TextEncoder().encode(text);
  if (b.length > 63) throw new Error(`label over 63 bytes: ${text}`);
  return hexOf(new Uint8Array([b.length, ...b]));
}

export function hexOf(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export function bytes(h: string): Uint8Array {
  return new Uint8Array((h.match(/../g) ?? []).map((x) => parseInt(x, 16)));
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const txt = (...strings: string[]): Uint8Array[] => strings.map(utf8);

function q(name: string, type: number, qu = false): Question {
  return { name, type, class: 1, qu };
}

function rr(name: string, type: number, ttl: number, data: RData, flush = false): Rec {
  return { name, type, class: 1, flush, ttl, data };
}

/** RFC 6891 §6.1.2: OPT owner is the root, class is the UDP payload size, TTL holds ext-rcode/version/flags. */
function opt(payload: number, ttl: number, options: EdnsOption[]): Rec {
  return { name: '', type: T.OPT, class: payload, flush: false, ttl, data: options };
}

const INSTANCE = 'Printer._ipp._tcp.local';
const HOST = 'hush.local';
const SRV_IPP = { priority: 0, weight: 0, port: 631, target: HOST };

export const vectors: Vector[] = [
  {
    name: 'probe',
    note: 'RFC 6762 §8.1 probe: one query for the host name and a service instance, QU questions of type ANY, the proposed SRV, TXT and A in the Authority section (no cache-flush bit in queries, §10.2); ID 0 (§18.1)',
    hex: hex`
      0000 # ID 0, RFC 6762 §18.1
      0000 # QR=0, opcode 0, no flags, rcode 0
      0002 0000 0003 0000 # QD 2, AN 0, NS 3, AR 0
      # question 1 @12: hush.local ANY, QU
      ${label('hush')}    # @12
      ${label('local')}   # @17
      00                  # root @23
      00ff                # QTYPE ANY (RFC 6762 §8.1)
      8001                # QU bit (§5.4) | class IN
      # question 2 @28: Printer._ipp._tcp.local ANY, QU
      ${label('Printer')} # @28
      ${label('_ipp')}    # @36
      ${label('_tcp')}    # @41
      c011                # -> local @17
      00ff 8001
      # authority 1 @52: SRV
      c01c                # -> Printer._ipp._tcp.local @28
      0021 0001           # SRV, IN, no cache-flush
      00000078            # TTL 120 (§10: host-name related)
      0008                # RDLENGTH
      0000 0000 0277      # priority 0, weight 0, port 631
      c00c                # target -> hush.local @12
      # authority 2 @72: TXT
      c01c 0010 0001
      00001194            # TTL 4500
      000a                # RDLENGTH 10
      ${label('txtvers=1')}
      # authority 3 @94: A
      c00c 0001 0001 00000078 0004
      c0000207            # 192.0.2.7
    `,
    message: message({
      questions: [q(HOST, T.ANY, true), q(INSTANCE, T.ANY, true)],
      authorities: [
        rr(INSTANCE, T.SRV, 120, SRV_IPP),
        rr(INSTANCE, T.TXT, 4500, txt('txtvers=1')),
        rr(HOST, T.A, 120, '192.0.2.7'),
      ],
    }),
  },
  {
    name: 'announcement',
    note: 'RFC 6762 §8.3 announcement, QR+AA (§18.2, §18.4): shared PTR without cache-flush, unique SRV/TXT/A/AAAA with cache-flush (§10.2), restricted-form NSECs (§6.1) in Additional; SRV target and NSEC next names compressed (§18.14)',
    hex: hex`
      0000 8400           # ID 0, QR=1 AA=1
      0000 0005 0000 0002 # QD 0, AN 5, NS 0, AR 2
      # answer 1 @12: _ipp._tcp.local PTR Printer._ipp._tcp.local
      ${label('_ipp')}    # @12
      ${label('_tcp')}    # @17
      ${label('local')}   # @22
      00                  # @28
      000c 0001           # PTR, IN, shared: no cache-flush
      00001194            # TTL 4500
      000a                # RDLENGTH 10
      ${label('Printer')} # @39
      c00c                # -> _ipp._tcp.local @12
      # answer 2 @49: SRV
      c027                # -> Printer._ipp._tcp.local @39
      0021 8001           # SRV, cache-flush | IN
      00000078 000d       # TTL 120, RDLENGTH 13
      0000 0000 0277      # priority, weight, port 631
      ${label('hush')}    # target @67
      c016                # -> local @22
      # answer 3 @74: TXT
      c027 0010 8001 00001194
      0013                # RDLENGTH 19
      ${label('txtvers=1')}
      ${label('qtotal=1')}
      # answer 4 @105: A
      c043                # -> hush.local @67
      0001 8001 00000078 0004
      c0000207            # 192.0.2.7
      # answer 5 @121: AAAA
      c043 001c 8001 00000078 0010
      20010db8 00000000 00000000 00000007 # 2001:db8::7
      # additional 1 @149: NSEC for the instance
      c027 002f 8001 00001194
      0009                # RDLENGTH 9
      c027                # next name = owner (RFC 6762 §6.1), compressed
      00 05 0000800040    # window 0, 5 bytes: TXT (16), SRV (33)
      # additional 2 @170: NSEC for the host
      c043 002f 8001 00000078
      0008
      c043
      00 04 40000008      # window 0, 4 bytes: A (1), AAAA (28)
    `,
    message: message({
      qr: true, aa: true,
      answers: [
        rr('_ipp._tcp.local', T.PTR, 4500, INSTANCE),
        rr(INSTANCE, T.SRV, 120, SRV_IPP, true),
        rr(INSTANCE, T.TXT, 4500, txt('txtvers=1', 'qtotal=1'), true),
        rr(HOST, T.A, 120, '192.0.2.7', true),
        rr(HOST, T.AAAA, 120, '2001:db8::7', true),
      ],
      additionals: [
        rr(INSTANCE, T.NSEC, 4500, { next: INSTANCE, types: [T.TXT, T.SRV] }, true),
        rr(HOST, T.NSEC, 120, { next: HOST, types: [T.A, T.AAAA] }, true),
      ],
    }),
  },
  {
    name: 'known-answer query',
    note: 'RFC 6762 §7.1 browse query with a Known-Answer list (no cache-flush bit, §10.2) and TC set because more known answers follow (§7.2); QM question',
    hex: hex`
      0000 0200           # ID 0, TC=1
      0001 0002 0000 0000 # QD 1, AN 2
      # question @12
      ${label('_ipp')} ${label('_tcp')} ${label('local')} 00
      000c 0001           # PTR, IN, QM
      # known answer 1 @33
      c00c 000c 0001 00001194 000a
      ${label('Printer')} c00c
      # known answer 2 @55
      c00c 000c 0001 00000e10 000a # TTL 3600 (remaining)
      ${label('Scanner')} c00c
    `,
    message: message({
      tc: true,
      questions: [q('_ipp._tcp.local', T.PTR)],
      answers: [
        rr('_ipp._tcp.local', T.PTR, 4500, INSTANCE),
        rr('_ipp._tcp.local', T.PTR, 3600, 'Scanner._ipp._tcp.local'),
      ],
    }),
  },
  {
    name: 'legacy unicast reply',
    note: 'RFC 6762 §6.7 reply to a query from a port other than 5353: ID and question echoed, TTL at most 10, no cache-flush bit (§10.2), SRV target uncompressed for old resolvers (§18.14); later names may point into it',
    opts: { compressSrv: false },
    hex: hex`
      1234 8400           # ID echoed, QR=1 AA=1
      0001 0001 0000 0001 # QD 1, AN 1, NS 0, AR 1
      # question @12, echoed
      ${label('Printer')} # @12
      ${label('_ipp')}    # @20
      ${label('_tcp')}    # @25
      ${label('local')}   # @30
      00
      0021 0001           # SRV, IN
      # answer @41: SRV
      c00c 0021 0001
      0000000a            # TTL 10
      0012                # RDLENGTH 18
      0000 0000 0277
      ${label('hush')}    # target written in full @59
      ${label('local')}   # @64
      00
      # additional @71: A
      c03b                # -> hush.local @59
      0001 0001 0000000a 0004 c0000207
    `,
    message: message({
      id: 0x1234, qr: true, aa: true,
      questions: [q(INSTANCE, T.SRV)],
      answers: [rr(INSTANCE, T.SRV, 10, SRV_IPP)],
      additionals: [rr(HOST, T.A, 10, '192.0.2.7')],
    }),
  },
  {
    name: 'utf-8 instance with dot and spaces',
    note: "RFC 6763 §4.3 instance names are UTF-8 and may hold dots and spaces; RFC 6762 §16 names are UTF-8 on the wire; the dot inside the label is '\\.' in presentation form",
    hex: hex`
      0000 8400 0000 0002 0000 0000
      # answer 1 @12: PTR
      ${label('_http')}   # @12
      ${label('_tcp')}    # @18
      ${label('local')}   # @23
      00
      000c 0001 00001194
      0012                # RDLENGTH 18
      ${label('Café Printer.2')} # @40: 0f 436166c3a9205072696e7465722e32, one label
      c00c
      # answer 2 @58: SRV
      c028                # -> instance @40
      0021 8001 00000078 000d
      0000 0000 0050      # port 80
      ${label('hush')}    # @76
      c017                # -> local @23
    `,
    message: message({
      qr: true, aa: true,
      answers: [
        rr('_http._tcp.local', T.PTR, 4500, 'Café Printer\\.2._http._tcp.local'),
        rr('Café Printer\\.2._http._tcp.local', T.SRV, 120, { priority: 0, weight: 0, port: 80, target: HOST }, true),
      ],
    }),
  },
  {
    name: 'empty txt',
    note: 'RFC 6763 §6.1: a TXT record with no keys is a single zero byte (one empty string), never empty rdata',
    hex: hex`
      0000 8400 0000 0001 0000 0000
      ${label('Printer')} ${label('_ipp')} ${label('_tcp')} ${label('local')} 00
      0010 8001 00001194
      0001                # RDLENGTH 1
      00                  # one empty character-string
    `,
    message: message({ qr: true, aa: true, answers: [rr(INSTANCE, T.TXT, 4500, [new Uint8Array(0)], true)] }),
  },
  {
    name: 'tsr apple layout',
    note: "draft-tllq-tsr-05 §2 TSR, as Apple's mDNSResponder sends it (DESIGN.md §5): code 65002, time(4) key checksum(4) RR index(2); one option per owner name, the index counts non-question records from 0",
    hex: hex`
      0000 8400 0000 0002 0000 0001
      # answer 1 @12 (RR index 0): SRV
      ${label('Srp')}     # @12
      ${label('_ipp')}    # @16
      ${label('_tcp')}    # @21
      ${label('local')}   # @26
      00
      0021 8001 00000078
      0011                # RDLENGTH 17
      0000 0000 0277
      ${label('srp-host')} # target @49
      c01a                # -> local @26
      # answer 2 @60 (RR index 1): A
      c031 0001 8001 00000078 0004 c0000209
      # additional @76: OPT (RFC 6891 §6.1.2)
      00                  # root
      0029                # OPT
      05a0                # UDP payload size 1440
      00000000            # ext-rcode 0, version 0, flags 0
      001c                # RDLENGTH 28
      fdea 000a           # TSR (65002), length 10
      0000003c            # 60 s since received
      06080a0c            # key checksum
      0000                # RR index 0: Srp._ipp._tcp.local
      fdea 000a 0000003c 06080a0c
      0001                # RR index 1: srp-host.local
    `,
    message: message({
      qr: true, aa: true,
      answers: [
        rr('Srp._ipp._tcp.local', T.SRV, 120, { priority: 0, weight: 0, port: 631, target: 'srp-host.local' }, true),
        rr('srp-host.local', T.A, 120, '192.0.2.9', true),
      ],
      additionals: [opt(1440, 0, [
        { kind: 'tsr', code: TSR_APPLE, index: 0, checksum: 0x06080a0c, seconds: 60 },
        { kind: 'tsr', code: TSR_APPLE, index: 1, checksum: 0x06080a0c, seconds: 60 },
      ])],
    }),
  },
  {
    name: 'tsr draft layout',
    note: 'draft-tllq-tsr-05 §2 field order: RR index(2), key checksum(4), time since received(4); the draft has no code yet, so this one is read and written with tsrCode 65001',
    opts: { tsrLayout: 'draft', tsrCode: 65001 },
    hex: hex`
      0000 8400 0000 0002 0000 0001
      ${label('Srp')} ${label('_ipp')} ${label('_tcp')} ${label('local')} 00
      0021 8001 00000078 0011 0000 0000 0277 ${label('srp-host')} c01a
      c031 0001 8001 00000078 0004 c0000209
      00 0029 05a0 00000000 001c
      fde9 000a           # code 65001, length 10
      0000                # RR index 0
      06080a0c            # key checksum
      0000003c            # 60 s since received
      fde9 000a 0001 06080a0c 0000003c
    `,
    message: message({
      qr: true, aa: true,
      answers: [
        rr('Srp._ipp._tcp.local', T.SRV, 120, { priority: 0, weight: 0, port: 631, target: 'srp-host.local' }, true),
        rr('srp-host.local', T.A, 120, '192.0.2.9', true),
      ],
      additionals: [opt(1440, 0, [
        { kind: 'tsr', code: 65001, index: 0, checksum: 0x06080a0c, seconds: 60 },
        { kind: 'tsr', code: 65001, index: 1, checksum: 0x06080a0c, seconds: 60 },
      ])],
    }),
  },
  {
    name: 'mqtype query',
    note: 'draft-ietf-dnssd-multi-qtypes §3.1: unicast query for HTTPS with an MQTYPE-Query option (20) asking also for A and AAAA; DO bit set in the OPT TTL (RFC 6891 §6.1.4)',
    hex: hex`
      4d51 0100           # ID, RD=1
      0001 0000 0000 0001
      ${label('www')}     # @12
      ${label('example')} # @16
      ${label('com')}     # @24
      00
      0041 0001           # HTTPS (65), IN
      # additional @33: OPT
      00 0029 04d0        # root, OPT, payload 1232
      00008000            # DO
      0008
      0014 0004           # MQTYPE-Query, length 4
      0001 001c           # A, AAAA
    `,
    message: message({
      id: 0x4d51, rd: true,
      questions: [q('www.example.com', 65)],
      additionals: [opt(1232, 0x8000, [{ kind: 'mqtype', code: 20, types: [T.A, T.AAAA] }])],
    }),
  },
  {
    name: 'mqtype response',
    note: 'draft-ietf-dnssd-multi-qtypes §3.4: the response lists in MQTYPE-Response (21) the extra types it answered completely',
    hex: hex`
      4d51 8180           # QR RD RA
      0001 0002 0000 0001
      ${label('www')} ${label('example')} ${label('com')} 00
      0041 0001
      # answer @33
      c00c 0001 0001 0000012c 0004 c0000250 # A 192.0.2.80, TTL 300
      # answer @49
      c00c 001c 0001 0000012c 0010
      20010db8 00000000 00000000 00000080   # 2001:db8::80
      # additional @77
      00 0029 04d0 00008000 0008
      0015 0004           # MQTYPE-Response, length 4
      0001 001c
    `,
    message: message({
      id: 0x4d51, qr: true, rd: true, ra: true,
      questions: [q('www.example.com', 65)],
      answers: [rr('www.example.com', T.A, 300, '192.0.2.80'), rr('www.example.com', T.AAAA, 300, '2001:db8::80')],
      additionals: [opt(1232, 0x8000, [{ kind: 'mqtype', code: 21, types: [T.A, T.AAAA] }])],
    }),
  },
  {
    name: 'llq setup challenge',
    note: "RFC 8764 §5.2.2 server's setup challenge: LLQ option (1), length 18: version 1, opcode 1 (setup), error 0, a 64-bit ID with the top bit set, lease 7200 s",
    hex: hex`
      2a2a 8000 0001 0000 0000 0001
      ${label('_ipp')} ${label('_tcp')} ${label('example')} ${label('com')} 00
      000c 0001
      # additional @39: OPT
      00 0029 05a0 00000000
      0016                # RDLENGTH 22
      0001 0012           # LLQ, length 18
      0001                # LLQ-VERSION 1
      0001                # LLQ-OPCODE setup
      0000                # LLQ-ERROR NO-ERROR
      8a3f1c2d4e5f6071    # LLQ-ID
      00001c20            # LLQ-LEASE 7200
    `,
    message: message({
      id: 0x2a2a, qr: true,
      questions: [q('_ipp._tcp.example.com', T.PTR)],
      additionals: [opt(1440, 0, [{ kind: 'llq', code: 1, version: 1, opcode: 1, error: 0, id: 0x8a3f1c2d4e5f6071n, lease: 7200 }])],
    }),
  },
  {
    name: 'srp update with key, sig(0) and lease',
    note: 'RFC 2136 UPDATE (opcode 5) as SRP sends it: KEY (RFC 2535 §3.1) in the Update section, Update Lease option (2) with lease and key lease, SIG(0) last (RFC 2931) with class ANY; the SIG signer name is not compressed (RFC 3597 §4: SIG is not a well-known type)',
    hex: hex`
      5a5a 2800           # ID, opcode 5 UPDATE
      0001 0000 0002 0002 # ZO 1, PR 0, UP 2, AD 2
      # zone @12
      ${label('default')} # @12
      ${label('service')} # @20
      ${label('arpa')}    # @28
      00
      0006 0001           # SOA, IN
      # update 1 @38: KEY
      ${label('srp-host')} # @38
      c00c                # -> default.service.arpa @12
      0019 0001 00000e10  # KEY, IN, TTL 3600
      000c                # RDLENGTH 12
      0200                # flags: host key
      03                  # protocol 3
      0d                  # algorithm 13
      0102030405060708    # public key (shortened)
      # update 2 @71: A
      c026 0001 0001 00000e10 0004 c0000209
      # additional 1 @87: OPT
      00 0029 05a0 00000000 000c
      0002 0008           # Update Lease, length 8
      00001c20            # LEASE 7200
      00127500            # KEY-LEASE 1209600
      # additional 2 @110: SIG(0)
      00 0018 00ff 00000000 # root, SIG, class ANY, TTL 0
      0039                # RDLENGTH 57
      0000                # type covered 0
      0d 00               # algorithm 13, labels 0
      00000000            # original TTL
      6553f22c            # expiration 1700000300
      6553f100            # inception 1700000000
      1521                # key tag of the KEY above (RFC 4034 Appendix B): 5409
      ${label('srp-host')} ${label('default')} ${label('service')} ${label('arpa')} 00 # signer, in full
      0a0b0c0d0e0f1011    # signature (shortened)
    `,
    message: message({
      id: 0x5a5a, opcode: 5,
      questions: [q('default.service.arpa', T.SOA)],
      authorities: [
        rr('srp-host.default.service.arpa', T.KEY, 3600, { flags: 0x0200, protocol: 3, algorithm: 13, key: bytes('0102030405060708') }),
        rr('srp-host.default.service.arpa', T.A, 3600, '192.0.2.9'),
      ],
      additionals: [
        opt(1440, 0, [{ kind: 'lease', code: 2, lease: 7200, keyLease: 1209600 }]),
        {
          name: '', type: T.SIG, class: 255, flush: false, ttl: 0,
          data: {
            typeCovered: 0, algorithm: 13, labels: 0, originalTtl: 0, expiration: 1700000300, inception: 1700000000,
            keyTag: 0x1521, signer: 'srp-host.default.service.arpa', signature: bytes('0a0b0c0d0e0f1011'),
          },
        },
      ],
    }),
  },
  {
    name: 'srp update response with lease',
    note: 'draft-ietf-dnssd-update-lease: the granted lease alone (option length 4, no KEY-LEASE)',
    hex: hex`
      5a5a a800           # QR, opcode 5
      0000 0000 0000 0001
      00 0029 05a0 00000000 0008
      0002 0004 00000e10  # Update Lease, length 4, LEASE 3600
    `,
    message: message({
      id: 0x5a5a, qr: true, opcode: 5,
      additionals: [opt(1440, 0, [{ kind: 'lease', code: 2, lease: 3600 }])],
    }),
  },
  {
    name: 'unknown options kept raw',
    note: 'RFC 6891 §6.1.2: options the codec does not know (COOKIE 10, PADDING 12 with no data) are kept byte for byte',
    hex: hex`
      0c0c 0100 0001 0000 0000 0001
      ${label('www')} ${label('example')} ${label('com')} 00
      0001 0001
      00 0029 04d0 00000000
      0010                # RDLENGTH 16
      000a 0008 0102030405060708 # COOKIE, client cookie
      000c 0000           # PADDING, empty
    `,
    message: message({
      id: 0x0c0c, rd: true,
      questions: [q('www.example.com', T.A)],
      additionals: [opt(1232, 0, [
        { kind: 'raw', code: 10, data: bytes('0102030405060708') },
        { kind: 'raw', code: 12, data: new Uint8Array(0) },
      ])],
    }),
  },
  {
    name: 'cname and soa',
    note: 'RFC 1035 §3.3.1 CNAME and §3.3.13 SOA; names in their rdata compressed (§4.1.4)',
    hex: hex`
      1d1d 8180 0001 0001 0001 0000
      ${label('www')}     # @12
      ${label('example')} # @16
      ${label('com')}     # @24
      00
      0001 0001
      # answer @33: CNAME
      c00c 0005 0001 0000012c 0006
      ${label('web')} c010 # -> example.com @16
      # authority @51: SOA
      c010 0006 0001 0000012c
      0027                # RDLENGTH 39
      ${label('ns1')} c010          # MNAME
      ${label('hostmaster')} c010   # RNAME
      78a3f175            # SERIAL 2024010101
      00001c20            # REFRESH 7200
      00000e10            # RETRY 3600
      00127500            # EXPIRE 1209600
      0000012c            # MINIMUM 300
    `,
    message: message({
      id: 0x1d1d, qr: true, rd: true, ra: true,
      questions: [q('www.example.com', T.A)],
      answers: [rr('www.example.com', T.CNAME, 300, 'web.example.com')],
      authorities: [rr('example.com', T.SOA, 300, {
        mname: 'ns1.example.com', rname: 'hostmaster.example.com',
        serial: 2024010101, refresh: 7200, retry: 3600, expire: 1209600, minimum: 300,
      })],
    }),
  },
  {
    name: 'nsec multi-window',
    note: 'RFC 4034 §4.3 example (A MX RRSIG NSEC TYPE1234: windows 0 and 4); the next name is compressed as mDNS allows (RFC 6762 §18.14)',
    hex: hex`
      0000 8400 0000 0001 0000 0000
      ${label('alfa')}    # @12
      ${label('example')} # @17
      ${label('com')}     # @25
      00
      002f 0001 00015180  # NSEC, IN, TTL 86400
      002c                # RDLENGTH 44
      ${label('host')} c011 # next: host -> example.com @17
      00 06 400100000003  # window 0: A(1) MX(15) RRSIG(46) NSEC(47)
      04 1b               # window 4, 27 bytes: TYPE1234 = 4*256 + 210, byte 26 bit 2
      00000000000000000000000000000000 00000000000000000000 20 # 26 zero bytes, then 0x20
    `,
    message: message({
      qr: true, aa: true,
      answers: [rr('alfa.example.com', T.NSEC, 86400, { next: 'host.example.com', types: [1, 15, 46, 47, 1234] })],
    }),
  },
  {
    name: 'opaque types',
    note: 'RFC 3597 §5: types the codec does not structure (HINFO 13, private 65280) keep their rdata as bytes; bytes that look like a compression pointer are not followed or rewritten',
    hex: hex`
      0000 8400 0000 0002 0000 0000
      ${label('hush')} ${label('local')} 00 # @12
      000d 8001 00000078  # HINFO, cache-flush | IN
      000c
      ${label('ARM64')} ${label('Linux')}
      # answer @46
      c00c ff00 0001 00000078
      0006
      03666f6f c00c       # opaque
    `,
    message: message({
      qr: true, aa: true,
      answers: [
        rr(HOST, 13, 120, bytes('0541524d3634054c696e7578'), true),
        rr(HOST, 65280, 120, bytes('03666f6fc00c')),
      ],
    }),
  },
];
