// RFC 6762 §7 traffic reduction on the responder side: known-answer
// suppression (§7.1), multi-packet known answers (§7.2), duplicate answer
// suppression (§7.4).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { T } from '../../src/wire/index.js';
import type { ServiceSpec } from '../../src/dnssd/records.js';
import { HTTP, isResponse, keys, Lab, NAMES, q, R, rr, SETTLE } from './harness.js';

const INSTANCE = 'My Web._http._tcp.local';
const SECOND: ServiceSpec = { name: 'Second', type: '_http._tcp', port: 8081 };
const ptr = (target: string, ttl: number) => rr('_http._tcp.local', T.PTR, target, ttl);

function ready(): Lab {
  const lab = new Lab({ responder: { families: [4] } });
  lab.r.publish(HTTP);
  lab.r.publish(SECOND);
  lab.run(SETTLE);
  return lab;
}

/** Answers to one query from the peer, sent now. */
function askAndCollect(lab: Lab, run: () => void): { t: number; answers: string[][] } {
  const t = lab.now;
  run();
  lab.run(2000);
  return { t, answers: lab.sent(t).filter(isResponse).map((p) => p.m.answers.map((r) => `${r.name} ${r.type} ${r.data}`)) };
}

test('rfc6762 §7.1 known-answer suppression: a known answer with at least half our TTL is not repeated', () => {
  const lab = ready();
  // Both PTRs known with exactly half of 4500: nothing to say.
  let got = askAndCollect(lab, () => lab.ask([q('_http._tcp.local', T.PTR)], [ptr(INSTANCE, 2250), ptr('Second._http._tcp.local', 4500)]));
  // "A Multicast DNS responder MUST NOT answer a Multicast DNS query if the answer it would give is already included in the Answer Section with an RR TTL at least half the correct value."
  assert.equal(got.answers, [], lab.dump(got.t));
  // One known with full TTL, the other missing: only the missing one is answered.
  got = askAndCollect(lab, () => lab.ask([q('_http._tcp.local', T.PTR)], [ptr(INSTANCE, 4500)]));
  assert.equal(got.answers, [[`_http._tcp.local ${T.PTR} Second._http._tcp.local`]], lab.dump(got.t));
  // A unique record: A known with 60 s (half of 120).
  got = askAndCollect(lab, () => lab.ask([q(NAMES.host, T.A)], [rr(NAMES.host, T.A, R.v4, 60)]));
  assert.equal(got.answers, [], lab.dump(got.t));
});

test('rfc6762 §7.1 known-answer suppression: a known answer with less than half our TTL is answered', () => {
  const lab = ready();
  let got = askAndCollect(lab, () => lab.ask([q('_http._tcp.local', T.PTR)], [ptr(INSTANCE, 2249), ptr('Second._http._tcp.local', 4500)]));
  // "If the RR TTL of the answer as given in the Answer Section is less than half of the true RR TTL ..., the responder MUST send an answer"
  assert.equal(got.answers, [[`_http._tcp.local ${T.PTR} ${INSTANCE}`]], lab.dump(got.t));
  got = askAndCollect(lab, () => lab.ask([q(NAMES.host, T.A)], [rr(NAMES.host, T.A, R.v4, 59)]));
  assert.equal(got.answers, [[`${NAMES.host} ${T.A} ${R.v4}`]], lab.dump(got.t));
  // A known answer with other rdata suppresses nothing.
  got = askAndCollect(lab, () => lab.ask([q(NAMES.host, T.A)], [rr(NAMES.host, T.A, '192.168.1.99', 120)]));
  assert.equal(got.answers, [[`${NAMES.host} ${T.A} ${R.v4}`]], lab.dump(got.t));
});

test('rfc6762 §7.2 multi-packet known answers: a TC query and its follow-up known answers get one answer at 400-500 ms without the known ones', () => {
  const lab = ready();
  const t = lab.now;
  lab.ask([q('_http._tcp.local', T.PTR)], [], { tc: true });
  lab.run(100);
  // The follow-up packet: no questions, the rest of the known answers, from the same source.
  lab.ask([], [ptr(INSTANCE, 4500)]);
  lab.run(2000);
  const got = lab.sent(t).filter(isResponse);
  assert.is(got.length, 1, lab.dump(t));
  // "...responders SHOULD delay their responses by a random amount of time selected with uniform random distribution in the range 400-500 ms"
  assert.ok(got[0].t - t >= 400 && got[0].t - t <= 500, `answered at +${got[0].t - t} ms`);
  // "If the responder sees any of its answers listed in the Known-Answer lists of subsequent packets from the querying host, it MUST delete that answer"
  assert.equal(keys(got[0].m.answers), ['_http._tcp.local PTR 4500']);
  assert.is(got[0].m.answers[0].data, 'Second._http._tcp.local');
});

test('rfc6762 §7.2 multi-packet known answers: a TC query with no follow-up is answered at the 400-500 ms timeout', () => {
  const lab = ready();
  const t = lab.now;
  lab.ask([q(INSTANCE, T.SRV)], [], { tc: true });
  lab.run(2000);
  const got = lab.sent(t).filter(isResponse);
  assert.is(got.length, 1, lab.dump(t));
  assert.ok(got[0].t - t >= 400 && got[0].t - t <= 500, `answered at +${got[0].t - t} ms`);
  assert.equal(keys(got[0].m.answers), [`${INSTANCE} SRV! 120`]);
});

test('rfc6762 §7.4 duplicate answer suppression: another host answering first with our TTL means we do not send', () => {
  const lab = ready();
  const t = lab.now;
  lab.ask([q('_http._tcp.local', T.PTR)], [ptr('Second._http._tcp.local', 4500)]);
  lab.run(10);
  // Within our 20-120 ms delay another responder multicasts the same answer.
  lab.send({ qr: true, aa: true, answers: [ptr(INSTANCE, 4500)] });
  lab.run(2000);
  // "...it sees another host on the network send a response message containing the same answer record, and the TTL in that record is not less than the TTL this host would have given, then this host SHOULD treat its own answer as having been sent"
  assert.is(lab.sent(t).length, 0, lab.dump(t));
});

test('rfc6762 §7.4 duplicate answer suppression: another host answering first with a lower TTL does not stop our answer', () => {
  const lab = ready();
  const t = lab.now;
  lab.ask([q('_http._tcp.local', T.PTR)], [ptr('Second._http._tcp.local', 4500)]);
  lab.run(10);
  // 3000 s: more than half of 4500 but less than the TTL we would have given.
  lab.send({ qr: true, aa: true, answers: [ptr(INSTANCE, 3000)] });
  lab.run(2000);
  const got = lab.sent(t).filter(isResponse);
  assert.is(got.length, 1, lab.dump(t));
  assert.equal(keys(got[0].m.answers), ['_http._tcp.local PTR 4500']);
});

test('rfc6762 §6.6 our record seen from another host with less than half our TTL is multicast again', () => {
  const lab = ready();
  lab.run(2000);
  const t = lab.now;
  lab.send({ qr: true, aa: true, answers: [rr(INSTANCE, T.SRV, { priority: 0, weight: 0, port: 8080, target: NAMES.host }, 59, true)] });
  lab.run(2000);
  // "If the TTL of B's resource record given in the message is less than half the true TTL from A's point of view, then A MUST mark its record to be announced via multicast."
  const got = lab.sent(t).filter(isResponse);
  assert.is(got.length, 1, lab.dump(t));
  assert.ok(got[0].multicast);
  assert.equal(keys(got[0].m.answers), [`${INSTANCE} SRV! 120`]);
  // With at least half, nothing is needed.
  const t2 = lab.now;
  lab.send({ qr: true, aa: true, answers: [rr(INSTANCE, T.SRV, { priority: 0, weight: 0, port: 8080, target: NAMES.host }, 60, true)] });
  lab.run(2000);
  assert.is(lab.sent(t2).length, 0, lab.dump(t2));
});

test.run();
