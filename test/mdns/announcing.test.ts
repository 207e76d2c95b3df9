// RFC 6762 §8.3 announcing, §8.4 updating, and the responder's quietness
// (issue 3: N services that fit one packet cost 3 probes + 2 announcements
// per link; an idle hour costs nothing).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { T, txtDecode } from '../../src/wire/index.js';
import type { Rec } from '../../src/wire/index.js';
import type { ServiceSpec } from '../../src/dnssd/records.js';
import { HTTP, isProbe, isResponse, key, keys, Lab, NAMES, SETTLE } from './harness.js';

const SERVICES: ServiceSpec[] = [
  { name: 'My Web', type: '_http._tcp', port: 8080, txt: { path: '/' }, subtypes: ['_printer'] },
  { name: 'Other Web', type: '_http._tcp', port: 8081 },
  { name: 'Printer', type: '_ipp._tcp', port: 631, txt: { rp: 'ipp/print' } },
];

const inst = (s: ServiceSpec): string => `${s.name}.${s.type}.local`;

/** Every record of the host and SERVICES, as `key()` lines: '!' is the cache-flush bit. */
const EVERYTHING = [
  `${NAMES.host} A! 120`, `${NAMES.host} AAAA! 120`, `${NAMES.rev4} PTR! 120`, `${NAMES.rev6} PTR! 120`,
  '_http._tcp.local PTR 4500', '_http._tcp.local PTR 4500', '_ipp._tcp.local PTR 4500',
  '_services._dns-sd._udp.local PTR 4500', '_services._dns-sd._udp.local PTR 4500',
  '_printer._sub._http._tcp.local PTR 4500',
  ...SERVICES.flatMap((s) => [`${inst(s)} SRV! 120`, `${inst(s)} TXT! 4500`]),
].sort();

test('rfc6762 §8.3 announcing: two announcements 1 s apart, aggregated across services, cache-flush on unique records only', () => {
  const lab = new Lab({ responder: { families: [4] } });
  for (const s of SERVICES) lab.r.publish(s);
  lab.run(SETTLE);
  const probes = lab.sent().filter(isProbe);
  const announcements = lab.sent().filter(isResponse);
  // "The Multicast DNS responder MUST send at least two unsolicited responses, one second apart."
  assert.is(announcements.length, 2, lab.dump());
  assert.is(announcements[0].t, probes[2].t + 250);
  assert.is(announcements[1].t - announcements[0].t, 1000);
  for (const a of announcements) {
    assert.ok(a.multicast && a.srcPort === 5353 && a.dstPort === 5353);
    assert.ok(a.m.qr && a.m.aa && a.m.id === 0 && a.m.opcode === 0 && a.m.rcode === 0);
    // §6: "Multicast DNS responses MUST NOT contain any questions in the Question Section."
    assert.is(a.m.questions.length, 0);
    // §8.3: "...containing, in the Answer Section, all of its newly registered resource records".
    // §10.2: "The cache-flush bit MUST NOT ever be set in any shared resource record"; unique ones carry it.
    const ids = a.m.answers.map((r) => `${key(r)} ${JSON.stringify(r.data)}`);
    assert.equal(ids.filter((x, i) => ids.indexOf(x) !== i), [], 'each record once (two services of one type share one _services PTR)');
    assert.equal(keys(a.m.answers.filter((r) => r.type !== T.NSEC)), EVERYTHING);
    const ptr = a.m.answers.filter((r) => r.name === '_printer._sub._http._tcp.local');
    assert.equal(ptr.map((r) => r.data), [inst(SERVICES[0])]);
  }
  // §8.3: "...MUST NOT send regular periodic announcements": nothing more.
  lab.run(600_000);
  assert.is(lab.sent().filter(isResponse).length, 2, lab.dump(SETTLE));
});

test('rfc6762 §10 TTLs: 120 s for records naming the host, 4500 s otherwise, both configurable', () => {
  const lab = new Lab({ responder: { families: [4], ttl: { host: 60, other: 900 } } });
  lab.r.publish(SERVICES[0]);
  lab.run(SETTLE);
  const a = lab.sent().filter(isResponse)[0].m.answers;
  assert.equal(keys(a.filter((r) => r.type !== T.NSEC)), [
    `${NAMES.host} A! 60`, `${NAMES.host} AAAA! 60`, `${NAMES.rev4} PTR! 60`, `${NAMES.rev6} PTR! 60`,
    '_http._tcp.local PTR 900', '_services._dns-sd._udp.local PTR 900', '_printer._sub._http._tcp.local PTR 900',
    `${inst(SERVICES[0])} SRV! 60`, `${inst(SERVICES[0])} TXT! 900`,
  ].sort(), lab.dump());
});

test('rfc6762 §17 a smaller packet budget: announcements split so that every packet fits, each record once', () => {
  const lab = new Lab({ responder: { families: [4], budget: 512 } });
  const specs: ServiceSpec[] = Array.from({ length: 12 }, (_, i) => ({ name: `Service ${i + 1}`, type: '_http._tcp', port: 8000 + i }));
  for (const s of specs) lab.r.publish(s);
  lab.run(SETTLE);
  const first = lab.sent().filter(isResponse).filter((p, _, all) => p.t === all[0].t);
  assert.ok(first.length > 1, lab.dump());
  assert.ok(first.every((p) => p.data.length <= 512), first.map((p) => p.data.length).join(', '));
  const ids = first.flatMap((p) => p.m.answers).filter((r) => r.type !== T.NSEC).map((r) => `${key(r)} ${JSON.stringify(r.data)}`);
  assert.equal(ids.filter((x, i) => ids.indexOf(x) !== i), [], 'each record once');
  // 4 host records, one _services PTR, PTR + SRV + TXT per service.
  assert.is(ids.length, 4 + 1 + 3 * specs.length);
});

/** The TXT strings of a record as 'key=value' text. */
const txtText = (r: Rec): string[] => [...txtDecode(r.data as Uint8Array[])].map(([k, v]) => (v === true ? k : `${k}=${new TextDecoder().decode(v)}`));

test('rfc6762 §8.4 update(txt): only the TXT record is re-announced, twice 1 s apart, with no probe', () => {
  const lab = new Lab({ responder: { families: [4] } });
  const h = lab.publishSettled(HTTP);
  const t0 = lab.now;
  h.update({ txt: { path: '/new' } });
  lab.run(SETTLE);
  const sent = lab.sent(t0);
  // §8.4: "...the host MUST repeat the Announcing step described above to update neighboring caches" - not the probing step.
  assert.is(sent.filter((p) => !p.m.qr).length, 0, 'no probe for an update');
  assert.is(sent.length, 2, lab.dump(t0));
  assert.is(sent[0].t, t0, 'the first announcement goes at once');
  assert.is(sent[1].t - sent[0].t, 1000);
  for (const p of sent) {
    assert.equal(keys(p.m.answers), ['My Web._http._tcp.local TXT! 4500'], lab.dump(t0));
    assert.equal(txtText(p.m.answers[0]), ['path=/new']);
  }
});

test('rfc6762 §8.4 update(port): only the SRV record is re-announced, twice 1 s apart, with no probe', () => {
  const lab = new Lab({ responder: { families: [4] } });
  const h = lab.publishSettled(HTTP);
  const t0 = lab.now;
  h.update({ port: 9090 });
  lab.run(SETTLE);
  const sent = lab.sent(t0);
  assert.is(sent.filter((p) => !p.m.qr).length, 0, 'no probe for an update');
  assert.is(sent.length, 2, lab.dump(t0));
  assert.is(sent[1].t - sent[0].t, 1000);
  for (const p of sent) {
    assert.equal(keys(p.m.answers), ['My Web._http._tcp.local SRV! 120'], lab.dump(t0));
    assert.is((p.m.answers[0].data as { port: number }).port, 9090);
  }
});

test('quiet: after establishment one idle virtual hour with no queries sends zero packets', () => {
  const lab = new Lab();
  for (const s of SERVICES) lab.r.publish(s);
  lab.run(SETTLE);
  const t0 = lab.now;
  lab.run(3_600_000);
  assert.is(lab.sent(t0).length, 0, lab.dump(t0));
});

test('quiet: N services that fit one packet cost 3 probe packets + 2 announcement packets per link, host records included', () => {
  const lab = new Lab();
  // Published in the same instant as the responder starts: the host's own
  // records probe and announce in the same packets as the services'.
  for (const s of SERVICES) lab.r.publish(s);
  lab.run(SETTLE);
  for (const family of [4, 6] as const) {
    const sent = lab.sent(0, { family });
    assert.is(sent.filter(isProbe).length, 3, `IPv${family} probes: ${lab.dump()}`);
    assert.is(sent.filter(isResponse).length, 2, `IPv${family} announcements: ${lab.dump()}`);
    assert.is(sent.length, 5);
  }
});

test('quiet: a service published after the host is established costs 3 probes + 2 announcements of its own records only', () => {
  const lab = new Lab({ responder: { families: [4] } });
  lab.run(SETTLE);
  assert.is(lab.sent().length, 5, 'the host alone: 3 probes + 2 announcements');
  const t0 = lab.now;
  lab.r.publish(SERVICES[1]);
  lab.run(SETTLE);
  const sent = lab.sent(t0);
  assert.is(sent.filter(isProbe).length, 3, lab.dump(t0));
  assert.is(sent.filter(isResponse).length, 2, lab.dump(t0));
  for (const p of sent.filter(isProbe)) assert.equal(p.m.questions.map((x) => x.name), [inst(SERVICES[1])]);
  for (const p of sent.filter(isResponse)) {
    // The host's records were announced already; the new SRV names the host but its A/AAAA need no repeat.
    assert.equal(keys(p.m.answers.filter((r) => r.type !== T.NSEC)), [
      '_http._tcp.local PTR 4500', '_services._dns-sd._udp.local PTR 4500', `${inst(SERVICES[1])} SRV! 120`, `${inst(SERVICES[1])} TXT! 4500`,
    ].sort());
  }
});

test.run();
