// What the responder must not act on: non-zero opcodes and rcodes (RFC 6762
// §18), off-link sources (§11), and malformed or random packets (issue 3,
// "Bad input": counted, never thrown, never stopping the responder).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decode, EncodeError, encode, message, T } from '../../src/wire/index.js';
import { message as randomMessage, mutate, noise, Rng } from '../wire/gen.js';
import { HTTP, isProbe, isResponse, Lab, MDNS, NAMES, q, rr, SETTLE, srv } from './harness.js';

const INSTANCE = 'My Web._http._tcp.local';

function ready(): Lab {
  const lab = new Lab();
  lab.r.publish(HTTP);
  lab.run(SETTLE);
  lab.run(2000);
  return lab;
}

test('rfc6762 §18.3 a query with opcode != 0 is ignored', () => {
  const lab = ready();
  const t = lab.now;
  for (const opcode of [1, 2, 4, 5, 15]) lab.send({ opcode, questions: [q(NAMES.host, T.A)] });
  lab.run(2000);
  // "Multicast DNS messages received with non-zero OPCODEs MUST be silently ignored."
  assert.is(lab.sent(t).length, 0, lab.dump(t));
  lab.send({ questions: [q(NAMES.host, T.A)] });
  lab.run(10);
  assert.is(lab.sent(t).length, 1, 'the same query with opcode 0 is answered');
});

test('rfc6762 §18.11 a response with rcode != 0 is ignored: its conflicting record starts no probe', () => {
  const lab = ready();
  const t = lab.now;
  const claim = rr(INSTANCE, T.SRV, srv(1, 'thief.local'), 120, true);
  lab.send({ qr: true, aa: true, rcode: 3, answers: [claim] });
  lab.run(5000);
  // "Multicast DNS messages received with non-zero Response Codes MUST be silently ignored."
  assert.is(lab.sent(t).length, 0, lab.dump(t));
  lab.send({ qr: true, aa: true, answers: [claim] });
  lab.run(5000);
  assert.ok(lab.sent(t + 5000).some(isProbe), `with rcode 0 the same record is a conflict: ${lab.dump(t)}`);
});

test('rfc6762 §11 a query from an off-link source is ignored (IPv4 outside the subnet, IPv6 not link-local nor on-prefix)', () => {
  const lab = ready();
  const stranger = lab.sim.host('x', [{ name: 'eth0', link: lab.lan, v4: '10.9.9.9/24', v6: '2001:db8::9/64' }]);
  const t = lab.now;
  for (const family of [4, 6] as const) {
    const s = stranger.platform.open({ family, port: 5353 });
    s.send(encode(message({ questions: [q(NAMES.host, T.A)] })), { addr: MDNS[family], port: 5353 });
    s.send(encode(message({ questions: [q(INSTANCE, T.SRV)] })), { addr: MDNS[family], port: 5353 });
  }
  lab.run(2000);
  assert.ok(lab.packets({ host: 'x' }).some((p) => p.src === '2001:db8::9'), 'the IPv6 query came from the global address');
  // §11: only packets from the local link are to be answered: "...a Multicast DNS responder MUST check ... the source address".
  assert.is(lab.sent(t).length, 0, lab.dump(t));
  // A legacy query from off-link is not answered either.
  const legacy = stranger.platform.open({ family: 4, port: 0 });
  legacy.send(encode(message({ id: 9, questions: [q(NAMES.host, T.A)] })), { addr: MDNS[4], port: 5353 });
  lab.run(2000);
  assert.is(lab.sent(t).length, 0, lab.dump(t));
  assert.ok((lab.r.counters.offLink ?? 0) >= 5);
});

test('rfc6762 §11 a response with IP TTL other than 255 is not believed; a query with TTL 1 is still answered', () => {
  const lab = ready();
  const t = lab.now;
  const claim = rr(INSTANCE, T.SRV, srv(1, 'thief.local'), 120, true);
  for (const family of [4, 6] as const) lab.send({ qr: true, aa: true, answers: [claim] }, { family, ttl: 1 });
  lab.run(5000);
  // "...older queriers ... discard all packets with TTLs other than 255": such a packet may have crossed a router.
  assert.is(lab.sent(t).length, 0, lab.dump(t));
  assert.is(lab.r.counters.badTtl, 2);
  lab.send({ questions: [q(NAMES.host, T.A)] }, { ttl: 1 });
  lab.run(2000);
  assert.is(lab.sent(t).length, 1, `a query is answered whatever its TTL: ${lab.dump(t)}`);
  lab.send({ qr: true, aa: true, answers: [claim] }, { ttl: 255 });
  lab.run(5000);
  assert.ok(lab.sent(t + 7000).some(isProbe), `the same response with TTL 255 is a conflict: ${lab.dump(t)}`);
});

test('rfc6762 §11 a conflicting response from an off-link source is ignored', () => {
  const lab = ready();
  const stranger = lab.sim.host('x', [{ name: 'eth0', link: lab.lan, v4: '10.9.9.9/24' }]);
  const t = lab.now;
  stranger.platform.open({ family: 4, port: 5353 })
    .send(encode(message({ qr: true, aa: true, answers: [rr(INSTANCE, T.SRV, srv(1, 'thief.local'), 120, true)] })), { addr: MDNS[4], port: 5353 });
  const h = lab.r.publish({ name: 'ok', type: '_http._tcp', port: 80 });
  assert.throws(() => h.update({ txt: { k: 'v'.repeat(300) } }), (e: unknown) => e instanceof EncodeError && e.field === 'TXT key k');
  lab.run(5000);
  assert.ok(lab.sent(t).every((p) => !JSON.stringify(p.m).includes('vvvv')), lab.dump(t));
});

test('bad input: a flood of 1,000 queries within one second costs one multicast of the record, and answering goes on', () => {
  const lab = ready();
  const t = lab.now;
  for (let i = 0; i < 1000; i++) {
    lab.ask([q(NAMES.host, T.A)]);
    lab.run(1);
  }
  // §6.2: "...MUST NOT ... multicast a record on a given interface until at least one second has elapsed since the last time"
  const got = lab.sent(t).filter(isResponse);
  const perFamily = (f: 4 | 6) => got.filter((p) => p.family === f && p.m.answers.some((r) => r.type === T.A)).length;
  assert.ok(perFamily(4) <= 1 && perFamily(6) === 0, `responses: ${got.length}`);
  lab.run(1000);
  const t2 = lab.now;
  lab.ask([q(NAMES.host, T.A)]);
  lab.run(10);
  assert.is(lab.sent(t2).filter(isResponse).length, 1, lab.dump(t2));
  assert.not.ok(lab.r.counters.internalError);
});

test('bad input: 1,000 random and malformed packets are counted, nothing escapes, and the responder still answers', () => {
  const lab = ready();
  const rng = new Rng(3);
  const valid = encode(message({ qr: true, answers: [rr(INSTANCE, T.TXT, [new Uint8Array([1, 2])], 10)] }));
  let bad = 0;
  const t = lab.now;
  for (let i = 0; i < 1000; i++) {
    let p: Uint8Array;
    if (i % 3 === 0) p = noise(rng);
    else if (i % 3 === 1) p = mutate(rng, valid, encode(randomMessage(rng)));
    else p = mutate(rng, encode(randomMessage(rng)), valid);
    try { decode(p); } catch { bad++; }
    lab.sendBytes(p, i % 2 ? 6 : 4);
    if (i % 50 === 0) lab.run(1);
  }
  lab.run(5000);
  assert.ok(bad > 500, `malformed: ${bad}`);
  assert.is(lab.r.counters.malformed, bad);
  assert.not.ok(lab.r.counters.internalError, `internal errors: ${lab.r.counters.internalError}`);
  // Still answering, at once, with the same name.
  const t2 = lab.now;
  lab.ask([q(INSTANCE, T.SRV)]);
  lab.run(10);
  const got = lab.sent(t2).filter(isResponse);
  assert.is(got.length, 1, lab.dump(t));
  assert.is(got[0].m.answers[0].name, INSTANCE);
});

test('bad input: a service whose records cannot be encoded is refused by publish() and update() with the field named, and nothing is sent for it', () => {
  const lab = ready();
  const t = lab.now;
  // 33 characters but 66 bytes of UTF-8: over the 63-byte label limit.
  assert.throws(() => lab.r.publish({ name: 'é'.repeat(33), type: '_http._tcp', port: 80 }), (e: unknown) => e instanceof EncodeError && /label over 63 bytes/.test((e as Error).message));
  assert.throws(() => lab.r.publish({ name: 'ok', type: '_http._tcp', port: 80, txt: { k: 'v'.repeat(300) } }), (e: unknown) => e instanceof EncodeError && e.field === 'TXT key k');
  const h = lab.r.publish({ name: 'ok', type: '_http._tcp', port: 80 });
  assert.throws(() => h.update({ txt: { k: 'v'.repeat(300) } }), (e: unknown) => e instanceof EncodeError && e.field === 'TXT key k');
  lab.run(5000);
  assert.ok(lab.sent(t).every((p) => !JSON.stringify(p.m).includes('vvvv')), lab.dump(t));
  assert.not.ok(lab.r.counters.internalError);
});

test.run();
