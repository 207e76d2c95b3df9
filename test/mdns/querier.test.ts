// The RFC 6762 querier on the sim: the querier under test on host 'q'
// (192.168.1.30), the harness's Responder on 'r' answering, and the
// hand-driven peer 'p' sending made-up answers and queries.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createQuerier } from '../../src/mdns/querier.js';
import type { Querier, QuerierOptions } from '../../src/mdns/querier.js';
import { T } from '../../src/wire/index.js';
import type { Message, Rec } from '../../src/wire/index.js';
import { HTTP, Lab, NAMES, q, R, rr, SETTLE } from './harness.js';
import type { Packet } from './harness.js';

const Q = { v4: '192.168.1.30', v6: 'fe80::30' } as const;

interface Setup { lab: Lab; querier: Querier; sent: (since?: number) => Packet[] }

/** `late`: the querier starts after the responder's announcements (with `publish` published), so it has heard none of them. */
function setup(opts: QuerierOptions = {}, late?: { publish?: typeof HTTP }): Setup {
  const lab = new Lab({ responder: { families: [4] } });
  if (late) {
    if (late.publish) lab.r.publish(late.publish);
    lab.run(SETTLE);
  }
  const host = lab.sim.host('q', [{ name: 'eth0', link: lab.lan, v4: `${Q.v4}/24`, v6: `${Q.v6}/64` }]);
  const querier = createQuerier(host.platform, { families: [4], ...opts });
  return { lab, querier, sent: (since = 0) => lab.packets({ host: 'q', since }) };
}

/** The peer answers (multicast, from 5353) the first `times` queries for `name` it hears from the querier. */
function answerFirst(lab: Lab, name: string, records: Rec[], times = 1): void {
  let n = 0;
  lab.onPeer = (m: Message) => {
    if (m.qr || !m.questions.some((x) => x.name === name) || n++ >= times) return;
    lab.send({ qr: true, aa: true, answers: records });
  };
}

const questions = (p: Packet): string[] => p.m.questions.map((x) => `${x.name} ${x.type}${x.qu ? ' QU' : ''}`);

test('rfc6762 §5.2 continuous query: first after 20-120 ms, then 1 s, 2 s, 4 s ... up to 60 min', () => {
  const { lab, querier, sent } = setup();
  const t = lab.now;
  querier.watch({ name: 'nothing.local', type: T.A });
  lab.run(15_000_000);
  const got = sent(t);
  const first = got[0].t - t;
  // "...the first query ... SHOULD be delayed by a random amount of time in the range 20-120 ms"
  assert.ok(first >= 20 && first <= 120, `first at +${first} ms`);
  const gaps = got.slice(1).map((p, i) => p.t - got[i].t);
  // "...the interval between the first two queries MUST be at least one second, the intervals between successive queries MUST increase by at least a factor of two ... until the interval reaches a ceiling of 60 minutes"
  const want = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048].map((s) => s * 1000);
  assert.equal(gaps.slice(0, want.length), want, lab.dump(t));
  assert.ok(gaps.length > want.length + 1 && gaps.slice(want.length).every((g) => g === 3_600_000), String(gaps));
  for (const p of got) {
    assert.ok(p.multicast && !p.m.qr && p.srcPort === 5353);
    assert.equal(questions(p), [`nothing.local ${T.A}`]);
    assert.is(p.m.answers.length, 0);
  }
});

test('rfc6762 §5.3 several questions per packet: questions asked together share the first query and its repeats', () => {
  const { lab, querier, sent } = setup();
  const t = lab.now;
  querier.watch({ name: 'one.local', type: T.A });
  querier.watch({ name: 'two.local', type: T.AAAA });
  lab.run(4000);
  const got = sent(t);
  assert.is(got.length, 3, lab.dump(t));
  for (const p of got) assert.equal(questions(p).sort(), [`one.local ${T.A}`, `two.local ${T.AAAA}`]);
  // Two watches of one question share its queries.
  const t2 = lab.now;
  const w1 = querier.watch({ name: 'same.local', type: T.A });
  querier.watch({ name: 'SAME.local', type: T.A });
  lab.run(200);
  assert.equal(sent(t2).map(questions), [[`same.local ${T.A}`]]);
  w1.stop();
  lab.run(1000);
  assert.is(sent(t2).length, 2, 'the question goes on while one watch remains');
});

test('rfc6762 §5.4 QU: the first query asks for a unicast reply, later ones do not; the unicast answer is cached', () => {
  const { lab, querier, sent } = setup({}, {});
  const t = lab.now;
  const events: string[] = [];
  querier.watch({ name: NAMES.host, type: T.A }, (ev, e) => events.push(`${ev} ${String(e.rec.data)}`), { qu: true });
  lab.run(1500);
  const got = sent(t);
  assert.equal(got.map(questions), [[`${NAMES.host} ${T.A} QU`], [`${NAMES.host} ${T.A}`]], lab.dump(t));
  // The responder announced within the last quarter TTL, so it answers the QU question by unicast.
  const reply = lab.sent(t).find((p) => p.m.qr);
  assert.ok(reply && !reply.multicast && reply.dst === Q.v4, lab.dump(t));
  assert.equal(events, [`add ${R.v4}`]);
  // §7.1: the second query lists it as a known answer.
  assert.equal(got[1].m.answers.map((r) => `${r.name} ${String(r.data)} ${r.flush}`), [`${NAMES.host} ${R.v4} false`]);
});

test('rfc6762 §7.1 known answers: cached answers with at least half their TTL left, at their remaining TTL; the responder stays quiet', () => {
  const { lab, querier, sent } = setup({}, { publish: HTTP });
  const t = lab.now;
  querier.watch({ name: '_http._tcp.local', type: T.PTR });
  lab.run(3500);
  const got = sent(t);
  assert.is(got.length, 3, lab.dump(t));
  assert.is(got[0].m.answers.length, 0);
  const instance = `${HTTP.name}.${HTTP.type}.local`;
  for (const p of got.slice(1)) {
    assert.equal(p.m.answers.map((r) => `${r.name} ${String(r.data)}`), [`_http._tcp.local ${instance}`]);
    assert.ok(p.m.answers[0].ttl >= 4496 && p.m.answers[0].ttl <= 4500, String(p.m.answers[0].ttl));
  }
  // The responder answered the first query only.
  const answers = lab.sent(t).filter((p) => p.m.qr);
  assert.is(answers.length, 1, lab.dump(t));
  assert.ok(answers[0].t < got[1].t);
  // A 10 s record: listed while at least 5 s remain, not after.
  const t2 = lab.now;
  answerFirst(lab, 'short.local', [rr('short.local', T.A, '192.168.1.99', 10)]);
  querier.watch({ name: 'short.local', type: T.A });
  lab.run(7500);
  const short = sent(t2).filter((p) => p.m.questions.some((x) => x.name === 'short.local'));
  const arrived = lab.packets({ host: 'p', since: t2 })[0].t;
  const listed = short.map((p) => [Math.round((p.t - arrived) / 1000), p.m.answers.filter((r) => r.name === 'short.local').map((r) => r.ttl)]);
  // "A Multicast DNS querier MUST NOT include records in the Known-Answer list whose remaining TTL is less than half of their original TTL."
  assert.equal(listed, [[0, []], [1, [9]], [3, [7]], [7, []]], lab.dump(t2));
});

test('rfc6762 §7.2 multi-packet known answers: the list is split across packets, TC on all but the last, questions in the first', () => {
  const { lab, querier, sent } = setup();
  const instances: string[] = [];
  for (let i = 0; i < 120; i++) instances.push(`A rather long instance name number ${i}._big._tcp.local`);
  for (let i = 0; i < 120; i += 30) lab.send({ qr: true, aa: true, answers: instances.slice(i, i + 30).map((n) => rr('_big._tcp.local', T.PTR, n, 4500)) });
  lab.run(0);
  assert.is(querier.cache.get('_big._tcp.local', T.PTR).length, 120);
  const t = lab.now;
  querier.watch({ name: '_big._tcp.local', type: T.PTR });
  lab.run(500);
  const got = sent(t);
  assert.ok(got.length >= 3, lab.dump(t));
  assert.ok(got.every((p) => p.t === got[0].t && p.data.length <= 1452), lab.dump(t));
  // "...the querier sets the TC bit in the header and sends the next packet(s) ... with the remaining Known Answers"
  assert.equal(got.map((p) => p.m.tc), [...got.slice(1).map(() => true), false]);
  assert.equal(got.map((p) => p.m.questions.length), [1, ...got.slice(1).map(() => 0)]);
  assert.equal(got.flatMap((p) => p.m.answers.map((r) => String(r.data))).sort(), instances.slice().sort());
  assert.ok((querier.counters.truncatedQueries ?? 0) >= 2);
});

test('rfc6762 §7.3 duplicate question suppression: no query at all while another host keeps asking it with known answers we hold', () => {
  const { lab, querier, sent } = setup();
  const mine = rr('dup.local', T.A, '192.168.1.77', 120, true);
  lab.send({ qr: true, aa: true, answers: [mine] });
  const t = lab.now;
  querier.watch({ name: 'dup.local', type: T.A });
  // The peer asks the same QM question every 900 ms, listing the record we hold.
  let asking = true;
  const again = (): void => {
    if (!asking) return;
    lab.ask([q('dup.local', T.A)], [rr('dup.local', T.A, '192.168.1.77', 110)]);
    lab.peer.platform.timer(900, again);
  };
  lab.peer.platform.timer(10, again);
  lab.run(20_000);
  assert.is(sent(t).length, 0, lab.dump(t));
  assert.ok(querier.counters.duplicateQuestions! >= 5);
  // Once the other host falls silent, our own queries resume.
  asking = false;
  lab.run(60_000);
  assert.ok(sent(t).length >= 1, lab.dump(t));
});

test('rfc6762 §7.3 duplicate question suppression: a query whose known answers we would not list, or a QU one, does not stop ours', () => {
  for (const peer of [
    { known: [rr('dup.local', T.A, '192.168.1.78', 120)], qu: false },
    { known: [], qu: true },
  ]) {
    const { lab, querier, sent } = setup();
    const t = lab.now;
    querier.watch({ name: 'dup.local', type: T.A });
    lab.peer.platform.timer(10, () => lab.ask([q('dup.local', T.A, peer.qu)], peer.known));
    lab.run(500);
    const got = sent(t);
    assert.is(got.length, 1, lab.dump(t));
    assert.ok(got[0].t - t >= 20 && got[0].t - t <= 120);
  }
});

test('rfc6762 §5.2 refresh: an answer still wanted is queried for at 80, 85, 90 and 95% of its TTL (+0-2%), then expires', () => {
  const { lab, querier, sent } = setup();
  answerFirst(lab, 'ref.local', [rr('ref.local', T.A, '192.168.1.50', 100, true)]);
  const events: string[] = [];
  const t = lab.now;
  querier.watch({ name: 'ref.local', type: T.A }, (ev) => events.push(`${lab.now - t} ${ev}`));
  lab.run(130_000);
  const arrived = lab.packets({ host: 'p', since: t })[0].t;
  // The schedule's own queries go at about 0.1, 1.1, 3.1 ... 63.1 and 127.1 s: between them only refreshes.
  const refreshes = sent(t).filter((p) => p.t > arrived + 64_000 && p.t < arrived + 127_000);
  const at = refreshes.map((p) => (p.t - arrived) / 1000);
  assert.is(at.length, 4, lab.dump(t));
  // "...the querier should plan to issue a query at 80% of the record lifetime, and then if no answer is received, at 85%, 90%, and 95% ... plus a random variation of 2% of the record TTL"
  [80, 85, 90, 95].forEach((pct, i) => assert.ok(at[i] >= pct && at[i] <= pct + 2, `refresh ${i} at ${at[i]} s`));
  for (const p of refreshes) {
    assert.equal(questions(p), [`ref.local ${T.A}`]);
    assert.is(p.m.answers.length, 0, 'under half its TTL left: not a known answer');
  }
  assert.is(querier.counters.refreshQueries, 4);
  assert.equal(events.map((e) => e.split(' ')[1]), ['add', 'remove']);
  assert.is(Number(events[1].split(' ')[0]), arrived - t + 100_000);
});

test('rfc6762 §5.2 refresh: an answered refresh renews the record and starts its refresh points again', () => {
  const { lab, querier, sent } = setup();
  answerFirst(lab, 'ref.local', [rr('ref.local', T.A, '192.168.1.50', 100, true)], 2);
  const t = lab.now;
  querier.watch({ name: 'ref.local', type: T.A });
  lab.run(200_000);
  // Answered at ~0.1 s and again at the first refresh (~80 s): it lives to ~180 s, refreshed at 80% of that.
  const answers = lab.packets({ host: 'p', since: t });
  assert.is(answers.length, 2);
  const second = answers[1].t;
  const after = sent(second + 1).filter((p) => p.t < second + 100_000).map((p) => (p.t - second) / 1000).filter((s) => s >= 70);
  assert.is(after.length, 4, lab.dump(second));
  assert.ok(after[0] >= 80 && after[0] <= 82, String(after));
  assert.is(querier.cache.size, 0);
});

test('rfc6762 §5.1 one-shot query: sent at once, resolves with the answers heard', async () => {
  const { lab, querier, sent } = setup();
  lab.run(SETTLE);
  const t = lab.now;
  const got = querier.query({ name: 'HUSH.local', type: T.A });
  lab.run(1500);
  const recs = await got;
  assert.equal(recs.map((r) => String(r.data)), [R.v4]);
  const qs = sent(t);
  assert.is(qs.length, 1);
  assert.is(qs[0].t, t);
  // Bad arguments name the argument.
  assert.throws(() => querier.query({ name: 'x.local', type: 0 }), /type/);
  assert.throws(() => querier.watch({ name: 5 as unknown as string, type: T.A }), /name/);
  assert.throws(() => querier.query({ name: 'x.local', type: T.A }, { wait: -1 }), /wait/);
  assert.throws(() => querier.watch({ name: 'x.local', type: T.A }, 'no' as unknown as () => void), /listener/);
});

test('rfc6762 §10.4 reconfirm: queries go at once and 2 s later; unanswered, the record is gone 10 s after', () => {
  const { lab, querier, sent } = setup();
  lab.send({ qr: true, aa: true, answers: [rr('gone.local', T.A, '192.168.1.66', 120, true)] });
  lab.run(1000);
  const t = lab.now;
  querier.reconfirm({ name: 'gone.local', type: T.A });
  lab.run(9999);
  assert.equal(sent(t).map((p) => [p.t - t, questions(p), p.m.answers.length]), [[0, [`gone.local ${T.A}`], 0], [2000, [`gone.local ${T.A}`], 0]]);
  assert.is(querier.cache.get('gone.local', T.A).length, 1);
  lab.run(1);
  assert.is(querier.cache.get('gone.local', T.A).length, 0);
});

test('rfc6762 §10.4 reconfirm: an answer keeps the record', () => {
  const { lab, querier } = setup();
  lab.r.publish(HTTP);
  lab.run(SETTLE);
  lab.ask([q(NAMES.host, T.A)]);
  lab.run(1000);
  // The querier heard the responder's answer to the peer's question.
  assert.is(querier.cache.get(NAMES.host, T.A).length, 1);
  querier.reconfirm({ name: NAMES.host, type: T.A });
  lab.run(30_000);
  assert.is(querier.cache.get(NAMES.host, T.A).length, 1);
});

test('rfc6762 §10.5 passive observation: two queries from another host for a cached record with no answer reconfirm it', () => {
  const { lab, querier, sent } = setup();
  lab.send({ qr: true, aa: true, answers: [rr('gone.local', T.A, '192.168.1.66', 120, true)] });
  lab.run(1000);
  lab.ask([q('gone.local', T.A)]);
  lab.run(1000);
  const t = lab.now;
  lab.ask([q('gone.local', T.A)]);
  lab.run(100);
  assert.is(sent(t).length, 1, 'the querier reconfirms');
  lab.run(9899);
  assert.is(querier.cache.get('gone.local', T.A).length, 1);
  lab.run(1);
  assert.is(querier.cache.get('gone.local', T.A).length, 0);
});

test('rfc6762 §10.3 topology change: a new address on the link flushes what was heard there and starts the questions again', () => {
  const { lab, querier, sent } = setup();
  lab.send({ qr: true, aa: true, answers: [rr('x.local', T.A, '192.168.1.66', 120, true)] });
  querier.watch({ name: 'nothing.local', type: T.A });
  lab.run(10_000);
  assert.is(querier.cache.get('x.local', T.A).length, 1);
  const t = lab.now;
  lab.sim.hosts.get('q')!.addAddress('eth0', '192.168.1.31/24');
  lab.run(0);
  assert.is(querier.cache.size, 0);
  lab.run(1500);
  const got = sent(t);
  assert.is(got.length, 2, lab.dump(t));
  assert.ok(got[0].t - t >= 20 && got[0].t - t <= 120 && got[1].t - got[0].t === 1000);
});

test('bad input: malformed packets, responses from a port other than 5353 and off-link sources are counted and dropped', () => {
  const { lab, querier } = setup();
  lab.run(SETTLE);
  const before = querier.cache.size;
  lab.sendBytes(new Uint8Array([0, 0, 0x84, 0, 0, 0, 0, 9, 0, 0, 0, 0, 1, 2]));
  // §6: "...MUST silently ignore any Multicast DNS responses they receive where the source UDP port is not 5353."
  lab.send({ qr: true, aa: true, answers: [rr('spoof.local', T.A, '192.168.1.66')] }, { legacy: true });
  lab.run(100);
  assert.is(querier.counters.malformed, 1);
  assert.is(querier.counters.badSourcePort, 1);
  assert.is(querier.cache.size, before);
  // A flood of unique records stays within the cap.
  const small = setup({ cacheSize: 50 });
  for (let i = 0; i < 10; i++) {
    small.lab.send({ qr: true, aa: true, answers: Array.from({ length: 20 }, (_, k) => rr(`f${i}-${k}.local`, T.A, '192.168.1.5')) });
  }
  small.lab.run(0);
  assert.is(small.querier.cache.size, 50);
});

test('close: no more queries; watch and query after close throw at once', async () => {
  const { lab, querier, sent } = setup();
  querier.watch({ name: 'nothing.local', type: T.A });
  lab.run(5000);
  await querier.close();
  const t = lab.now;
  lab.run(60_000);
  assert.is(sent(t).length, 0);
  assert.throws(() => querier.watch({ name: 'x.local', type: T.A }), /close/);
  assert.throws(() => querier.query({ name: 'x.local', type: T.A }), /query after close/);
  assert.throws(() => querier.query({ name: 'x.local', type: 0 }), /type must be an RR type number/);
});

test.run();
