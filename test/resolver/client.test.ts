// The unicast exchange on the sim: retransmission schedule, reply matching
// (spoofed and mismatched replies dropped and counted), typed results, upstreams in turn.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { T, decode, encode, message } from '../../src/wire/index.js';
import { classify } from '../../src/resolver/answer.js';
import { Resolver } from '../../src/resolver/index.js';
import type { ResolverOptions, Result } from '../../src/resolver/index.js';
import { ADDR, lab, rr, serve } from './server.js';
import type { Lab, Packet, ServerOptions } from './server.js';

function setup(opts: ServerOptions = {}, ropts: Partial<ResolverOptions> = {}, delay = 0): Lab & { r: Resolver } {
  const l = lab(opts, delay);
  return { ...l, r: new Resolver(l.client.platform, { servers: [{ addr: ADDR.server }], ...ropts }) };
}

function start(l: Lab & { r: Resolver }, name: string, types: number[]): () => Result[] | undefined {
  let results: Result[] | undefined;
  l.r.lookup(name, types, (r) => { results = r; });
  return () => results;
}

const queries = (l: Lab): Packet[] => l.packets().filter((p) => !p.m.qr);
const statuses = (rs: Result[] | undefined) => rs?.map((r) => r.status);

test('RFC 1035 §4.2.1: an unanswered query is sent again after 1 s, then 2 s, and gives up 4 s after the last', () => {
  const l = setup({ drop: 99 });
  const done = start(l, 'www.example', [T.A]);
  l.sim.run(6999);
  assert.is(done(), undefined, 'still waiting at 6.999 s');
  l.sim.run(1);
  assert.equal(statuses(done()), ['timeout']);
  const qs = queries(l);
  assert.equal(qs.map((p) => p.t), [0, 1000, 3000]);
  assert.ok(qs.every((p) => p.m.id === qs[0].m.id), 'retransmissions keep the ID');
  assert.is(l.r.counters.retransmits, 2);
  assert.is(l.r.counters.timeouts, 1);
});

test('RFC 1035 §4.2.1: backoff and the total cap are configurable', () => {
  const l = setup({ drop: 99 }, { backoff: [500, 500, 500, 500], total: 1200 });
  const done = start(l, 'www.example', [T.A]);
  l.sim.run(1199);
  assert.is(done(), undefined);
  l.sim.run(1);
  assert.equal(statuses(done()), ['timeout']);
  assert.equal(queries(l).map((p) => p.t), [0, 500, 1000]);
});

test('RFC 1035 §4.2.1: a reply to a retransmission completes the lookup', () => {
  const l = setup({ drop: 2 });
  const done = start(l, 'www.example', [T.A]);
  l.sim.run(3000);
  assert.equal(statuses(done()), ['ok']);
  assert.is(queries(l).length, 3);
});

test('RFC 5452 §9.2: query IDs come from platform.random and differ between queries', () => {
  const l = setup();
  start(l, 'www.example', [T.A]);
  start(l, 'v4only.example', [T.A]);
  start(l, 'nothere.example', [T.A]);
  l.sim.run(100);
  const ids = queries(l).map((p) => p.m.id);
  assert.is(new Set(ids).size, 3, String(ids));
});

test('RFC 5452 §4.3: a reply from the wrong address is dropped and counted; the real one is taken', () => {
  const l = setup({}, {}, 5);
  const done = start(l, 'www.example', [T.A]);
  const q = queries(l)[0];
  const forged = encode({ ...q.m, qr: true, additionals: [], answers: [{ name: 'www.example', type: T.A, class: 1, flush: false, ttl: 300, data: '203.0.113.66' }] });
  const sock = l.attacker.platform.open({ family: 4, port: 53 });
  sock.send(forged, { addr: ADDR.client, port: q.srcPort });
  l.sim.run(100);
  assert.is(l.r.counters.wrongSource, 1);
  assert.equal(done()?.[0].records.map((r) => r.data), ['192.0.2.80']);
});

test('RFC 5452 §4.3: a reply from the right address but another port is dropped and counted', () => {
  const l = setup({ drop: 1 });
  const done = start(l, 'www.example', [T.A]);
  l.sim.run(1);
  const q = queries(l)[0];
  const sock = l.sim.hosts.get('server')!.platform.open({ family: 4, port: 5300 });
  sock.send(encode({ ...decode(encode(q.m)), qr: true }), { addr: ADDR.client, port: q.srcPort });
  l.sim.run(2000);
  assert.is(l.r.counters.wrongSource, 1);
  assert.equal(statuses(done()), ['ok']);
});

test('RFC 5452 §4.3: a reply with the wrong ID is dropped and counted; the retransmission is answered', () => {
  let first = true;
  const l = setup({ tamper: (m) => { if (first) m.id = (m.id + 1) & 0xffff; first = false; } });
  const done = start(l, 'www.example', [T.A]);
  l.sim.run(500);
  assert.is(done(), undefined);
  assert.is(l.r.counters.unknownId, 1);
  l.sim.run(1000);
  assert.equal(statuses(done()), ['ok']);
});

test('RFC 5452 §4.3: a reply for another question is dropped and counted', () => {
  let first = true;
  const l = setup({ tamper: (m) => { if (first) m.questions = [{ ...m.questions[0], name: 'evil.example' }]; first = false; } });
  const done = start(l, 'www.example', [T.A]);
  l.sim.run(500);
  assert.is(done(), undefined);
  assert.is(l.r.counters.wrongQuestion, 1);
  l.sim.run(1000);
  assert.equal(statuses(done()), ['ok']);
  assert.is(l.r.counters.accepted, 1);
});

test('RFC 1035 §4.1.1: undecodable packets on the client socket are counted as malformed', () => {
  const l = setup({ drop: 1 });
  start(l, 'www.example', [T.A]);
  l.sim.run(1);
  const q = queries(l)[0];
  l.attacker.platform.open({ family: 4, port: 53 }).send(new Uint8Array([1, 2, 3]), { addr: ADDR.client, port: q.srcPort });
  l.sim.run(10);
  assert.is(l.r.counters.malformed, 1);
});

test('RFC 2308 §2.1: NXDOMAIN for a name that does not exist, with the SOA negative TTL', () => {
  const l = setup();
  const done = start(l, 'nothere.example', [T.A, T.AAAA]);
  l.sim.run(100);
  assert.equal(statuses(done()), ['nxdomain', 'nxdomain']);
  assert.is(done()?.[0].ttl, 60);
});

test('RFC 2308 §2.2: NODATA for a name without records of the type', () => {
  const l = setup();
  const done = start(l, 'v4only.example', [T.AAAA]);
  l.sim.run(100);
  assert.equal(statuses(done()), ['nodata']);
});

test('RFC 1035 §4.1.1: SERVFAIL and REFUSED are typed results', () => {
  for (const [rcode, status] of [[2, 'servfail'], [5, 'refused'], [4, 'servfail']] as const) {
    const l = setup({ rcode });
    const done = start(l, 'www.example', [T.A]);
    l.sim.run(100);
    assert.equal(statuses(done()), [status], `rcode ${rcode}`);
  }
});

test('RFC 1123 §6.1.3.2: a truncated UDP reply is asked again over TCP, with the same ID, and the full answer is taken', () => {
  const l = setup({ udpMax: 512 }, { mqtype: false }, 5);
  const done = start(l, 'many.example', [T.A]);
  l.sim.run(100);
  const rs = done();
  assert.equal(statuses(rs), ['ok']);
  assert.is(rs![0].records.length, 40);
  assert.is(l.r.counters.tcp, 1);
  assert.is(l.r.counters.tcpFailed, 0);
  // One UDP query (its reply truncated), then the same query over TCP; no UDP retransmission.
  assert.is(queries(l).length, 1);
  assert.is(l.server.tcpQueries.length, 1);
  assert.is(l.server.tcpQueries[0].id, queries(l)[0].m.id);
  assert.ok(l.packets().some((p) => p.m.qr && p.m.tc), 'the UDP reply was truncated');
});

test('RFC 1123 §6.1.3.2: small answers stay on UDP; TCP is used only after TC', () => {
  const l = setup({ udpMax: 512 }, { mqtype: false });
  const done = start(l, 'www.example', [T.A]);
  l.sim.run(100);
  assert.equal(statuses(done()), ['ok']);
  assert.is(l.r.counters.tcp, 0);
  assert.is(l.server.tcpQueries.length, 0);
});

test('TCP fails (refused, silent past the deadline, mismatched reply): the truncated reply stands and is counted', () => {
  const refused = setup({ udpMax: 512, tcp: 'none' }, { mqtype: false });
  const a = start(refused, 'many.example', [T.A]);
  refused.sim.run(100);
  assert.equal(statuses(a()), ['truncated']);
  assert.is(refused.r.counters.tcpFailed, 1);

  const silent = setup({ udpMax: 512, tcp: 'silent' }, { mqtype: false, total: 3000 });
  const b = start(silent, 'many.example', [T.A]);
  silent.sim.run(2900);
  assert.is(b(), undefined, 'still waiting within the total');
  silent.sim.run(200);
  assert.equal(statuses(b()), ['truncated']);
  assert.is(silent.r.counters.tcpFailed, 1);

  for (const edit of [(m: { id: number }) => { m.id ^= 1; }, (m: { questions: { name: string }[] }) => { m.questions[0].name = 'other.example'; }]) {
    const wrong = setup({ udpMax: 512, tcp: edit }, { mqtype: false });
    const c = start(wrong, 'many.example', [T.A]);
    wrong.sim.run(100);
    assert.equal(statuses(c()), ['truncated']);
    assert.is(wrong.r.counters.tcpFailed, 1);
  }
});

test('a platform whose connect throws at once: the truncated reply stands, counted, and the exchange ends', () => {
  const l = lab({ udpMax: 512 });
  const platform = { ...l.client.platform, connect: () => { throw new Error('no TCP here'); } };
  const r = new Resolver(platform, { servers: [{ addr: ADDR.server }], mqtype: false });
  let results: Result[] | undefined;
  r.lookup('many.example', [T.A], (x) => { results = x; });
  l.sim.run(100);
  assert.equal(statuses(results), ['truncated']);
  assert.is(r.counters.tcpFailed, 1);
});

test('a platform without connect: a truncated reply gives "truncated"', () => {
  const l = lab({ tamper: (m) => { m.tc = true; m.answers = []; } });
  const { connect: _connect, ...udpOnly } = l.client.platform;
  const r = new Resolver(udpOnly, { servers: [{ addr: ADDR.server }], mqtype: false });
  let results: Result[] | undefined;
  r.lookup('www.example', [T.A], (x) => { results = x; });
  l.sim.run(100);
  assert.equal(statuses(results), ['truncated']);
  assert.is(r.counters.tcp, 0);
});

test('RFC 1034 §3.6.2: a CNAME chain in the answer is followed to the records of the type', () => {
  const l = setup();
  const done = start(l, 'alias.example', [T.A]);
  l.sim.run(100);
  assert.equal(done()?.[0].records.map((r) => [r.name, r.data]), [['www.example', '192.0.2.80']]);
});

test('RFC 2181 §5.2: an answer reached through a CNAME is cached no longer than the alias lives', () => {
  const m = message({ qr: true, questions: [{ name: 'alias.example', type: T.A, class: 1, qu: false }], answers: [
    rr('alias.example', T.CNAME, 'www.example', 30), rr('www.example', T.A, '192.0.2.80', 300),
  ] });
  const r = classify(m, 'alias.example', T.A);
  assert.is(r.status, 'ok');
  assert.is(r.ttl, 30);
});

test('RFC 1035 §4.2.1: upstreams are tried in turn; the second is asked after the first times out', () => {
  const l = lab({ drop: 99 });
  serve(l.attacker.platform, 4, { records: [rr('www.example', T.A, '198.51.100.1')] });
  const r = new Resolver(l.client.platform, { servers: [{ addr: ADDR.server }, { addr: ADDR.attacker }], backoff: [1000] });
  let results: Result[] | undefined;
  r.lookup('www.example', [T.A], (x) => { results = x; });
  l.sim.run(2000);
  assert.equal(statuses(results), ['ok']);
  assert.equal(results?.[0].records.map((x) => x.data), ['198.51.100.1']);
  const to = l.packets().filter((p) => !p.m.qr).map((p) => [p.t, p.dst, p.dstPort]);
  assert.equal(to, [[0, ADDR.server, 53], [1000, ADDR.attacker, 53]]);
});

test('RFC 1035 §4.2.1: SERVFAIL from the first upstream sends the question to the next', () => {
  const l = lab({ rcode: 2 });
  serve(l.attacker.platform, 4, { records: [rr('www.example', T.A, '198.51.100.1')] });
  const r = new Resolver(l.client.platform, { servers: [{ addr: ADDR.server }, { addr: ADDR.attacker }] });
  let results: Result[] | undefined;
  r.lookup('www.example', [T.A], (x) => { results = x; });
  l.sim.run(100);
  assert.equal(results?.[0].records.map((x) => x.data), ['198.51.100.1']);
});

test('bad input: exchanges in flight are capped; past the cap a query fails as a timeout and is counted', () => {
  const l = setup({ drop: 99 }, { maxPending: 2 });
  const a = start(l, 'a.example', [T.A]);
  start(l, 'b.example', [T.A]);
  const c = start(l, 'c.example', [T.A]);
  l.sim.run(1);
  assert.equal(statuses(c()), ['timeout']);
  assert.is(a(), undefined);
  assert.is(l.r.counters.busy, 1);
  assert.is(queries(l).length, 2);
});

test.run();
