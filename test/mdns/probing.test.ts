// RFC 6762 §8.1 probing and §8.2 simultaneous-probe tiebreaking, on the sim.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encode, message, T } from '../../src/wire/index.js';
import type { Message, Rec } from '../../src/wire/index.js';
import type { ServiceSpec } from '../../src/dnssd/records.js';
import { HTTP, isProbe, isResponse, Lab, NAMES, q, rr, SETTLE, srv } from './harness.js';
import type { Packet } from './harness.js';

const INSTANCE = 'My Web._http._tcp.local';
const BUDGET = 1452;

/** The probes the responder sent whose questions include `name`. */
const probesFor = (lab: Lab, name: string, since = 0): Packet[] =>
  lab.sent(since).filter((p) => isProbe(p) && p.m.questions.some((x) => x.name.toLowerCase() === name.toLowerCase()));

const services = (n: number, prefix = 'Service'): ServiceSpec[] =>
  Array.from({ length: n }, (_, i) => ({ name: `${prefix} ${i + 1}`, type: i % 2 ? '_ipp._tcp' : '_http._tcp', port: 8000 + i, txt: { n: String(i) } }));

test('rfc6762 §8.1 probing: three probes 250 ms apart, first within 0-250 ms, QU on the first only, proposed records in authority', () => {
  const lab = new Lab({ responder: { families: [4] } });
  lab.r.publish(HTTP);
  lab.run(SETTLE);
  const probes = lab.sent().filter((p) => !p.m.qr);
  assert.is(probes.length, 3, lab.dump());
  // "the host should first wait for a short random delay time, uniformly distributed in the range 0-250 ms"
  assert.ok(probes[0].t >= 0 && probes[0].t <= 250, `first probe at ${probes[0].t}`);
  // "250 ms after the first query the host should send a second; then, 250 ms after that, a third."
  assert.is(probes[1].t - probes[0].t, 250);
  assert.is(probes[2].t - probes[1].t, 250);
  const names = [NAMES.host, NAMES.rev4, NAMES.rev6, INSTANCE].sort();
  probes.forEach((p, i) => {
    assert.ok(p.multicast && p.dstPort === 5353 && p.srcPort === 5353, 'probes go to the group from port 5353');
    assert.is(p.m.opcode, 0);
    assert.is(p.m.id, 0);
    assert.is(p.m.answers.length, 0);
    // §8.1: "query type 'ANY' (255)", one question per name being probed.
    assert.equal(p.m.questions.map((x) => x.name).sort(), names);
    assert.ok(p.m.questions.every((x) => x.type === T.ANY && x.class === 1));
    // §8.1: "the probes SHOULD be sent as 'QU' questions" - the first one (§5.4: "the first query ... QU").
    assert.ok(p.m.questions.every((x) => x.qu === (i === 0)), `QU on probe ${i + 1}: ${lab.dump()}`);
    // §8.2: "the Authority Section must contain *all* the records and proposed rdata being probed for uniqueness"
    assert.equal(p.m.authorities.map((r) => `${r.name} ${r.type}`).sort(), [
      `${NAMES.host} ${T.A}`, `${NAMES.host} ${T.AAAA}`, `${NAMES.rev4} ${T.PTR}`, `${NAMES.rev6} ${T.PTR}`,
      `${INSTANCE} ${T.SRV}`, `${INSTANCE} ${T.TXT}`,
    ].sort());
    assert.ok(p.m.authorities.every((r) => r.ttl === (r.type === T.TXT ? 4500 : 120)), 'proposed records carry their real TTLs');
  });
  // "If, by 250 ms after the third probe, no conflicting Multicast DNS responses have been received, the host may move to ... announcing."
  const first = lab.sent().find(isResponse)!;
  assert.is(first.t, probes[2].t + 250);
});

test('rfc6762 §8.1 probing: names probing at once share packets (three services published together: every probe carries all names)', () => {
  const lab = new Lab({ responder: { families: [4] } });
  const specs = services(3);
  for (const s of specs) lab.r.publish(s);
  lab.run(SETTLE);
  const probes = lab.sent().filter(isProbe);
  assert.is(probes.length, 3, lab.dump());
  for (const p of probes) {
    for (const s of specs) assert.ok(p.m.questions.some((x) => x.name === `${s.name}.${s.type}.local`), `${s.name} in ${lab.dump()}`);
    assert.ok(p.m.questions.some((x) => x.name === NAMES.host));
  }
});

test('rfc6762 §8.1 probing: 100 services split into as few packets as fit, each question traveling with its own authority records', () => {
  const lab = new Lab({ responder: { families: [4] } });
  const specs = services(100);
  for (const s of specs) lab.r.publish(s);
  lab.run(SETTLE);
  const probes = lab.sent().filter(isProbe);
  const rounds = [...new Set(probes.map((p) => p.t))];
  assert.is(rounds.length, 3, lab.dump());
  assert.is(rounds[1] - rounds[0], 250);
  assert.is(rounds[2] - rounds[1], 250);
  const all = [NAMES.host, NAMES.rev4, NAMES.rev6, ...specs.map((s) => `${s.name}.${s.type}.local`)].sort();
  for (const t of rounds) {
    const round = probes.filter((p) => p.t === t);
    assert.ok(round.length > 1, '100 services do not fit one packet');
    assert.equal(round.flatMap((p) => p.m.questions.map((x) => x.name)).sort(), all, 'every name is probed once per round');
    for (const p of round) {
      assert.ok(p.data.length <= BUDGET, `packet of ${p.data.length} bytes`);
      const asked = new Set(p.m.questions.map((x) => x.name.toLowerCase()));
      const proposed = new Set(p.m.authorities.map((r) => r.name.toLowerCase()));
      // §8.2: tiebreaking needs all the proposed records of a name beside its question.
      assert.equal([...proposed].sort(), [...asked].sort(), 'questions and authority records of the same names');
      for (const x of p.m.questions) {
        const n = p.m.authorities.filter((r) => r.name.toLowerCase() === x.name.toLowerCase()).length;
        const expected = x.name === NAMES.host ? 2 : x.name === NAMES.rev4 || x.name === NAMES.rev6 ? 1 : 2;
        assert.is(n, expected, `authority records for ${x.name}`);
      }
    }
    // As few as fit: the next packet's first name, with its records, would not have fit in the one before.
    for (let i = 1; i < round.length; i++) {
      const prev = round[i - 1].m;
      const head = round[i].m.questions[0];
      const own = round[i].m.authorities.filter((r) => r.name.toLowerCase() === head.name.toLowerCase());
      const joined = encode(message({ questions: [...prev.questions, head], authorities: [...prev.authorities, ...own] }));
      assert.ok(joined.length > BUDGET, `packet ${i} had room for ${head.name} (${joined.length} bytes)`);
    }
  }
});

/** A probe by the peer for the instance name, proposing `proposed`. */
function peerProbe(lab: Lab, proposed: Rec[]): void {
  lab.send({ questions: [q(INSTANCE, T.ANY, true)], authorities: proposed });
}

const ourTxt = (): Rec => rr(INSTANCE, T.TXT, [new TextEncoder().encode('path=/')], 4500);

test('rfc6762 §8.2 simultaneous probe tiebreak: a peer probing our name with lexicographically later data wins; we wait 1 s and probe again', () => {
  const lab = new Lab({ responder: { families: [4] } });
  const h = lab.r.publish(HTTP);
  let renamed = 0;
  h.on('renamed', () => renamed++);
  assert.ok(lab.until(() => probesFor(lab, INSTANCE).length === 1), lab.dump());
  lab.run(10);
  const tp = lab.now;
  // Same TXT; SRV port 9000 > 8080: the peer's rdata is later (§8.2: "...the rdata whose byte has the greater value is deemed lexicographically later").
  peerProbe(lab, [rr(INSTANCE, T.SRV, srv(9000, 'other.local'), 120), ourTxt()]);
  lab.run(SETTLE);
  const probes = probesFor(lab, INSTANCE);
  const after = probes.filter((p) => p.t > tp);
  // "If the host finds that its own data is lexicographically earlier, then it defers to the winning host by waiting one second, and then begins probing for this record again."
  assert.ok(after.length === 3, `three new probes after the loss: ${lab.dump()}`);
  assert.ok(after[0].t >= tp + 1000 && after[0].t <= tp + 1250, `probing restarts ${after[0].t - tp} ms after the peer's probe`);
  assert.is(after[1].t - after[0].t, 250);
  assert.is(after[2].t - after[1].t, 250);
  assert.is(renamed, 0, 'losing a tiebreak is not a conflict: the name stays');
  // The host name was not in the peer's probe: its own probing went on undisturbed.
  const host = probesFor(lab, NAMES.host);
  assert.is(host.length, 3);
  assert.is(host[2].t - host[0].t, 500);
});

test('rfc6762 §8.2 simultaneous probe tiebreak: a peer probing our name with lexicographically earlier data loses; we continue and win', () => {
  const lab = new Lab({ responder: { families: [4] } });
  const h = lab.r.publish(HTTP);
  const events: string[] = [];
  h.on('established', () => events.push('established')).on('renamed', () => events.push('renamed'));
  assert.ok(lab.until(() => probesFor(lab, INSTANCE).length === 1), lab.dump());
  lab.run(10);
  // SRV port 80 < 8080: the peer's data is earlier. "If the host finds that its own data is lexicographically later, it simply ignores the other host's probe."
  peerProbe(lab, [rr(INSTANCE, T.SRV, srv(80, 'other.local'), 120), ourTxt()]);
  lab.run(SETTLE);
  const probes = probesFor(lab, INSTANCE);
  assert.is(probes.length, 3, lab.dump());
  assert.is(probes[2].t - probes[0].t, 500, 'probing went on at 250 ms intervals');
  const announce = lab.sent().filter(isResponse);
  assert.ok(announce.length >= 1 && announce[0].t === probes[2].t + 250, lab.dump());
  assert.ok(announce[0].m.answers.some((r) => r.name === INSTANCE && r.type === T.SRV));
  assert.equal(events, ['established']);
});

test('rfc6762 §8.2 simultaneous probe tiebreak: a peer probing our name with identical data is no conflict; we continue', () => {
  const lab = new Lab({ responder: { families: [4] } });
  const h = lab.r.publish(HTTP);
  assert.ok(lab.until(() => probesFor(lab, INSTANCE).length === 1), lab.dump());
  lab.run(10);
  peerProbe(lab, [rr(INSTANCE, T.SRV, srv(8080, NAMES.host), 120), ourTxt()]);
  lab.run(SETTLE);
  const probes = probesFor(lab, INSTANCE);
  assert.is(probes.length, 3, lab.dump());
  assert.is(probes[2].t - probes[0].t, 500);
  assert.is(h.name, 'My Web');
});

test('rfc6762 §8.1 probing: a conflicting response received before the first probe is sent is silently ignored', () => {
  const lab = new Lab({ responder: { families: [4] } });
  const h = lab.r.publish(HTTP);
  // Same instant as publish: the first probe is still 0-250 ms away.
  lab.send({ qr: true, aa: true, answers: [rr(INSTANCE, T.SRV, srv(1, 'other.local'), 120, true)] });
  lab.run(SETTLE);
  // "Apparently conflicting Multicast DNS responses received *before* the first probe packet is sent MUST be silently ignored"
  assert.is(h.name, 'My Web', lab.dump());
  assert.is(probesFor(lab, INSTANCE).length, 3, lab.dump());
});

/** The peer claims every instance name it sees probed: each probe meets a conflicting SRV at once. */
function hostile(lab: Lab): { conflicts: number[] } {
  const seen = { conflicts: [] as number[] };
  lab.onPeer = (m: Message) => {
    if (m.qr || m.authorities.length === 0) return;
    const answers = m.questions.filter((x) => x.name.endsWith('._http._tcp.local')).map((x) => rr(x.name, T.SRV, srv(1, 'thief.local'), 120, true));
    if (answers.length === 0) return;
    seen.conflicts.push(lab.now);
    lab.send({ qr: true, aa: true, answers });
  };
  return seen;
}

test('rfc6762 §8.1 probing: after 15 conflicts within 10 s the responder waits at least 5 s between probes', () => {
  const lab = new Lab({ responder: { families: [4] } });
  const seen = hostile(lab);
  const h = lab.r.publish(HTTP);
  let renames = 0;
  const errors: unknown[] = [];
  h.on('renamed', () => renames++).on('error', (e) => errors.push(e));
  lab.run(60_000);
  assert.ok(errors.length >= 1 && /probing slows/.test(JSON.stringify(errors[0])), `the handle hears why it slowed down: ${JSON.stringify(errors)}`);
  assert.ok(seen.conflicts.length >= 16, `conflicts: ${seen.conflicts.length}`);
  assert.ok(seen.conflicts[14] - seen.conflicts[0] < 10_000, 'the first 15 conflicts came within 10 s');
  const probes = lab.sent().filter((p) => isProbe(p) && p.m.questions.some((x) => x.name.endsWith('._http._tcp.local')));
  // "If fifteen conflicts occur within any ten-second period, then the host MUST wait at least five seconds before each successive additional probe attempt."
  let throttled = 0;
  for (let i = 1; i < probes.length; i++) {
    const t = probes[i].t;
    // The next probe is decided when the conflict answering the previous one arrives.
    const decided = probes[i - 1].t;
    if (seen.conflicts.filter((c) => c <= decided && c > decided - 10_000).length < 15) continue;
    throttled++;
    assert.ok(t - probes[i - 1].t >= 5000, `probe at ${t} came ${t - probes[i - 1].t} ms after the one before, with 15 conflicts in the last 10 s`);
  }
  assert.ok(throttled >= 2, `probes checked under the throttle: ${throttled}`);
  assert.is(renames, seen.conflicts.length);
  // Every conflict is handled: the engine kept going and never announced a stolen name.
  assert.ok(lab.sent().filter(isResponse).every((p) => !p.m.answers.some((r) => r.type === T.SRV && r.name.endsWith('._http._tcp.local'))));
  assert.not.ok(lab.r.counters.internalError);
});

test.run();
