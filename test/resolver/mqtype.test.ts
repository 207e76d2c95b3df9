// MQTYPE client behaviour on the sim, against the test server in each of its modes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OPT, T } from '../../src/wire/index.js';
import { Resolver } from '../../src/resolver/index.js';
import type { Result } from '../../src/resolver/index.js';
import { ADDR, lab, mqtypeOpts } from './server.js';
import type { Lab, Packet, ServerOptions } from './server.js';

const DELAY = 10;

function setup(opts: ServerOptions = {}): Lab & { r: Resolver } {
  const l = lab(opts, DELAY);
  return { ...l, r: new Resolver(l.client.platform, { servers: [{ addr: ADDR.server }] }) };
}

/** Runs the sim until the lookup is done; returns its results and the packets it caused. */
function run(l: Lab & { r: Resolver }, name: string, types: number[]): { results: Result[]; packets: Packet[] } {
  const before = l.sim.capture.length;
  let results: Result[] | undefined;
  l.r.lookup(name, types, (r) => { results = r; });
  l.sim.run(10_000);
  assert.ok(results, 'lookup finished');
  return { results: results as Result[], packets: l.packets().slice(before) };
}

const queries = (ps: Packet[]) => ps.filter((p) => !p.m.qr);
const replies = (ps: Packet[]) => ps.filter((p) => p.m.qr);
const data = (r: Result) => r.records.map((x) => x.data);

test('draft-ietf-dnssd-multi-qtypes §3.2/§3.4: A+AAAA in one round trip, option 20 lists AAAA, option 21 answers it', () => {
  const l = setup();
  const { results, packets } = run(l, 'www.example', [T.A, T.AAAA]);
  assert.is(packets.length, 2, l.sim.dump());
  const [q, a] = packets;
  assert.is(q.m.qr, false);
  assert.equal(q.m.questions.map((x) => x.type), [T.A]);
  assert.equal(mqtypeOpts(q.m, OPT.MQTYPE_QUERY), [[T.AAAA]]);
  assert.is(a.m.qr, true);
  assert.equal(mqtypeOpts(a.m, OPT.MQTYPE_RESPONSE), [[T.AAAA]]);
  assert.is((a.at as number) - q.t, 2 * DELAY, 'one round trip');
  assert.equal(results.map((r) => r.status), ['ok', 'ok']);
  assert.equal(data(results[0]), ['192.0.2.80']);
  assert.equal(data(results[1]), ['2001:db8::80']);
  assert.is(l.r.supportsMqtype({ addr: ADDR.server }), true);
  assert.is(l.r.counters.fallbacks, 0);
});

test('draft-ietf-dnssd-multi-qtypes §3.4: SRV+TXT in one query', () => {
  const l = setup();
  const { results, packets } = run(l, 'printer._ipp._tcp.example', [T.SRV, T.TXT]);
  assert.is(queries(packets).length, 1);
  assert.equal(mqtypeOpts(queries(packets)[0].m, OPT.MQTYPE_QUERY), [[T.TXT]]);
  assert.equal(results.map((r) => [r.type, r.status]), [[T.SRV, 'ok'], [T.TXT, 'ok']]);
});

test('draft-ietf-dnssd-multi-qtypes §3.5: a listed type with no records is a negative answer (no further query)', () => {
  const l = setup();
  const { results, packets } = run(l, 'v4only.example', [T.A, T.AAAA]);
  assert.is(queries(packets).length, 1, l.sim.dump());
  assert.equal(mqtypeOpts(replies(packets)[0].m, OPT.MQTYPE_RESPONSE), [[T.AAAA]]);
  assert.equal(results.map((r) => r.status), ['ok', 'nodata']);
  assert.is(results[1].ttl, 60, 'negative TTL from the SOA (RFC 2308 §5)');
});

test('draft-ietf-dnssd-multi-qtypes §3.5: a requested type missing from option 21 is asked in a standalone query', () => {
  const l = setup({ tamper: (m) => { for (const o of mqtypeOpts(m, OPT.MQTYPE_RESPONSE)) o.length = 0; } });
  const { results, packets } = run(l, 'www.example', [T.A, T.AAAA]);
  const qs = queries(packets);
  assert.is(qs.length, 2, l.sim.dump());
  assert.equal(qs[1].m.questions.map((x) => x.type), [T.AAAA]);
  assert.equal(mqtypeOpts(qs[1].m, OPT.MQTYPE_QUERY), []);
  assert.is(qs[1].t - qs[0].t, 2 * DELAY, 'asked after the first reply');
  assert.equal(results.map((r) => r.status), ['ok', 'ok']);
  assert.is(l.r.supportsMqtype({ addr: ADDR.server }), true, 'an empty list still shows support');
});

test('draft-ietf-dnssd-multi-qtypes §3.5: a server that ignores MQTYPE gets a standalone AAAA query and is remembered', () => {
  const l = setup({ mode: 'ignore' });
  const first = run(l, 'www.example', [T.A, T.AAAA]);
  const qs = queries(first.packets);
  assert.is(qs.length, 2, l.sim.dump());
  assert.equal(mqtypeOpts(qs[0].m, OPT.MQTYPE_QUERY), [[T.AAAA]]);
  assert.equal(mqtypeOpts(replies(first.packets)[0].m, OPT.MQTYPE_RESPONSE), []);
  assert.equal(qs[1].m.questions.map((x) => x.type), [T.AAAA]);
  assert.equal(mqtypeOpts(qs[1].m, OPT.MQTYPE_QUERY), []);
  assert.equal(first.results.map((r) => r.status), ['ok', 'ok']);
  assert.equal(data(first.results[1]), ['2001:db8::80']);
  assert.is(l.r.supportsMqtype({ addr: ADDR.server }), false);
  const next = run(l, 'v4only.example', [T.A, T.AAAA]);
  const qs2 = queries(next.packets);
  assert.equal(qs2.map((p) => p.m.questions[0].type), [T.A, T.AAAA]);
  assert.ok(qs2.every((p) => mqtypeOpts(p.m, OPT.MQTYPE_QUERY).length === 0), 'no option once remembered');
  assert.is(qs2[0].t, qs2[1].t, 'both sent at once');
  assert.equal(next.results.map((r) => r.status), ['ok', 'nodata']);
});

test('draft-ietf-dnssd-multi-qtypes §3.5: FORMERR makes the client ask every type in standalone queries', () => {
  const l = setup({ mode: 'formerr' });
  const { results, packets } = run(l, 'www.example', [T.A, T.AAAA]);
  const qs = queries(packets);
  assert.is(replies(packets)[0].m.rcode, 1);
  assert.equal(qs.map((p) => [p.m.questions[0].type, mqtypeOpts(p.m, OPT.MQTYPE_QUERY).length]), [[T.A, 1], [T.A, 0], [T.AAAA, 0]]);
  assert.equal(results.map((r) => r.status), ['ok', 'ok']);
  assert.is(l.r.supportsMqtype({ addr: ADDR.server }), false);
});

for (const mode of ['dupOption', 'dupType', 'primaryType'] as const) {
  test(`draft-ietf-dnssd-multi-qtypes §3.5: a response with ${mode === 'dupOption' ? 'two MQTYPE-Response options' : mode === 'dupType' ? 'a duplicated type' : 'the primary type listed'} is invalid`, () => {
    const l = setup({ mode });
    const { results, packets } = run(l, 'www.example', [T.A, T.AAAA]);
    assert.is(l.r.counters.invalid, 1);
    const qs = queries(packets);
    assert.equal(qs.map((p) => [p.m.questions[0].type, mqtypeOpts(p.m, OPT.MQTYPE_QUERY).length]), [[T.A, 1], [T.A, 0], [T.AAAA, 0]]);
    assert.equal(results.map((r) => r.status), ['ok', 'ok']);
    assert.is(l.r.supportsMqtype({ addr: ADDR.server }), false);
  });
}

test('draft-ietf-dnssd-multi-qtypes §3.3: the test server answers FORMERR to a duplicated QTx', () => {
  const l = setup();
  const sock = l.client.platform.open({ family: 4, port: 0 });
  const got: number[] = [];
  sock.onMessage((d) => { got.push(d[3] & 0x0f); });
  const q = new Uint8Array([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 3, 0x77, 0x77, 0x77, 7, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0, 0, 1, 0, 1,
    0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 8, 0, 20, 0, 4, 0, 28, 0, 28]);
  sock.send(q, { addr: ADDR.server, port: 53 });
  l.sim.run(100);
  assert.equal(got, [1]);
});

test.run();
