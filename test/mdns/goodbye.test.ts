// RFC 6762 §10.1 goodbye packets on unpublish() and close(), with the
// §10.2 cache-flush bit on unique records only.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encode, message, T } from '../../src/wire/index.js';
import type { ServiceSpec } from '../../src/dnssd/records.js';
import { HTTP, key, keys, Lab, NAMES, SETTLE } from './harness.js';

const BUDGET = 1452;
const MINE: ServiceSpec = { ...HTTP, subtypes: ['_printer'] };
const SECOND: ServiceSpec = { name: 'Second', type: '_http._tcp', port: 8081 };
const inst = (s: ServiceSpec): string => `${s.name}.${s.type}.local`;

test('rfc6762 §10.1 unpublish: one packet with the service\'s records at TTL 0, not the shared _services PTR while another service of the type remains', async () => {
  const lab = new Lab({ responder: { families: [4] } });
  const h = lab.r.publish(MINE);
  const second = lab.r.publish(SECOND);
  lab.run(SETTLE);
  let t = lab.now;
  await h.unpublish();
  lab.run(SETTLE);
  let sent = lab.sent(t);
  assert.is(sent.length, 1, lab.dump(t));
  assert.is(sent[0].t, t, 'the goodbye goes at once');
  assert.ok(sent[0].multicast && sent[0].m.qr && sent[0].m.aa);
  // "...an unsolicited Multicast DNS response packet, giving the same resource record name, rrtype, rrclass, and rdata, but an RR TTL of zero."
  // §10.2: "The cache-flush bit MUST NOT ever be set in any shared resource record."
  assert.equal(keys(sent[0].m.answers), [
    '_http._tcp.local PTR 0', '_printer._sub._http._tcp.local PTR 0', `${inst(MINE)} SRV! 0`, `${inst(MINE)} TXT! 0`,
  ].sort());
  assert.equal(sent[0].m.answers.filter((r) => r.type === T.PTR).map((r) => r.data), [inst(MINE), inst(MINE)]);
  assert.is(sent[0].m.additionals.length, 0);
  // The last service of the type takes the enumeration PTR with it.
  t = lab.now;
  await second.unpublish();
  lab.run(SETTLE);
  sent = lab.sent(t);
  assert.is(sent.length, 1, lab.dump(t));
  assert.equal(keys(sent[0].m.answers), [
    '_http._tcp.local PTR 0', '_services._dns-sd._udp.local PTR 0', `${inst(SECOND)} SRV! 0`, `${inst(SECOND)} TXT! 0`,
  ].sort());
  // Unpublished names are not answered any more.
  t = lab.now;
  lab.ask([{ name: inst(MINE), type: T.SRV, class: 1, qu: false }, { name: '_http._tcp.local', type: T.PTR, class: 1, qu: false }]);
  lab.run(1000);
  assert.is(lab.sent(t).length, 0, lab.dump(t));
});

test('rfc6762 §10.1 unpublish while probing: probing stops and no goodbye is sent for records never announced', async () => {
  const lab = new Lab({ responder: { families: [4] } });
  lab.run(SETTLE);
  const h = lab.r.publish(MINE);
  lab.run(300);
  const t = lab.now;
  assert.ok(lab.sent(t - 300).length >= 1, 'probing had started');
  await h.unpublish();
  lab.run(SETTLE);
  assert.is(lab.sent(t).length, 0, lab.dump(t - 300));
});

test('rfc6762 §10.1 close(): goodbyes for every record, aggregated into one packet per link when they fit', async () => {
  const lab = new Lab();
  const specs: ServiceSpec[] = [MINE, SECOND, { name: 'Printer', type: '_ipp._tcp', port: 631 }];
  for (const s of specs) lab.r.publish(s);
  lab.run(SETTLE);
  const t = lab.now;
  await lab.r.close();
  lab.run(SETTLE);
  for (const family of [4, 6] as const) {
    const sent = lab.sent(t, { family });
    assert.is(sent.length, 1, lab.dump(t));
    const recs = sent[0].m.answers;
    assert.ok(recs.every((r) => r.ttl === 0));
    assert.equal(keys(recs.filter((r) => r.type !== T.NSEC)), [
      `${NAMES.host} A! 0`, `${NAMES.host} AAAA! 0`, `${NAMES.rev4} PTR! 0`, `${NAMES.rev6} PTR! 0`,
      '_http._tcp.local PTR 0', '_http._tcp.local PTR 0', '_ipp._tcp.local PTR 0', '_printer._sub._http._tcp.local PTR 0',
      '_services._dns-sd._udp.local PTR 0', '_services._dns-sd._udp.local PTR 0',
      ...specs.flatMap((s) => [`${inst(s)} SRV! 0`, `${inst(s)} TXT! 0`]),
    ].sort(), lab.dump(t));
  }
  // Closed: silent from now on.
  const t2 = lab.now;
  lab.ask([{ name: NAMES.host, type: T.A, class: 1, qu: false }]);
  lab.run(SETTLE);
  assert.is(lab.sent(t2).length, 0);
});

test('rfc6762 §10.1 close() with 100 services: every record says goodbye once, in as few packets as fit', async () => {
  const lab = new Lab({ responder: { families: [4] } });
  const specs: ServiceSpec[] = Array.from({ length: 100 }, (_, i) => ({ name: `Service ${i + 1}`, type: '_http._tcp', port: 8000 + i, txt: { n: String(i) } }));
  for (const s of specs) lab.r.publish(s);
  lab.run(SETTLE);
  const t = lab.now;
  await lab.r.close();
  lab.run(SETTLE);
  const sent = lab.sent(t);
  assert.ok(sent.length > 1, lab.dump(t));
  assert.ok(sent.every((p) => p.t === t && p.data.length <= BUDGET));
  const all = sent.flatMap((p) => p.m.answers);
  assert.ok(all.every((r) => r.ttl === 0));
  const ids = all.map((r) => `${key(r)} ${JSON.stringify(r.data)}`);
  assert.equal(ids.filter((x, i) => ids.indexOf(x) !== i), [], 'each record once');
  // 4 host records, the _services PTR, and PTR + SRV + TXT per service.
  assert.is(all.filter((r) => r.type !== T.NSEC).length, 4 + 1 + 3 * 100);
  // As few as fit: the first record of each packet would not have fit in the packet before it.
  for (let i = 1; i < sent.length; i++) {
    const joined = encode(message({ qr: true, aa: true, answers: [...sent[i - 1].m.answers, sent[i].m.answers[0]] }));
    assert.ok(joined.length > BUDGET, `packet ${i} had room for ${key(sent[i].m.answers[0])}`);
  }
});

test.run();
