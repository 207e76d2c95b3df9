// Round trips for every record type and option kind, and the codec's helpers:
// name case and compression, QU/cache-flush bits, header flags, budgeted
// packing, TXT key/value pairs, RFC 6762 §8.2 ordering, name comparison.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  compareRecords, decode, encode, escapeLabel, keyChecksum, message, nameEq, nameKey, pack, rdataBytes, txtDecode, txtEncode, unescapeLabel,
} from '../../src/wire/index.js';
import { T, TSR_APPLE } from '../../src/wire/types.js';
import type { EdnsOption, EncodeOptions, Message, Rec } from '../../src/wire/types.js';
import { bytes, hexOf } from './vectors.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function rr(name: string, type: number, data: Rec['data'], more: Partial<Rec> = {}): Rec {
  return { name, type, class: 1, flush: false, ttl: 120, data, ...more };
}

function opt(options: EdnsOption[]): Rec {
  return { name: '', type: T.OPT, class: 1232, flush: false, ttl: 0, data: options };
}

/** encode→decode gives the message back; decode→encode gives the bytes back. */
function roundTrip(m: Message, o?: EncodeOptions): Uint8Array {
  const wire = encode(m, o);
  const back = decode(wire, o);
  assert.equal(back, m);
  assert.is(hexOf(encode(back, o)), hexOf(wire));
  return wire;
}

const everyType: Rec[] = [
  rr('host.local', T.A, '169.254.1.2', { flush: true }),
  rr('host.local', T.AAAA, 'fe80::1:2', { flush: true }),
  rr('host.local', T.AAAA, '::'),
  rr('host.local', T.AAAA, '2001:db8:0:1:1:1:1:1'),
  rr('example.com', T.NS, 'ns1.example.com', { ttl: 86400 }),
  rr('alias.example.com', T.CNAME, 'host.local'),
  rr('example.com', T.SOA, { mname: 'ns1.example.com', rname: 'admin.example.com', serial: 0xffffffff, refresh: 1, retry: 2, expire: 3, minimum: 4 }),
  rr('_ssh._tcp.local', T.PTR, 'host._ssh._tcp.local', { ttl: 4500 }),
  rr('host._ssh._tcp.local', T.TXT, [utf8('a=1'), new Uint8Array([0, 255, 61]), new Uint8Array(0)], { flush: true }),
  rr('host._ssh._tcp.local', T.SRV, { priority: 65535, weight: 1, port: 22, target: 'host.local' }, { flush: true }),
  rr('host.local', T.NSEC, { next: 'host.local', types: [T.A, T.AAAA] }, { flush: true }),
  rr('host.local', T.NSEC, { next: 'z.host.local', types: [1, 255, 256, 65535] }),
  rr('host.local', T.NSEC, { next: 'host.local', types: [] }),
  rr('host.local', T.KEY, { flags: 0x0200, protocol: 3, algorithm: 13, key: bytes('00ff7f80') }),
  rr('', T.SIG, {
    typeCovered: 0, algorithm: 13, labels: 2, originalTtl: 7200, expiration: 0xfffffffe, inception: 1, keyTag: 0xabcd,
    signer: 'host.local', signature: bytes('deadbeef'),
  }, { class: 255, ttl: 0 }),
  rr('host.local', 13, bytes('0341524d054c696e7578'), { flush: true }),
  rr('host.local', 99, new Uint8Array(0)),
  rr('host.local', 65535, bytes('c00c')),
];

test('every record type round-trips (RFC 1035 §3.3, RFC 3596, RFC 2782, RFC 4034 §4, RFC 2535, RFC 3597)', () => {
  roundTrip(message({ qr: true, aa: true, answers: everyType }));
  roundTrip(message({ qr: true, aa: true, answers: everyType }), { compressSrv: false });
});

test('every record type round-trips in each section', () => {
  roundTrip(message({ authorities: everyType, additionals: everyType.slice().reverse() }));
});

const everyOption: EdnsOption[] = [
  { kind: 'tsr', code: TSR_APPLE, index: 65535, checksum: 0xffffffff, seconds: 604800 },
  { kind: 'mqtype', code: 20, types: [T.A, T.AAAA, 65535] },
  { kind: 'mqtype', code: 21, types: [] },
  { kind: 'llq', code: 1, version: 1, opcode: 3, error: 6, id: 0xffffffffffffffffn, lease: 0 },
  { kind: 'llq', code: 1, version: 1, opcode: 2, error: 0, id: 1n, lease: 0xffffffff },
  { kind: 'lease', code: 2, lease: 7200, keyLease: 0xffffffff },
  { kind: 'lease', code: 2, lease: 0 },
  { kind: 'raw', code: 3, data: utf8('nsid') },
  { kind: 'raw', code: 65535, data: new Uint8Array(0) },
];

test('every option kind round-trips, TSR in both layouts and under another code', () => {
  roundTrip(message({ additionals: [opt(everyOption)] }));
  roundTrip(message({ additionals: [opt(everyOption)] }), { tsrLayout: 'draft' });
  const other = everyOption.map((o) => (o.kind === 'tsr' ? { ...o, code: 65001 } : o));
  roundTrip(message({ additionals: [opt(other)] }), { tsrCode: 65001, tsrLayout: 'draft' });
});

test('RFC 6891 §6.1.3: OPT class and TTL carry payload size and ext-rcode/version/flags whole, never a flush bit', () => {
  const o: Rec = { name: '', type: T.OPT, class: 0xffff, flush: false, ttl: 0xff008000, data: [] };
  const wire = roundTrip(message({ additionals: [o] }));
  assert.is(hexOf(wire.subarray(12)), '00' + '0029' + 'ffff' + 'ff008000' + '0000');
});

test('DNS names keep exactly the case given: compression reuses only same-case suffixes (DESIGN.md §3, RFC 6762 §16)', () => {
  const m = message({
    answers: [
      rr('Foo.local', T.A, '192.0.2.1'),
      rr('Foo.local', T.A, '192.0.2.2'),
      rr('foo.LOCAL', T.A, '192.0.2.3'),
      rr('Bar.local', T.A, '192.0.2.4'),
    ],
  });
  const wire = encode(m);
  // Header, then 'Foo.local' in full at 12 (3Foo 5local 0 = 11 bytes), type..rdata 14 bytes.
  assert.is(hexOf(wire.subarray(12, 23)), '03466f6f056c6f63616c00');
  // The same name again is only a pointer to offset 12.
  assert.is(hexOf(wire.subarray(37, 39)), 'c00c');
  // 'foo.LOCAL' differs in case from every suffix written: it goes out in full.
  assert.is(hexOf(wire.subarray(53, 64)), '03666f6f054c4f43414c00');
  // 'Bar.local': 'Bar' as given, then a pointer to 'local' at 16.
  assert.is(hexOf(wire.subarray(78, 84)), '03426172c010');
  const names = decode(wire).answers.map((r) => r.name);
  assert.equal(names, ['Foo.local', 'Foo.local', 'foo.LOCAL', 'Bar.local']);
  assert.ok(nameEq(names[0], names[2]));
});

test('non-ASCII labels are never folded, so they do not compress into each other (RFC 6762 §16)', () => {
  const m = message({ answers: [rr('É.local', T.A, '192.0.2.1'), rr('é.local', T.A, '192.0.2.2')] });
  roundTrip(m);
  const wire = encode(m);
  // 'É.local' at 12 (02 c389 05local 00) and its A fill 12..35; 'é' is written in full, then 'local' (@15) as a pointer.
  assert.is(hexOf(wire.subarray(36, 41)), '02c3a9c00f');
});

test('RFC 6762 §5.4 QU bit and §10.2 cache-flush bit are the top bits of class', () => {
  const m = message({
    questions: [
      { name: 'a.local', type: T.A, class: 1, qu: true },
      { name: 'a.local', type: T.A, class: 1, qu: false },
      { name: 'a.local', type: T.A, class: 255, qu: true },
    ],
    answers: [rr('a.local', T.A, '192.0.2.1', { flush: true }), rr('a.local', T.A, '192.0.2.2', { class: 3 })],
  });
  const wire = roundTrip(m);
  // Question 1 at 12: 1a 5local 0 (9 bytes) type class.
  assert.is(hexOf(wire.subarray(21, 25)), '00018001');
  assert.is(hexOf(wire.subarray(27, 31)), '00010001');
  assert.is(hexOf(wire.subarray(33, 37)), '000180ff');
  assert.is(hexOf(wire.subarray(39, 43)), '00018001', 'flush | IN');
  assert.is(hexOf(wire.subarray(55, 59)), '00010003');
});

test('RFC 1035 §4.1.1 header: each flag, opcode and rcode land on their bits', () => {
  const bits: [keyof Message, number][] = [
    ['qr', 0x8000], ['aa', 0x0400], ['tc', 0x0200], ['rd', 0x0100], ['ra', 0x0080], ['z', 0x0040], ['ad', 0x0020], ['cd', 0x0010],
  ];
  for (const [flag, bit] of bits) {
    const wire = roundTrip(message({ [flag]: true } as Partial<Message>));
    assert.is(new DataView(wire.buffer, wire.byteOffset).getUint16(2), bit, flag);
  }
  const all = roundTrip(message({ id: 0xffff, qr: true, aa: true, tc: true, rd: true, ra: true, z: true, ad: true, cd: true, opcode: 15, rcode: 15 }));
  assert.is(hexOf(all.subarray(0, 4)), 'ffffffff');
  assert.is(hexOf(roundTrip(message({ opcode: 5, rcode: 3 })).subarray(2, 4)), '2803');
});

function browseAnswers(n: number): Rec[] {
  const list: Rec[] = [];
  for (let i = 0; i < n; i++) list.push(rr('_http._tcp.local', T.PTR, `Service number ${i}._http._tcp.local`, { ttl: 4500 }));
  return list;
}

test('pack fills up to the budget and hands back the rest in order (RFC 6762 §7.2)', () => {
  const m = message({ questions: [{ name: '_http._tcp.local', type: T.PTR, class: 1, qu: false }], answers: browseAnswers(20) });
  const budget = 300;
  const first = pack(m, { budget });
  assert.ok(first.full);
  assert.ok(first.data.length <= budget);
  const got = decode(first.data);
  const k = got.answers.length;
  assert.ok(k > 1 && k < 20, `packed ${k}`);
  assert.equal(got.questions, m.questions);
  assert.equal(got.answers, m.answers.slice(0, k));
  assert.equal(first.rest, { questions: [], answers: m.answers.slice(k), authorities: [], additionals: [] });
  // Greedy: one more record would not have fit.
  assert.ok(encode(message({ ...m, answers: m.answers.slice(0, k + 1) })).length > budget);
  // The rest goes out in further packets until nothing is left.
  let rest = first.rest;
  let sent = k;
  while (rest.answers.length) {
    const next = pack(message({ answers: rest.answers }), { budget });
    assert.ok(next.data.length <= budget);
    assert.equal(decode(next.data).answers, m.answers.slice(sent, sent + decode(next.data).answers.length));
    sent += decode(next.data).answers.length;
    rest = next.rest;
  }
  assert.is(sent, 20);
});

test('pack: once something does not fit, everything after it waits, whatever the section', () => {
  const m = message({
    answers: browseAnswers(3),
    authorities: [rr('x.local', T.A, '192.0.2.1')],
    additionals: [rr('y.local', T.A, '192.0.2.2')],
  });
  const whole = encode(m).length;
  const p = pack(m, { budget: whole - 1 });
  assert.ok(p.full);
  assert.equal(p.rest, { questions: [], answers: [], authorities: [], additionals: m.additionals });
  assert.equal(decode(p.data), message({ answers: m.answers, authorities: m.authorities }));
  const all = pack(m, { budget: whole });
  assert.not.ok(all.full);
  assert.equal(all.rest, { questions: [], answers: [], authorities: [], additionals: [] });
  assert.is(hexOf(all.data), hexOf(encode(m)));
});

test('pack default budget fits a 1500-byte MTU; encode refuses more than its budget', () => {
  const m = message({ answers: browseAnswers(100) });
  const p = pack(m);
  assert.ok(p.data.length <= 1500 - 48 && p.full);
  assert.throws(() => encode(m, { budget: 512 }), (e: Error) => e.name === 'EncodeError');
});

test('compressSrv:false writes the SRV target in full but still compresses other names (RFC 6762 §18.14)', () => {
  const m = message({ answers: [rr('x._ipp._tcp.local', T.SRV, { priority: 0, weight: 0, port: 631, target: 'host.local' }), rr('_ipp._tcp.local', T.PTR, 'x._ipp._tcp.local')] });
  const plain = encode(m, { compressSrv: false });
  const packed = encode(m);
  // Owner at 12 is 1x 4_ipp 4_tcp 5local 0 = 19 bytes; rdata starts at 12+19+10 = 41, target at 47.
  assert.is(hexOf(plain.subarray(47, 59)), '04686f7374056c6f63616c00');
  assert.is(hexOf(packed.subarray(47, 54)), '04686f7374c018', 'host, then local @24');
  assert.is(plain.length - packed.length, 5);
  assert.equal(decode(plain), m);
  // The PTR's rdata still points at the owner written first.
  assert.is(hexOf(plain.subarray(plain.length - 2)), 'c00c');
});

test('RFC 6763 §6: TXT helpers for binary values, keys without "=", empty values, and the empty record', () => {
  const strings = txtEncode({ bin: new Uint8Array([0, 0x3d, 0xff]), flag: true, empty: new Uint8Array(0), path: '/queue' });
  assert.equal(strings.map(hexOf), [
    hexOf(new Uint8Array([...utf8('bin='), 0, 0x3d, 0xff])), hexOf(utf8('flag')), hexOf(utf8('empty=')), hexOf(utf8('path=/queue')),
  ]);
  const back = txtDecode(strings);
  assert.equal(back.get('bin'), new Uint8Array([0, 0x3d, 0xff]));
  assert.is(back.get('flag'), true);
  assert.equal(back.get('empty'), new Uint8Array(0));
  assert.equal(back.get('path'), utf8('/queue'));
  // §6.1: no keys at all is one empty string, a single zero byte on the wire.
  assert.equal(txtEncode({}), [new Uint8Array(0)]);
  assert.is(txtDecode([new Uint8Array(0)]).size, 0);
  const rec = rr('x._ipp._tcp.local', T.TXT, txtEncode({}));
  assert.is(hexOf(rdataBytes(rec)), '00');
});

test('RFC 6763 §6.4: first occurrence of a key wins, keys are case-insensitive, a string starting with "=" is ignored', () => {
  const m = txtDecode([utf8('=junk'), utf8('Color=red'), utf8('color=blue'), utf8('COLOR'), utf8('n=1')]);
  assert.equal([...m.keys()], ['color', 'n']);
  assert.equal(m.get('color'), utf8('red'));
});

test('RFC 6763 §6.4: keys must be printable ASCII without "="', () => {
  for (const key of ['', 'a=b', 'tab\t', 'café']) assert.throws(() => txtEncode({ [key]: 'x' }), (e: Error) => e.name === 'EncodeError', key);
});

test('RFC 6762 §8.2: class first, then type, then rdata bytes as unsigned values', () => {
  const a1 = rr('MyPrinter.local', T.A, '169.254.99.200', { flush: true });
  const a2 = rr('MyPrinter.local', T.A, '169.254.200.50');
  // The RFC's example: 169.254.200.50 is lexicographically later (200 > 99 unsigned).
  assert.ok(compareRecords(a2, a1) > 0);
  assert.ok(compareRecords(a1, a2) < 0);
  // The cache-flush bit is excluded, TTL is not part of it.
  assert.is(compareRecords(a1, { ...a1, flush: false, ttl: 1 }), 0);
  // Class before type: a higher class wins whatever the type and data.
  assert.ok(compareRecords(rr('x', T.A, '0.0.0.0', { class: 3 }), rr('x', T.AAAA, 'ffff::')) > 0);
  // Type before data.
  assert.ok(compareRecords(rr('x', T.AAAA, '::'), rr('x', T.A, '255.255.255.255')) > 0);
  // Running out of rdata first loses.
  assert.ok(compareRecords(rr('x', T.TXT, [utf8('abc'), utf8('d')]), rr('x', T.TXT, [utf8('abc')])) > 0);
});

test('RFC 6762 §8.2: names in rdata compare uncompressed', () => {
  const srv = (target: string): Rec => rr('s._ipp._tcp.local', T.SRV, { priority: 0, weight: 0, port: 631, target });
  assert.is(hexOf(rdataBytes(srv('b.local'))), '000000000277' + '0162056c6f63616c00');
  // In a packet the target would be a pointer (0xc0..), which would sort after any label; uncompressed, 'a' < 'b'.
  assert.ok(compareRecords(srv('a.local'), srv('b.local')) < 0);
  assert.ok(compareRecords(srv('b.local'), srv('a.local.local')) > 0);
  const sorted = [srv('c.local'), rr('x', T.A, '10.0.0.1'), srv('a.local'), rr('x', T.A, '9.0.0.1')].sort(compareRecords);
  assert.equal(sorted.map((r) => r.data), ['9.0.0.1', '10.0.0.1', srv('a.local').data, srv('c.local').data]);
});

test('nameEq/nameKey fold ASCII letters only (RFC 6762 §16), ignore one trailing dot, and keep escapes distinct', () => {
  assert.ok(nameEq('MyPrinter._IPP._tcp.Local', 'myprinter._ipp._TCP.local'));
  assert.is(nameKey('MyPrinter.Local'), 'myprinter.local');
  assert.is(nameKey('ÄÉ Büro.LOCAL'), 'ÄÉ büro.local');
  assert.not.ok(nameEq('Ä.local', 'ä.local'));
  assert.not.ok(nameEq('café.local', 'CAFÉ.local'));
  assert.ok(nameEq('café.local', 'CAFé.local'));
  assert.ok(nameEq('host.local.', 'host.local'));
  assert.not.ok(nameEq('a\\.b.local', 'a.b.local'));
  assert.not.ok(nameEq('host.local', 'host.locals'));
});

test('presentation escapes survive a round trip: dots, backslashes and non-UTF-8 bytes in labels', () => {
  const names = ['a\\.b.local', 'back\\\\slash.local', 'bin\\255\\000.local', 'Café Printer\\.2._http._tcp.local'];
  roundTrip(message({ answers: names.map((n) => rr(n, T.PTR, n)) }));
  const wire = encode(message({ questions: [{ name: 'bin\\255\\000.local', type: 1, class: 1, qu: false }] }));
  assert.is(hexOf(wire.subarray(12, 18)), '0562696eff00');
});

test('NSEC types are written in ascending order whatever order they are given in (RFC 4034 §4.1.2)', () => {
  const given = encode(message({ answers: [rr('h.local', T.NSEC, { next: 'h.local', types: [T.AAAA, 1234, T.A] })] }));
  const sorted = encode(message({ answers: [rr('h.local', T.NSEC, { next: 'h.local', types: [T.A, T.AAAA, 1234] })] }));
  assert.is(hexOf(given), hexOf(sorted));
});

test('draft-tllq-tsr-05 §2 key checksum: the key as 32-bit big-endian words, summed without overflow', () => {
  assert.is(keyChecksum(bytes('0102030405060708')), 0x06080a0c);
  assert.is(keyChecksum(bytes('ffffffff00000002')), 1);
  assert.is(keyChecksum(new Uint8Array(0)), 0);
});

test('escapeLabel / unescapeLabel: dots and backslashes in an instance name round-trip; a \\DDD byte escape stays as written', () => {
  for (const raw of ['My Web.Server', 'back\\slash', 'Café ☃ 2.0', '']) assert.is(unescapeLabel(escapeLabel(raw)), raw);
  assert.is(escapeLabel('a.b\\c'), 'a\\.b\\\\c');
  assert.is(unescapeLabel('odd\\255byte'), 'odd\\255byte');
});

test.run();
