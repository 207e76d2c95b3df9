// RFC 6762 §6 answering: timing, aggregation, additional records, ANY,
// NSEC, the per-record rate limit, QU and legacy unicast, per-interface
// addresses.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { T } from '../../src/wire/index.js';
import type { Nsec, Srv } from '../../src/wire/index.js';
import type { ServiceSpec } from '../../src/dnssd/records.js';
import { find, HTTP, isResponse, keys, Lab, NAMES, P, q, R, rr, SETTLE } from './harness.js';
import type { Packet } from './harness.js';

const INSTANCE = 'My Web._http._tcp.local';
const PRINTER: ServiceSpec = { name: 'Printer', type: '_ipp._tcp', port: 631 };

/** A lab with HTTP (and PRINTER) established on IPv4 only, `quiet` ms after the last announcement. */
function ready(opts: { v6?: boolean; seed?: number } = {}): Lab {
  const lab = new Lab({
    seed: opts.seed,
    responder: { families: [4] },
    ifaces: opts.v6 === false ? (_sim, lan) => [{ name: 'eth0', link: lan, v4: `${R.v4}/24` }] : undefined,
  });
  lab.r.publish(HTTP);
  lab.r.publish(PRINTER);
  lab.run(SETTLE);
  return lab;
}

/** Responses from the responder since `t`. */
const answersSince = (lab: Lab, t: number): Packet[] => lab.sent(t).filter(isResponse);

test('rfc6762 §6 answering: unique-record answers go out at once (the same ms)', () => {
  const lab = ready();
  for (const [name, type] of [[NAMES.host, T.A], [INSTANCE, T.SRV], [INSTANCE, T.TXT], [NAMES.rev4, T.PTR]] as const) {
    const t = lab.now;
    lab.ask([q(name, type)]);
    lab.run(2000);
    const got = answersSince(lab, t);
    // "...it SHOULD NOT impose any random delay before responding, and SHOULD normally generate its response within at most 10 ms."
    assert.is(got.length, 1, lab.dump(t));
    assert.is(got[0].t, t, `${name} answered ${got[0].t - t} ms after the query`);
    assert.ok(got[0].multicast && got[0].srcPort === 5353);
    // §6: "Multicast DNS responses MUST NOT contain any questions in the Question Section."
    assert.is(got[0].m.questions.length, 0);
    assert.ok(got[0].m.qr && got[0].m.aa && got[0].m.id === 0);
    assert.equal(got[0].m.answers.map((r) => `${r.name} ${r.type}`), [`${name} ${type}`]);
    assert.ok(got[0].m.answers[0].flush);
  }
});

test('rfc6762 §6 answering: shared-record answers are delayed 20-120 ms', () => {
  const lab = ready();
  const delays: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t = lab.now;
    lab.ask([q(i % 2 ? '_http._tcp.local' : '_services._dns-sd._udp.local', T.PTR)]);
    lab.run(2000);
    const got = answersSince(lab, t);
    assert.is(got.length, 1, lab.dump(t));
    delays.push(got[0].t - t);
  }
  // "...each responder SHOULD delay its response by a random amount of time selected with uniform random distribution in the range 20-120 ms."
  assert.ok(delays.every((d) => d >= 20 && d <= 120), `delays ${delays}`);
  assert.ok(new Set(delays).size > 1, `the delay is random: ${delays}`);
});

test('rfc6762 §6.4 aggregation: shared answers planned at the same time (queries 10 ms apart) go in one response', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    const lab = ready({ seed });
    const t = lab.now;
    lab.ask([q('_http._tcp.local', T.PTR)]);
    lab.run(10);
    lab.ask([q('_ipp._tcp.local', T.PTR)]);
    lab.run(1000);
    const got = answersSince(lab, t);
    // Both answers are planned (neither is sent before 20 ms): "...earlier responses SHOULD be delayed by up to an additional 500 ms if that will permit them to be aggregated with other responses scheduled to go out a little later."
    assert.is(got.length, 1, `seed ${seed}: ${lab.dump(t)}`);
    assert.equal(got[0].m.answers.map((r) => `${r.name} ${r.data}`).sort(), ['_http._tcp.local My Web._http._tcp.local', '_ipp._tcp.local Printer._ipp._tcp.local']);
  }
});

test('rfc6762 §6.3 multi-question query: one response with every answer, delayed 20-120 ms', () => {
  const lab = ready();
  const t = lab.now;
  lab.ask([q(INSTANCE, T.SRV), q('_ipp._tcp.local', T.PTR)]);
  lab.run(1000);
  const got = answersSince(lab, t);
  assert.is(got.length, 1, lab.dump(t));
  // "...for query messages containing more than one question, all (non-defensive) answers SHOULD be randomly delayed in the range 20-120 ms"
  assert.ok(got[0].t - t >= 20 && got[0].t - t <= 120, `+${got[0].t - t} ms`);
  assert.equal(got[0].m.answers.map((r) => `${r.name} ${r.type}`).sort(), [`${INSTANCE} ${T.SRV}`, `_ipp._tcp.local ${T.PTR}`]);
});

test('rfc6763 §12 / rfc6762 §6.2 additional records: PTR -> SRV, TXT, A, AAAA (+NSEC); SRV -> A, AAAA; A -> AAAA', () => {
  const lab = ready();
  let t = lab.now;
  lab.ask([q('_http._tcp.local', T.PTR)]);
  lab.run(2000);
  let got = answersSince(lab, t);
  assert.is(got.length, 1, lab.dump(t));
  assert.equal(keys(got[0].m.answers), ['_http._tcp.local PTR 4500']);
  // RFC 6763 §12.1: "...the server SHOULD also include the SRV, TXT, and address records in the Additional Section."
  const extra = got[0].m.additionals;
  assert.equal(keys(extra.filter((r) => r.type !== T.NSEC)), [`${INSTANCE} SRV! 120`, `${INSTANCE} TXT! 4500`, 'hush.local A! 120', 'hush.local AAAA! 120'].sort());
  assert.equal(find(extra, NAMES.host, T.A).map((r) => r.data), [R.v4]);
  assert.equal(find(extra, NAMES.host, T.AAAA).map((r) => r.data), [R.v6]);
  // NSECs, when present, deny only types the name lacks.
  for (const n of extra.filter((r) => r.type === T.NSEC)) {
    const types = (n.data as Nsec).types;
    if (n.name === INSTANCE) assert.equal(types, [T.TXT, T.SRV]);
    else assert.equal(types, [T.A, T.AAAA]);
  }

  t = lab.now;
  lab.ask([q(INSTANCE, T.SRV)]);
  lab.run(2000);
  got = answersSince(lab, t);
  assert.is(got.length, 1, lab.dump(t));
  // RFC 6763 §12.2: "...the server SHOULD include the address records (A/AAAA) of the target host in the Additional Section."
  assert.equal(keys(got[0].m.additionals.filter((r) => r.type !== T.NSEC)), ['hush.local A! 120', 'hush.local AAAA! 120']);

  t = lab.now;
  lab.ask([q(NAMES.host, T.A)]);
  lab.run(2000);
  got = answersSince(lab, t);
  assert.is(got.length, 1, lab.dump(t));
  assert.equal(keys(got[0].m.answers), ['hush.local A! 120']);
  // §6.2: "...it SHOULD also place any records of the other address type with the same name into the additional section"
  assert.equal(keys(got[0].m.additionals.filter((r) => r.type !== T.NSEC)), ['hush.local AAAA! 120']);
});

test('rfc6762 §6.2 a v4-only host answering A puts an NSEC for AAAA in the additional section', () => {
  const lab = ready({ v6: false });
  const t = lab.now;
  lab.ask([q(NAMES.host, T.A)]);
  lab.run(2000);
  const got = answersSince(lab, t);
  assert.is(got.length, 1, lab.dump(t));
  // "In the event that a device has only IPv4 addresses but no IPv6 addresses ... the appropriate NSEC record SHOULD be placed into the additional section"
  const nsec = find(got[0].m.additionals, NAMES.host, T.NSEC);
  assert.is(nsec.length, 1, lab.dump(t));
  assert.equal((nsec[0].data as Nsec).types, [T.A]);
});

test('rfc6762 §6.5 ANY: every record of the name is answered', () => {
  const lab = ready();
  let t = lab.now;
  lab.ask([q(INSTANCE, T.ANY)]);
  lab.run(2000);
  let got = answersSince(lab, t);
  assert.is(got.length, 1, lab.dump(t));
  // "When responding to queries using qtype 'ANY' (255) ... a Multicast DNS responder MUST respond with *ALL* of its records that match the query."
  assert.equal(keys(got[0].m.answers.filter((r) => r.type !== T.NSEC)), [`${INSTANCE} SRV! 120`, `${INSTANCE} TXT! 4500`]);
  t = lab.now;
  lab.ask([q(NAMES.host, T.ANY)]);
  lab.run(2000);
  got = answersSince(lab, t);
  assert.is(got.length, 1, lab.dump(t));
  assert.equal(keys(got[0].m.answers.filter((r) => r.type !== T.NSEC)), ['hush.local A! 120', 'hush.local AAAA! 120']);
  t = lab.now;
  lab.ask([q('_http._tcp.local', T.ANY)]);
  lab.run(2000);
  got = answersSince(lab, t);
  assert.is(got.length, 1, lab.dump(t));
  assert.equal(keys(got[0].m.answers), ['_http._tcp.local PTR 4500']);
});

test('rfc6762 §6.1 NSEC: a query for AAAA of a v4-only host gets an NSEC answer', () => {
  const lab = ready({ v6: false });
  const t = lab.now;
  lab.ask([q(NAMES.host, T.AAAA)]);
  lab.run(2000);
  const got = answersSince(lab, t);
  assert.is(got.length, 1, lab.dump(t));
  // "...the responder MUST ... respond asserting the nonexistence of that record using a DNS NSEC record"
  assert.equal(keys(got[0].m.answers), ['hush.local NSEC! 120']);
  const n = got[0].m.answers[0].data as Nsec;
  // §6.1: "The 'Next Domain Name' field contains the record's own name"; the NSEC bit is not set in synthesized NSECs.
  assert.is(n.next, NAMES.host);
  assert.equal(n.types, [T.A]);
  assert.is(got[0].t, t, 'a negative answer about a unique name goes at once');
  assert.is(find(got[0].m.answers, NAMES.host, T.AAAA).length, 0);
});

test('rfc6762 §6.1 NSEC: a query for a type the instance lacks gets an NSEC-only response', () => {
  const lab = ready();
  const t = lab.now;
  lab.ask([q(INSTANCE, T.A)]);
  lab.run(2000);
  const got = answersSince(lab, t);
  assert.is(got.length, 1, lab.dump(t));
  assert.equal(keys(got[0].m.answers), [`${INSTANCE} NSEC! 120`]);
  assert.equal((got[0].m.answers[0].data as Nsec).types, [T.TXT, T.SRV]);
  assert.is((got[0].m.answers[0].data as Nsec).next, INSTANCE);
  assert.equal(got[0].m.additionals.filter((r) => r.type !== T.NSEC), [], 'nothing but the negative answer');
});

test('rfc6762 §6.1 NSEC: no negative answer for names we do not own', () => {
  const lab = ready();
  const t = lab.now;
  lab.ask([q('Someone Else._http._tcp.local', T.SRV)]);
  lab.ask([q('other.local', T.A)]);
  lab.ask([q('_http._tcp.local', T.TXT)]);
  lab.run(2000);
  // "A responder MUST only generate negative responses to queries for which it has legitimate ownership of the name, rrtype, and rrclass"
  assert.is(answersSince(lab, t).length, 0, lab.dump(t));
});

test('rfc6762 §6.2 rate limit: a record is not multicast twice within 1 s on an interface', () => {
  const lab = ready();
  lab.run(2000);
  const t = lab.now;
  lab.ask([q(NAMES.host, T.A)]);
  lab.run(500);
  lab.ask([q(NAMES.host, T.A)]);
  lab.run(400);
  // "...MUST NOT ... multicast a record on a given interface until at least one second has elapsed since the last time that record was multicast on that particular interface."
  const first = answersSince(lab, t);
  assert.is(first.length, 1, lab.dump(t));
  lab.run(200);
  const t2 = lab.now;
  lab.ask([q(NAMES.host, T.A)]);
  lab.run(1000);
  const again = answersSince(lab, t2);
  assert.is(again.length, 1, `answered again after 1 s: ${lab.dump(t)}`);
  assert.ok(again[0].t - first[0].t >= 1000);
});

test('rfc6762 §6.2 rate limit: a probe for our name is defended 250 ms after the last multicast of the record', () => {
  const lab = ready();
  lab.run(2000);
  const t = lab.now;
  lab.ask([q(NAMES.host, T.A)]);
  lab.run(100);
  // A peer probes our host name (a later probe: QM), proposing another address.
  lab.send({ questions: [q(NAMES.host, T.ANY)], authorities: [rr(NAMES.host, T.A, '192.168.1.99', 120)] });
  lab.run(1000);
  const got = answersSince(lab, t);
  assert.is(got.length, 2, lab.dump(t));
  // "...when responding via multicast to a probe, a Multicast DNS responder is only required to delay its transmission as necessary to ensure an interval of at least 250 ms since the last time the record was multicast on that interface."
  assert.ok(got[1].t - got[0].t >= 250 && got[1].t - got[0].t <= 260, `defence ${got[1].t - got[0].t} ms after the last multicast: ${lab.dump(t)}`);
  assert.ok(got[1].multicast);
  assert.equal(find(got[1].m.answers, NAMES.host, T.A).map((r) => r.data), [R.v4]);
});

test('rfc6762 §8.1 probe defence: a probe for our name is answered at once', () => {
  const lab = ready();
  lab.run(2000);
  const t = lab.now;
  lab.send({ questions: [q(INSTANCE, T.ANY)], authorities: [rr(INSTANCE, T.SRV, { priority: 0, weight: 0, port: 1, target: 'x.local' }, 120)] });
  lab.run(1000);
  const got = answersSince(lab, t);
  assert.is(got.length, 1, lab.dump(t));
  // §8.1: "...it SHOULD generate its response to defend that name immediately and send it as quickly as possible."
  assert.is(got[0].t, t);
  assert.ok(find(got[0].m.answers, INSTANCE, T.SRV).length === 1);
});

test('rfc6762 §5.4 QU: answered by unicast when the record was multicast within a quarter of its TTL, by multicast otherwise', () => {
  const lab = ready();
  // The A record (TTL 120) was announced < 30 s ago: a unicast reply suffices.
  let t = lab.now;
  lab.ask([q(NAMES.host, T.A, true)]);
  lab.run(1000);
  let got = answersSince(lab, t);
  assert.is(got.length, 1, lab.dump(t));
  // "When receiving a question with the unicast-response bit set, a responder SHOULD usually respond with a unicast packet directed back to the querier."
  assert.ok(!got[0].multicast && got[0].dst === P.v4 && got[0].dstPort === 5353, lab.dump(t));
  assert.equal(find(got[0].m.answers, NAMES.host, T.A).map((r) => r.data), [R.v4]);
  // 31 s later the last multicast of A is older than a quarter of 120 s.
  lab.run(31_000);
  t = lab.now;
  lab.ask([q(NAMES.host, T.A, true)]);
  lab.run(1000);
  got = answersSince(lab, t);
  // "...if the responder has not multicast that record recently (within one quarter of its TTL), then the responder SHOULD instead multicast the response"
  assert.is(got.length, 1, lab.dump(t));
  assert.ok(got[0].multicast, lab.dump(t));
  assert.equal(find(got[0].m.answers, NAMES.host, T.A).map((r) => r.data), [R.v4]);
});

test('rfc6762 §5.5 a query sent directly to our unicast address is answered like a QU question: by unicast', () => {
  const lab = ready();
  const t = lab.now;
  lab.ask([q(NAMES.host, T.A)], [], { to: R.v4 });
  lab.run(1000);
  const got = lab.sent(t);
  // "When a Multicast DNS responder receives a query via direct unicast, it SHOULD respond as it would for 'QU' questions"
  assert.is(got.length, 1, lab.dump(t));
  assert.ok(!got[0].multicast && got[0].dst === P.v4 && got[0].dstPort === 5353, lab.dump(t));
  assert.equal(find(got[0].m.answers, NAMES.host, T.A).map((r) => r.data), [R.v4]);
});

/** The bytes of `needle` inside `hay`, or -1. */
function indexOf(hay: Uint8Array, needle: number[]): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

test('rfc6762 §6.7 legacy unicast: reply to the source port, ID and question echoed, TTL <= 10, no cache-flush, SRV target uncompressed', () => {
  const lab = ready();
  const t = lab.now;
  const question = q(INSTANCE, T.SRV);
  lab.ask([question], [], { legacy: true, id: 0x4d2a });
  lab.run(1000);
  const got = lab.sent(t);
  assert.is(got.length, 1, lab.dump(t));
  const p = got[0];
  // §6: "The source UDP port in all Multicast DNS responses MUST be 5353".
  assert.is(p.srcPort, 5353);
  // "...the Multicast DNS responder MUST send a UDP response directly back to the querier, via unicast, to the query packet's source IP address and port."
  assert.ok(!p.multicast && p.dst === P.v4 && p.dstPort === lab.legacyPort(4), lab.dump(t));
  // "...it MUST repeat the query ID and the question given in the query message."
  assert.is(p.m.id, 0x4d2a);
  assert.equal(p.m.questions, [question]);
  assert.ok(p.m.qr && p.m.aa);
  const all = [...p.m.answers, ...p.m.additionals];
  assert.equal(keys(p.m.answers), [`${INSTANCE} SRV 10`]);
  // "The resource record TTL given in a legacy unicast response SHOULD NOT be greater than ten seconds"; "...the cache-flush bit ... MUST NOT be set in legacy unicast responses."
  assert.ok(all.every((r) => r.ttl <= 10 && !r.flush), keys(all).join(', '));
  assert.equal((p.m.answers[0].data as Srv).target, NAMES.host);
  // §18.14: "...name compression MUST NOT be performed on SRV records" in legacy unicast responses:
  // type SRV, class IN (no flush bit), TTL 10, rdlength 6 + 12, 0/0/8080, then 'hush.local' in full.
  const srvBytes = [0, 33, 0, 1, 0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0x1f, 0x90, 4, ...'hush'.split('').map((c) => c.charCodeAt(0)), 5, ...'local'.split('').map((c) => c.charCodeAt(0)), 0];
  assert.ok(indexOf(p.data, srvBytes) > 0, 'SRV rdata carries the whole target name');
});

test('rfc6762 §18.14 names are compressed in multicast responses, the SRV target included', () => {
  const lab = ready();
  const t = lab.now;
  lab.ask([q(INSTANCE, T.SRV)]);
  lab.run(10);
  const got = answersSince(lab, t);
  assert.is(got.length, 1, lab.dump(t));
  // type SRV, class IN with the cache-flush bit, TTL 120, rdlength 6 + 5 + 2, 0/0/8080, 'hush', then a pointer to the 'local' of the owner name.
  const srvBytes = [0, 33, 0x80, 1, 0, 0, 0, 120, 0, 13, 0, 0, 0, 0, 0x1f, 0x90, 4, ...'hush'.split('').map((c) => c.charCodeAt(0))];
  const at = indexOf(got[0].data, srvBytes);
  assert.ok(at > 0, 'SRV target ends in a compression pointer');
  assert.is(got[0].data[at + srvBytes.length] & 0xc0, 0xc0);
  // The additional A record's owner 'hush.local' is a pointer too.
  const a = indexOf(got[0].data, [0, 1, 0x80, 1, 0, 0, 0, 120, 0, 4, 192, 168, 1, 10]);
  assert.ok(a > 0 && (got[0].data[a - 2] & 0xc0) === 0xc0, 'A owner is a 2-byte pointer');
});

test('rfc6762 §6.7 legacy unicast: shared records answered too, at once and only by unicast', () => {
  const lab = ready();
  const t = lab.now;
  lab.ask([q('_http._tcp.local', T.PTR)], [], { legacy: true, id: 7 });
  lab.run(1000);
  const got = lab.sent(t);
  assert.is(got.length, 1, lab.dump(t));
  assert.ok(!got[0].multicast && got[0].dstPort === lab.legacyPort(4));
  assert.equal(keys(got[0].m.answers), ['_http._tcp.local PTR 10']);
  assert.ok([...got[0].m.answers, ...got[0].m.additionals].every((r) => r.ttl <= 10 && !r.flush));
});

test('rfc6763 §4.1.1 instance names in any UTF-8, dots and spaces included, are announced and answered as one label', () => {
  const lab = new Lab({ responder: { families: [4] } });
  const h = lab.r.publish({ name: 'Büro Drucker v1.2 ☕', type: '_ipp._tcp', port: 631 });
  lab.run(SETTLE);
  const full = 'Büro Drucker v1\\.2 ☕._ipp._tcp.local';
  assert.is(h.fullName, full);
  const announced = lab.sent().filter(isResponse)[0].m.answers;
  assert.ok(find(announced, full, T.SRV).length === 1, keys(announced).join(', '));
  assert.ok(announced.some((r) => r.name === '_ipp._tcp.local' && r.data === full));
  const t = lab.now;
  lab.ask([q(full, T.TXT)]);
  lab.run(10);
  const got = answersSince(lab, t);
  assert.is(got.length, 1, lab.dump(t));
  assert.equal(keys(got[0].m.answers), [`${full} TXT! 4500`]);
});

test('rfc6762 §16 names compare case-insensitively for ASCII only', () => {
  const lab = ready();
  let t = lab.now;
  lab.ask([q('MY WEB._HTTP._TCP.LOCAL', T.SRV), q('HUSH.Local', T.A)]);
  lab.run(1000);
  const got = answersSince(lab, t);
  assert.is(got.length, 1, lab.dump(t));
  assert.equal(got[0].m.answers.map((r) => r.type).sort(), [T.A, T.SRV]);
  // "...no other characters are case-folded": 'É' does not match 'é'.
  const lab2 = new Lab({ responder: { families: [4] } });
  lab2.r.publish({ name: 'Café', type: '_http._tcp', port: 80 });
  lab2.run(SETTLE);
  t = lab2.now;
  lab2.ask([q('CAFÉ._http._tcp.local', T.SRV)]);
  lab2.run(1000);
  assert.is(answersSince(lab2, t).length, 0, lab2.dump(t));
  lab2.ask([q('CAFé._http._tcp.local', T.SRV)]);
  lab2.run(1000);
  assert.is(answersSince(lab2, t).length, 1, lab2.dump(t));
});

test('rfc6763 §7.1 a subtype query is answered with the subtype PTR and the instance\'s records', () => {
  const lab = new Lab({ responder: { families: [4] } });
  lab.r.publish({ ...HTTP, subtypes: ['_printer'] });
  lab.run(SETTLE);
  lab.run(2000);
  const t = lab.now;
  lab.ask([q('_printer._sub._http._tcp.local', T.PTR)]);
  lab.run(1000);
  const got = answersSince(lab, t);
  assert.is(got.length, 1, lab.dump(t));
  assert.equal(keys(got[0].m.answers), ['_printer._sub._http._tcp.local PTR 4500']);
  assert.is(got[0].m.answers[0].data, INSTANCE);
  assert.ok(got[0].t - t >= 20 && got[0].t - t <= 120);
  assert.ok(find(got[0].m.additionals, INSTANCE, T.SRV).length === 1);
});

test('rfc6762 §6 IPv6: a query to ff02::fb is answered on ff02::fb; QU and legacy queries get unicast to the IPv6 source', () => {
  const lab = new Lab();
  lab.r.publish(HTTP);
  lab.run(SETTLE);
  lab.run(30_000);
  let t = lab.now;
  lab.ask([q(NAMES.host, T.AAAA)], [], { family: 6 });
  lab.run(1000);
  let got = lab.sent(t);
  assert.is(got.length, 1, lab.dump(t));
  assert.ok(got[0].family === 6 && got[0].multicast && got[0].srcPort === 5353 && got[0].src === R.v6);
  assert.equal(find(got[0].m.answers, NAMES.host, T.AAAA).map((r) => r.data), [R.v6]);
  t = lab.now;
  lab.ask([q(NAMES.host, T.AAAA, true)], [], { family: 6 });
  lab.run(1000);
  got = lab.sent(t);
  assert.is(got.length, 1, lab.dump(t));
  assert.ok(!got[0].multicast && got[0].dst === P.v6 && got[0].dstPort === 5353, lab.dump(t));
  t = lab.now;
  lab.ask([q(INSTANCE, T.SRV)], [], { family: 6, legacy: true, id: 99 });
  lab.run(1000);
  got = lab.sent(t);
  assert.is(got.length, 1, lab.dump(t));
  assert.ok(!got[0].multicast && got[0].dst === P.v6 && got[0].dstPort === lab.legacyPort(6) && got[0].m.id === 99, lab.dump(t));
});

test.run();
