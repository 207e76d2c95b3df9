// RFC 6762 §9 conflict resolution (and §6.6 on what is not a conflict):
// renaming during probing, re-probing after establishment, the handle's
// events, SRV targets following a renamed host.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { T } from '../../src/wire/index.js';
import type { Message, Rec, Srv } from '../../src/wire/index.js';
import type { ServiceSpec } from '../../src/dnssd/records.js';
import type { ServiceHandle } from '../../src/mdns/responder.js';
import { HTTP, isProbe, isResponse, Lab, NAMES, R, rr, SETTLE, srv } from './harness.js';

const INSTANCE = 'My Web._http._tcp.local';
const RENAMED = 'My Web (2)._http._tcp.local';
const txt = (s: string): Uint8Array[] => [new TextEncoder().encode(s)];

/** The peer answers the first `times` probes that ask about `name` with `claim` (a response, multicast). */
function defend(lab: Lab, name: string, claim: Rec[], times = 1): { answered: number[] } {
  const log = { answered: [] as number[] };
  lab.onPeer = (m: Message) => {
    if (m.qr || m.authorities.length === 0 || log.answered.length >= times) return;
    if (!m.questions.some((x) => x.name.toLowerCase() === name.toLowerCase())) return;
    log.answered.push(lab.now);
    lab.send({ qr: true, aa: true, answers: claim });
  };
  return log;
}

/** Records every event of the handle as 'event' or 'event:detail'. */
function watch(h: ServiceHandle): string[] {
  const events: string[] = [];
  for (const e of ['probing', 'established', 'renamed', 'conflict'] as const) h.on(e, (d) => events.push(e === 'renamed' ? `${e}:${JSON.stringify(d)}` : e));
  return events;
}

const names = (list: Rec[]): string[] => [...new Set(list.map((r) => r.name))];

test('rfc6762 §9 a response with our host name and other A data during probing: rename to host-2 and probe again', () => {
  const lab = new Lab({ responder: { families: [4] } });
  const claim = defend(lab, NAMES.host, [rr(NAMES.host, T.A, '192.168.1.99', 120, true)]);
  lab.run(SETTLE);
  assert.is(claim.answered.length, 1);
  // §9: "...the host MUST ... choose a new name"; §8.1: "...SHOULD choose new names for some or all of its resource records as appropriate."
  assert.is(lab.r.hostName, 'hush-2.local');
  const probes = lab.sent(claim.answered[0] + 1).filter(isProbe);
  assert.is(probes.length, 3, lab.dump());
  for (const p of probes) assert.ok(p.m.questions.some((x) => x.name === 'hush-2.local'));
  assert.ok(probes[0].m.questions.every((x) => x.qu), 'a new probing sequence starts with QU');
  const announced = lab.sent().filter(isResponse).flatMap((p) => p.m.answers);
  assert.ok(announced.some((r) => r.name === 'hush-2.local' && r.type === T.A && r.data === R.v4), lab.dump());
  assert.not.ok(announced.some((r) => r.name === NAMES.host), 'the lost name is never announced');
  assert.ok(announced.filter((r) => r.type === T.PTR && r.name === NAMES.rev4).every((r) => r.data === 'hush-2.local'));
});

test('rfc6762 §9 a response with our instance name during probing: rename to "Name (2)" and probe again; events reach the handle', () => {
  const lab = new Lab({ responder: { families: [4] } });
  const claim = defend(lab, INSTANCE, [rr(INSTANCE, T.SRV, srv(1, 'other.local'), 120, true)]);
  const h = lab.r.publish(HTTP);
  const events = watch(h);
  lab.run(SETTLE);
  assert.is(claim.answered.length, 1);
  // RFC 6763 §4.1 / RFC 6762 §9: a new name, 'My Web (2)'.
  assert.is(h.name, 'My Web (2)');
  assert.is(h.fullName, RENAMED);
  const probes = lab.sent(claim.answered[0] + 1).filter(isProbe);
  assert.is(probes.filter((p) => p.m.questions.some((x) => x.name === RENAMED)).length, 3, lab.dump());
  const announced = lab.sent().filter(isResponse).flatMap((p) => p.m.answers);
  assert.ok(announced.some((r) => r.name === RENAMED && r.type === T.SRV), lab.dump());
  assert.ok(announced.some((r) => r.name === '_http._tcp.local' && r.data === RENAMED));
  assert.not.ok(announced.some((r) => r.name === INSTANCE || r.data === INSTANCE), 'the lost name is never announced');
  assert.is(events.filter((e) => e === 'established').length, 1, events.join(', '));
  const at = (e: string): number => events.findIndex((x) => x.startsWith(e));
  assert.ok(at('conflict') >= 0 && at('conflict') < at('renamed') && at('renamed') < at('established'), events.join(', '));
  assert.is(events[at('renamed')], 'renamed:{"from":"My Web","to":"My Web (2)"}');
});

test('rfc6762 §9 the probing event reaches a handler attached right after publish()', () => {
  const lab = new Lab({ responder: { families: [4] } });
  const events = watch(lab.r.publish(HTTP));
  lab.run(SETTLE);
  assert.equal(events, ['probing', 'established']);
});

test('rfc6762 §9 a conflicting unique record after establishment: probe again, keep the name when nobody answers', () => {
  const lab = new Lab({ responder: { families: [4] } });
  const h = lab.r.publish(HTTP);
  lab.run(SETTLE);
  const events = watch(h);
  const t = lab.now;
  lab.send({ qr: true, aa: true, answers: [rr(INSTANCE, T.SRV, srv(1, 'other.local'), 120, true)] });
  lab.run(SETTLE);
  // "...the Multicast DNS responder MUST immediately reset its conflicted unique record to probing state, and go through the startup steps"
  const probes = lab.sent(t).filter(isProbe);
  assert.is(probes.length, 3, lab.dump(t));
  assert.ok(probes[0].t - t <= 250, `re-probe ${probes[0].t - t} ms after the conflict`);
  assert.ok(probes.every((p) => p.m.questions.some((x) => x.name === INSTANCE)));
  const announcements = lab.sent(t).filter(isResponse);
  assert.is(announcements.length, 2, lab.dump(t));
  assert.ok(announcements.every((p) => p.m.answers.some((r) => r.name === INSTANCE && r.type === T.SRV)));
  assert.is(h.name, 'My Web');
  assert.ok(events.includes('conflict'), events.join(', '));
  assert.not.ok(events.some((e) => e.startsWith('renamed')), events.join(', '));
});

test('rfc6762 §9 a conflicting unique record after establishment: probe again and rename when the peer answers the probe', () => {
  const lab = new Lab({ responder: { families: [4] } });
  const h = lab.r.publish(HTTP);
  lab.run(SETTLE);
  const events = watch(h);
  const claim = [rr(INSTANCE, T.SRV, srv(1, 'other.local'), 120, true)];
  const t = lab.now;
  const defended = defend(lab, INSTANCE, claim);
  // Found in the additional section: "...containing a conflicting resource record in any of the Resource Record Sections".
  lab.send({ qr: true, aa: true, answers: [rr('other.local', T.A, '192.168.1.20', 120, true)], additionals: claim });
  lab.run(SETTLE);
  assert.is(defended.answered.length, 1, lab.dump(t));
  assert.is(h.name, 'My Web (2)');
  const announced = lab.sent(t).filter(isResponse).flatMap((p) => p.m.answers);
  assert.ok(announced.some((r) => r.name === RENAMED && r.type === T.SRV), lab.dump(t));
  assert.ok(events.includes('conflict') && events.some((e) => e.startsWith('renamed')), events.join(', '));
});

test('rfc6762 §9/§6.6 identical data is not a conflict, during probing or after', () => {
  const lab = new Lab({ responder: { families: [4] } });
  const same = [rr(INSTANCE, T.SRV, srv(8080, NAMES.host), 120, true), rr(INSTANCE, T.TXT, txt('path=/'), 4500, true)];
  defend(lab, INSTANCE, same);
  const h = lab.r.publish(HTTP);
  const events = watch(h);
  lab.run(SETTLE);
  const t = lab.now;
  lab.send({ qr: true, aa: true, answers: same });
  lab.run(SETTLE);
  assert.is(h.name, 'My Web');
  // (The 'probing' event has its own test.)
  assert.equal(events.filter((e) => e !== 'probing'), ['established']);
  assert.is(lab.sent(t).length, 0, lab.dump(t));
});

test('rfc6762 §6.6 a shared record with other data is not a conflict', () => {
  const lab = new Lab({ responder: { families: [4] } });
  const h = lab.r.publish(HTTP);
  lab.run(SETTLE);
  const events = watch(h);
  const t = lab.now;
  // "If A's resource record is intended to be a shared resource record, then this is no conflict, and no action is required."
  lab.send({ qr: true, aa: true, answers: [
    rr('_http._tcp.local', T.PTR, 'Other._http._tcp.local', 4500),
    rr('_services._dns-sd._udp.local', T.PTR, '_ipp._tcp.local', 4500),
  ] });
  lab.run(SETTLE);
  assert.is(lab.sent(t).length, 0, lab.dump(t));
  assert.equal(events, []);
  assert.is(h.name, 'My Web');
});

test('rfc6762 §9 renaming the host updates every SRV target', () => {
  const lab = new Lab({ responder: { families: [4] } });
  defend(lab, NAMES.host, [rr(NAMES.host, T.AAAA, 'fe80::99', 120, true)]);
  const specs: ServiceSpec[] = [HTTP, { name: 'Printer', type: '_ipp._tcp', port: 631 }];
  for (const s of specs) lab.r.publish(s);
  lab.run(SETTLE);
  assert.is(lab.r.hostName, 'hush-2.local');
  const srvs = lab.sent().filter(isResponse).flatMap((p) => p.m.answers).filter((r) => r.type === T.SRV);
  assert.equal(names(srvs).sort(), [INSTANCE, 'Printer._ipp._tcp.local'], lab.dump());
  assert.ok(srvs.every((r) => (r.data as Srv).target === 'hush-2.local'), lab.dump());
  // And answers after that name the new host too.
  const t = lab.now;
  lab.ask([{ name: 'Printer._ipp._tcp.local', type: T.SRV, class: 1, qu: false }]);
  lab.run(10);
  const got = lab.sent(t).filter(isResponse);
  assert.is(got.length, 1, lab.dump(t));
  assert.is((got[0].m.answers[0].data as Srv).target, 'hush-2.local');
  assert.ok(got[0].m.additionals.some((r) => r.name === 'hush-2.local' && r.type === T.A));
});

test.run();
