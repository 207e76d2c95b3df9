// draft-tllq-tsr-05 and the quiet advertising-proxy rules (seed 000) on the
// sim: border routers 'br1'..'brN' (192.168.1.1..N) run hush responders and
// register a Thread client 'dev' on its behalf; 'obs' (192.168.1.50) runs a
// querier whose cache shows what the link believes; the harness peer is not
// used. Every assertion reads the packets on the link.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Sim } from '../../platform/sim/index.js';
import type { Captured } from '../../platform/sim/index.js';
import { createResponder } from '../../src/mdns/responder.js';
import type { Responder, ResponderOptions } from '../../src/mdns/responder.js';
import { createQuerier } from '../../src/mdns/querier.js';
import type { Querier } from '../../src/mdns/querier.js';
import type { ProxyHandle, ProxySpec } from '../../src/mdns/proxy.js';
import { decode, encode, message, T } from '../../src/wire/index.js';
import type { EdnsOption, Message, Rec, TsrOption } from '../../src/wire/index.js';
import { HeardBook } from '../../src/mdns/tsr.js';
import type { Link, SimSocket } from '../../platform/sim/index.js';

const KEY = 0x1234abcd;
const OTHER_KEY = 0x0badf00d;
const SVC = { name: 'Dev Web', type: '_http._tcp', port: 80 };

interface World {
  sim: Sim;
  br: Responder[];
  obs: Querier;
  /** A raw mDNS socket on host 'peer' (192.168.1.60) for hand-made packets. */
  peer: SimSocket;
  lan: Link;
  /** Packets on the link since `t`, decoded, with who sent them. */
  packets(t?: number): { t: number; host: string; m: Message }[];
  run(ms: number): void;
}

function world(n: number, opts: { seed?: number; responder?: Partial<ResponderOptions> } = {}): World {
  const sim = new Sim({ seed: opts.seed ?? 1 });
  const lan = sim.link('lan');
  const br: Responder[] = [];
  for (let i = 1; i <= n; i++) {
    const h = sim.host(`br${i}`, [{ name: 'eth0', link: lan, v4: `192.168.1.${i}/24` }]);
    br.push(createResponder(h.platform, { hostName: `br${i}`, families: [4], ...opts.responder }));
  }
  const o = sim.host('obs', [{ name: 'eth0', link: lan, v4: '192.168.1.50/24' }]);
  const obs = createQuerier(o.platform, { families: [4] });
  const ph = sim.host('peer', [{ name: 'eth0', link: lan, v4: '192.168.1.60/24' }]);
  const peer = ph.platform.open({ family: 4, port: 5353, group: '224.0.0.251' });
  peer.join(1);
  sim.run(5000);
  sim.capture.length = 0;
  return {
    sim, br, obs, peer, lan,
    packets: (t = 0) => sim.capture.filter((c: Captured) => c.t >= t && !c.dropped).map((c) => ({ t: c.t, host: c.from.host, m: decode(c.data) })),
    run: (ms) => sim.run(ms),
  };
}

const spec = (addr: string, received: number, more: Partial<ProxySpec> = {}): ProxySpec => ({
  hostName: 'dev', addresses: [addr], services: [SVC], tsr: { received, checksum: KEY }, ...more,
});

const tsrOf = (m: Message): TsrOption[] => m.additionals.filter((r) => r.type === T.OPT).flatMap((r) => r.data as TsrOption[]).filter((o) => o.kind === 'tsr');

/** What the observer's cache holds for the client's host name. */
const cachedAddrs = (w: World): string[] => w.obs.cache.get('dev.local', T.A).map((e) => String(e.rec.data)).sort();

test('draft §3.2/§3.5 probes and announcements carry one TSR option per owner name, indexed to its first record', () => {
  const w = world(1);
  const now = w.sim.now;
  w.br[0].proxy(spec('192.168.1.99', now));
  w.run(5000);
  const ps = w.packets().filter((p) => p.host === 'br1');
  const probes = ps.filter((p) => !p.m.qr && p.m.authorities.some((r) => r.name === 'dev.local'));
  const anns = ps.filter((p) => p.m.qr && p.m.answers.some((r) => r.name === 'dev.local'));
  assert.is(probes.length, 3);
  assert.ok(anns.length >= 2);
  for (const p of [...probes, ...anns]) {
    const recs = p.m.answers.concat(p.m.authorities, p.m.additionals);
    const opts = tsrOf(p.m);
    const names = new Set(opts.map((o) => recs[o.index].name.toLowerCase()));
    assert.is(names.size, opts.length, 'one option per name');
    for (const o of opts) {
      assert.is(o.checksum, KEY);
      const name = recs[o.index].name.toLowerCase();
      assert.is(recs.findIndex((r) => r.name.toLowerCase() === name), o.index, 'indexed to the first record of the name');
    }
    assert.ok(names.has('dev.local') && names.has('dev web._http._tcp.local'), [...names].join());
  }
});

test('scenario: the client moves from br1 to br2 with a new address: every cache ends with it, br1 is stale and silent, no rename', () => {
  const w = world(2);
  const h1 = w.br[0].proxy(spec('192.168.1.99', w.sim.now));
  const events: string[] = [];
  h1.on('stale', () => events.push('br1 stale'));
  w.obs.watch({ name: 'dev.local', type: T.A });
  w.run(10_000);
  assert.equal(cachedAddrs(w), ['192.168.1.99']);
  const t = w.sim.now;
  const h2 = w.br[1].proxy(spec('192.168.1.77', w.sim.now));
  assert.is(h2.state, 'probing');
  w.run(10_000);
  assert.equal(events, ['br1 stale']);
  assert.is(h1.state, 'stale');
  assert.is(h2.state, 'established');
  assert.is(h2.hostName, 'dev');
  assert.equal(cachedAddrs(w), ['192.168.1.77']);
  const fromBr1 = w.packets(t).filter((p) => p.host === 'br1');
  assert.ok(fromBr1.every((p) => !p.m.answers.some((r) => r.ttl === 0)), 'br1 sends no goodbye');
});


/** A query from the peer, without known answers. */
function ask(w: World, name: string, type: number = T.A): void {
  w.peer.send(encode(message({ questions: [{ name, type, class: 1, qu: false }] })), { addr: '224.0.0.251', port: 5353 });
}

/** A response from the peer: `answers`, then an OPT record with `options`. */
function respond(w: World, answers: Rec[], options: EdnsOption[] = []): void {
  const additionals: Rec[] = options.length ? [{ name: '', type: T.OPT, class: 1440, flush: false, ttl: 0, data: options }] : [];
  w.peer.send(encode(message({ qr: true, aa: true, answers, additionals })), { addr: '224.0.0.251', port: 5353 });
}

const a = (name: string, addr: string, ttl = 120): Rec => ({ name, type: T.A, class: 1, flush: true, ttl, data: addr });
const tsrOpt = (index: number, seconds: number, checksum = KEY): TsrOption => ({ kind: 'tsr', code: 65002, index, checksum, seconds });

/** br1 holds 'dev' (192.168.1.99) with TSR, received at the start, and has announced it. */
function held(n = 1, more: Partial<ProxySpec> = {}): { w: World; h: ProxyHandle; t0: number; events: string[] } {
  const w = world(n);
  const t0 = w.sim.now;
  const h = w.br[0].proxy(spec('192.168.1.99', t0, more));
  const events: string[] = [];
  for (const e of ['stale', 'conflict', 'established', 'renamed'] as const) h.on(e, () => events.push(e));
  w.run(5000);
  return { w, h, t0, events };
}

const from = (w: World, host: string, t = 0) => w.packets(t).filter((p) => p.host === host);

test('draft §3.1 local validation: records heard on the name without TSR are a conflict; nothing is sent', () => {
  const w = world(2);
  w.br[0].proxy({ ...spec('192.168.1.99', w.sim.now), tsr: undefined });
  w.run(5000);
  const t = w.sim.now;
  const h = w.br[1].proxy(spec('192.168.1.77', w.sim.now));
  assert.is(h.state, 'conflict');
  w.run(5000);
  assert.is(from(w, 'br2', t).length, 0);
});

test('draft §3.1 local validation: TSR with another key checksum is a conflict without probing', () => {
  const w = world(2);
  w.br[0].proxy(spec('192.168.1.99', w.sim.now));
  w.run(5000);
  const t = w.sim.now;
  const h = w.br[1].proxy(spec('192.168.1.77', w.sim.now, { tsr: { received: w.sim.now, checksum: OTHER_KEY } }));
  assert.is(h.state, 'conflict');
  w.run(5000);
  assert.is(from(w, 'br2', t).length, 0);
  assert.equal(cachedAddrsAfterQuery(w), ['192.168.1.99']);
});

test('draft §3.1 local validation: a known newer time makes the registration stale (not a conflict); nothing is sent', () => {
  const w = world(2);
  w.run(20_000);
  w.br[0].proxy(spec('192.168.1.99', w.sim.now));
  w.run(5000);
  const t = w.sim.now;
  const h = w.br[1].proxy(spec('192.168.1.77', w.sim.now - 15_000));
  assert.is(h.state, 'stale');
  w.run(5000);
  assert.is(from(w, 'br2', t).length, 0);
});

test('draft §3.1 local validation: a proposed newer time displaces the local registration as stale (silently) and probes', () => {
  const { w, h, events } = held();
  const t = w.sim.now;
  const h2 = w.br[0].proxy(spec('192.168.1.77', w.sim.now));
  assert.is(h.state, 'stale');
  assert.equal(events, ['established', 'stale']);
  assert.is(h2.state, 'probing');
  w.run(5000);
  assert.is(h2.state, 'established');
  const sent = from(w, 'br1', t);
  assert.ok(!sent.some((p) => p.m.answers.some((r) => r.ttl === 0)), 'no goodbye for the displaced data');
  assert.is(sent.filter((p) => !p.m.qr).length, 3, 'three probes');
});

test('quiet (seed 000): the same data with the same time already on the link is neither probed nor announced', () => {
  const w = world(2);
  const t0 = w.sim.now;
  w.br[0].proxy(spec('192.168.1.99', t0));
  w.run(5000);
  const t = w.sim.now;
  const h = w.br[1].proxy(spec('192.168.1.99', t0));
  assert.is(h.state, 'established');
  w.run(10_000);
  assert.is(from(w, 'br2', t).length, 0);
});

test('quiet (seed 000): only the first server probes: simultaneous registration with the same data and time makes one probe series', () => {
  const w = world(2);
  const t0 = w.sim.now;
  const h1 = w.br[0].proxy(spec('192.168.1.99', t0));
  const h2 = w.br[1].proxy(spec('192.168.1.99', t0 + 500));
  w.run(10_000);
  const probes = w.packets().filter((p) => !p.m.qr && p.m.authorities.some((r) => r.name === 'dev.local'));
  assert.is(probes.length, 3, probes.map((p) => `${p.t} ${p.host}`).join('\n'));
  assert.is(new Set(probes.map((p) => p.host)).size, 1);
  assert.equal([h1.state, h2.state], ['established', 'established']);
  assert.is(w.br[0].counters.conflicts ?? 0, 0);
  assert.is(w.br[1].counters.conflicts ?? 0, 0);
});

test('draft §3.3/§3.4: a probe with an older time is answered with our records and TSR; the late prober goes stale', () => {
  const { w, h } = held();
  const late = w.sim.host('br9', [{ name: 'eth0', link: w.lan, v4: '192.168.1.9/24' }]);
  const r9 = createResponder(late.platform, { hostName: 'br9', families: [4] });
  w.run(5000);
  const t = w.sim.now;
  const h9 = r9.proxy(spec('192.168.1.66', w.sim.now - 60_000));
  assert.is(h9.state, 'probing', 'br9 heard nothing of dev: no local data to validate against');
  w.run(5000);
  assert.is(h9.state, 'stale');
  assert.is(h.state, 'established');
  const answers = from(w, 'br1', t).filter((p) => p.m.qr && p.m.answers.some((r) => r.name === 'dev.local'));
  assert.ok(answers.length >= 1 && tsrOf(answers[0].m).length > 0, 'br1 defended with TSR');
  assert.ok(!from(w, 'br9', t).some((p) => p.m.qr), 'br9 never announced');
});

test('draft §3.4: a response with the same key and a newer time makes ours stale; with an older one ours go out again 1 s later and win every cache', () => {
  const { w, h, t0 } = held();
  w.obs.watch({ name: 'dev.local', type: T.A });
  w.run(3000);
  // Older data from another registrar: br1 re-asserts after the 1 s cache-flush grace.
  const t = w.sim.now;
  respond(w, [a('dev.local', '192.168.1.55')], [tsrOpt(0, Math.round((w.sim.now - t0) / 1000) + 30)]);
  w.run(3000);
  const again = from(w, 'br1', t).filter((p) => p.m.qr && p.m.answers.some((r) => r.name === 'dev.local' && r.data === '192.168.1.99'));
  assert.ok(again.some((p) => p.t >= t + 1000 && p.t <= t + 2100), 'ours again, over a second later');
  assert.equal(cachedAddrs(w), ['192.168.1.99']);
  assert.is(h.state, 'established');
  // Newer data: stale, and no goodbye.
  const t2 = w.sim.now;
  respond(w, [a('dev.local', '192.168.1.44')], [tsrOpt(0, 0)]);
  w.run(3000);
  assert.is(h.state, 'stale');
  assert.ok(!from(w, 'br1', t2).some((p) => p.m.answers.some((r) => r.ttl === 0)));
});

test('draft §3.4: records without TSR, or with another checksum, on a TSR name are a conflict; the same time is not', () => {
  for (const [what, opts, state] of [
    ['no TSR', [] as TsrOption[], 'conflict'],
    ['other checksum', [tsrOpt(0, 0, OTHER_KEY)], 'conflict'],
    ['same time', [tsrOpt(0, 5)], 'established'],
  ] as const) {
    const { w, h } = held();
    respond(w, [a('dev.local', '192.168.1.44')], [...opts]);
    w.run(1000);
    assert.is(h.state, state, what);
  }
});

test('draft §3.4 with RFC 6762 §8.1: a probe for our name without our key is defended: answered, and ours stays', () => {
  for (const options of [[], [tsrOpt(0, 0, OTHER_KEY)]]) {
    const { w, h } = held();
    const t = w.sim.now;
    const additionals: Rec[] = options.length ? [{ name: '', type: T.OPT, class: 1440, flush: false, ttl: 0, data: options }] : [];
    w.peer.send(encode(message({ questions: [{ name: 'dev.local', type: T.ANY, class: 1, qu: false }], authorities: [a('dev.local', '192.168.1.44')], additionals })), { addr: '224.0.0.251', port: 5353 });
    w.run(1000);
    assert.is(h.state, 'established');
    assert.ok(from(w, 'br1', t).some((p) => p.m.qr && p.m.answers.some((r) => r.data === '192.168.1.99')), 'defended');
  }
});

test('bad input: TSR options out of range, past seven days, of the wrong length or twice for a name are counted and ignored; one for another name governs only that name', () => {
  const { w, h } = held();
  const rec = a('dev.local', '192.168.1.44');
  const other = a('other.local', '192.168.1.45');
  respond(w, [rec], [tsrOpt(5, 0)]);
  respond(w, [rec], [tsrOpt(0, 8 * 24 * 3600)]);
  respond(w, [rec], [{ kind: 'raw', code: 65002, data: new Uint8Array(9) }]);
  respond(w, [rec], [tsrOpt(0, 0), tsrOpt(0, 0)]);
  w.run(100);
  const c = w.br[0].counters;
  assert.equal([c.tsrBadIndex, c.tsrBadTime, c.tsrBadLength, c.tsrBadDuplicate], [1, 1, 1, 2]);
  // The bad options governed nothing: the records came as if without TSR, which is a conflict by §3.4 — so check
  // with a clean registration that an option naming another record's name leaves ours alone.
  const fresh = held();
  respond(fresh.w, [other, { ...rec, ttl: 0 }], [tsrOpt(0, 0)]);
  fresh.w.run(1000);
  assert.is(fresh.h.state, 'established');
  assert.is(h.state, 'conflict');
});

test('draft §3.5 and §6: the time on the wire is relative, in seconds, clamped to seven days', () => {
  const w = world(1);
  w.br[0].proxy(spec('192.168.1.99', w.sim.now - 8 * 24 * 3600 * 1000));
  w.run(5000);
  const probe = from(w, 'br1').find((p) => !p.m.qr && p.m.authorities.length > 0)!;
  assert.ok(tsrOf(probe.m).every((o) => o.seconds === 7 * 24 * 3600));
  const w2 = world(1);
  w2.br[0].proxy(spec('192.168.1.99', w2.sim.now - 42_500));
  w2.run(5000);
  const p2 = from(w2, 'br1').find((p) => !p.m.qr && p.m.authorities.length > 0)!;
  assert.is(tsrOf(p2.m)[0].seconds, 42 + Math.floor((p2.t - (w2.sim.now - 5000)) / 1000));
});

test('DESIGN §5: the TSR code and layout are configuration; the draft layout puts the index first', () => {
  const w = world(1, { responder: { tsr: { code: 65001, layout: 'draft' } } });
  w.br[0].proxy(spec('192.168.1.99', w.sim.now - 3000));
  w.run(1000);
  const c = w.sim.capture.find((x) => x.from.host === 'br1')!;
  const m = decode(c.data, { tsrCode: 65001, tsrLayout: 'draft' });
  const opts = tsrOf(m);
  assert.ok(opts.length === 2 && opts.every((o) => o.code === 65001 && o.checksum === KEY && o.seconds === 3));
  // Read with the other layout the same bytes mean something else.
  const wrong = tsrOf(decode(c.data, { tsrCode: 65001, tsrLayout: 'apple' }));
  assert.ok(wrong.every((o) => o.seconds !== 3));
});

test('draft §4: times within the skew (default 2 s) are the same time; tsrSkew changes it', () => {
  const check = (skew: number | undefined, apart: number) => {
    const w = world(2, { responder: skew === undefined ? {} : { tsrSkew: skew } });
    const t0 = w.sim.now;
    w.br[0].proxy(spec('192.168.1.99', t0));
    w.run(5000);
    return w.br[1].proxy(spec('192.168.1.99', t0 - apart)).state;
  };
  // The wire carries whole seconds, so a heard time is up to 1 s later than the registration's.
  assert.is(check(undefined, 1000), 'established');
  assert.is(check(undefined, 3500), 'stale');
  assert.is(check(5000, 3500), 'established');
});

test('quiet (seed 000): a renewal with unchanged data sends nothing, and its new time is what later messages carry', () => {
  const { w, h } = held();
  const t = w.sim.now;
  h.update({ addresses: ['192.168.1.99'], services: [SVC], received: w.sim.now });
  w.run(10_000);
  assert.is(from(w, 'br1', t).length, 0);
  ask(w, 'dev.local');
  w.run(2000);
  const answer = from(w, 'br1', t).find((p) => p.m.qr)!;
  assert.ok(tsrOf(answer.m).every((o) => o.seconds <= 12), 'the renewed time');
});

test('quiet (seed 000): an added address is announced without probing; a removed one gets a goodbye', () => {
  const { w, h } = held();
  const t = w.sim.now;
  h.update({ addresses: ['192.168.1.99', '192.168.1.98'], received: w.sim.now });
  w.run(3000);
  const sent = from(w, 'br1', t);
  assert.ok(sent.every((p) => p.m.qr), 'no probe');
  assert.ok(sent.some((p) => p.m.answers.some((r) => r.data === '192.168.1.98' && r.ttl > 0)));
  const t2 = w.sim.now;
  h.update({ addresses: ['192.168.1.98'], received: w.sim.now });
  w.run(3000);
  assert.ok(from(w, 'br1', t2).some((p) => p.m.answers.some((r) => r.data === '192.168.1.99' && r.ttl === 0)));
});

test('RFC 6762 §10.2: an added address goes out with the addresses that stay, so caches that flush on it keep them', () => {
  const { w, h } = held();
  const t = w.sim.now;
  h.update({ addresses: ['192.168.1.99', '192.168.1.98'], received: w.sim.now });
  w.run(3000);
  const announced = from(w, 'br1', t).filter((p) => p.m.answers.some((r) => r.data === '192.168.1.98'));
  assert.ok(announced.length > 0);
  for (const p of announced) {
    const a = p.m.answers.filter((r) => r.name === 'dev.local' && r.type === T.A);
    assert.ok(a.every((r) => r.flush), 'sent with the cache-flush bit');
    assert.equal(a.map((r) => r.data).sort(), ['192.168.1.98', '192.168.1.99']);
  }
});

test('quiet (seed 000): withdraw with a goodbye, or without one', () => {
  const one = held();
  const t = one.w.sim.now;
  one.h.withdraw();
  one.w.run(1000);
  assert.ok(from(one.w, 'br1', t).some((p) => p.m.answers.some((r) => r.name === 'dev.local' && r.ttl === 0)));
  assert.is(one.h.state, 'withdrawn');
  const two = held();
  const t2 = two.w.sim.now;
  two.h.withdraw({ goodbye: false });
  two.w.run(1000);
  assert.is(from(two.w, 'br1', t2).length, 0);
});

test('quiet (seed 000): a secondary registrar does not answer a query the first time, and answers it when it is asked again within 5 s', () => {
  const w = world(1);
  const h = w.br[0].proxy(spec('192.168.1.99', w.sim.now, { secondary: true }));
  assert.is(h.state, 'established');
  w.run(5000);
  assert.is(from(w, 'br1').length, 0, 'no probe, no announcement');
  const ask1 = () => ask(w, 'dev.local');
  let t = w.sim.now;
  ask1();
  w.run(1000);
  assert.is(from(w, 'br1', t).length, 0, 'first time: silent');
  t = w.sim.now;
  ask1();
  w.run(1000);
  assert.is(from(w, 'br1', t).filter((p) => p.m.qr).length, 1, 'asked again within 5 s: answered');
  w.run(10_000);
  t = w.sim.now;
  ask1();
  w.run(1000);
  assert.is(from(w, 'br1', t).length, 0, 'a question not seen for over 5 s is a first time again');
});

test('quiet (seed 000): only the last server sends goodbyes; a goodbye by another for data we still hold is answered at once', () => {
  const w = world(2);
  const t0 = w.sim.now;
  const h1 = w.br[0].proxy(spec('192.168.1.99', t0));
  w.run(5000);
  const h2 = w.br[1].proxy(spec('192.168.1.99', t0));
  w.obs.watch({ name: 'dev.local', type: T.A });
  w.run(3000);
  // br2 (quiet, the data is on the link) withdraws first: br1 still advertises it, so no goodbye.
  let t = w.sim.now;
  h2.withdraw();
  w.run(2000);
  assert.is(from(w, 'br2', t).length, 0);
  // Again with br1 going first: its goodbye is answered by br2 at once, and the observer keeps the record.
  const h3 = w.br[1].proxy(spec('192.168.1.99', t0));
  assert.is(h3.state, 'established');
  t = w.sim.now;
  h1.withdraw();
  w.run(3000);
  assert.ok(from(w, 'br2', t).some((p) => p.m.qr && p.m.answers.some((r) => r.data === '192.168.1.99' && r.ttl > 0)));
  assert.equal(cachedAddrs(w), ['192.168.1.99']);
});

test('draft §8: without TSR nothing of it is recorded or sent, and a conflicting registration is renamed (RFC 6762 §9)', () => {
  const w = world(2);
  w.br[0].proxy({ ...spec('192.168.1.99', w.sim.now), tsr: undefined });
  w.run(5000);
  const h2 = w.br[1].proxy({ ...spec('192.168.1.77', w.sim.now), tsr: undefined });
  w.run(10_000);
  assert.ok(w.packets().every((p) => tsrOf(p.m).length === 0));
  assert.is(h2.hostName, 'dev-2');
  assert.is(h2.state, 'established');
});

test('draft §8: an ordinary service is judged by RFC 6762 alone: another host\'s record with a newer TSR is a conflict, not a reason to step down', () => {
  const w = world(1);
  const svc = w.br[0].publish(SVC);
  const events: string[] = [];
  svc.on('conflict', () => events.push('conflict'));
  w.run(5000);
  const t = w.sim.now;
  respond(w, [{ name: 'Dev Web._http._tcp.local', type: T.SRV, class: 1, flush: true, ttl: 120, data: { priority: 0, weight: 0, port: 81, target: 'other.local' } }], [tsrOpt(0, 0)]);
  w.run(5000);
  assert.equal(events, ['conflict']);
  // §9: it probes again (nobody defends the other data here) and keeps its name; nothing it sends carries TSR.
  assert.is(svc.name, 'Dev Web');
  assert.ok(from(w, 'br1', t).some((p) => !p.m.qr), 'probing again');
  assert.ok(w.packets().every((p) => p.host !== 'br1' || tsrOf(p.m).length === 0));
});

test('draft §3.5 at scale: 60 clients at once probe in full packets that keep room for their TSR options, and all are established', () => {
  const w = world(1);
  const hs = Array.from({ length: 60 }, (_, i) => w.br[0].proxy({
    hostName: `dev${i}`, addresses: [`192.168.2.${i + 1}`], services: [{ name: `Dev ${i}`, type: '_http._tcp', port: 80 }], tsr: { received: w.sim.now, checksum: KEY + i },
  }));
  w.run(6000);
  assert.ok(hs.every((h) => h.state === 'established'), hs.map((h) => h.state).join());
  assert.is(w.br[0].counters.internalError ?? 0, 0);
  const sent = w.sim.capture.filter((c) => c.from.host === 'br1');
  assert.ok(sent.every((c) => c.data.length <= 1452), 'within the budget');
  for (const c of sent) {
    const m = decode(c.data);
    if (m.qr) continue;
    assert.ok(m.questions.length > 0 && !m.tc, 'every probe packet is a whole probe: questions, no TC');
    const names = new Set(m.authorities.map((r) => r.name.toLowerCase()));
    assert.is(tsrOf(m).length, names.size, 'one TSR option per name in the packet');
  }
});

test('review fixes: a host on one LAN through two interfaces does not stand down against its own probe', () => {
  const sim = new Sim({ seed: 2 });
  const lan = sim.link('lan');
  const h = sim.host('br1', [{ name: 'eth0', link: lan, v4: '192.168.1.1/24' }, { name: 'wlan0', link: lan, v4: '192.168.1.2/24' }]);
  const r = createResponder(h.platform, { hostName: 'br1', families: [4] });
  sim.run(5000);
  const t = sim.now;
  const dev = r.proxy(spec('192.168.1.99', sim.now));
  sim.run(5000);
  assert.is(dev.state, 'established');
  assert.is(r.counters.tsrStoodDown ?? 0, 0);
  assert.ok(sim.capture.some((c) => c.t >= t && decode(c.data).qr && decode(c.data).answers.some((x) => x.name === 'dev.local')), 'announced');
});

test('review fixes: two registrars probing the same data at the same moment both go on (identical data is no conflict) and announce', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const sim = new Sim({ seed });
    const lan = sim.link('lan', { delay: 5 });
    const rs = [1, 2].map((i) => createResponder(sim.host(`br${i}`, [{ name: 'eth0', link: lan, v4: `192.168.1.${i}/24` }]).platform, { hostName: `br${i}`, families: [4] }));
    sim.run(5000);
    const t = sim.now;
    const hs = rs.map((r) => r.proxy(spec('192.168.1.99', t)));
    sim.run(6000);
    assert.ok(hs.every((h) => h.state === 'established'), `seed ${seed}`);
    assert.ok(sim.capture.some((c) => c.t >= t && decode(c.data).qr && decode(c.data).answers.some((x) => x.name === 'dev.local')), `seed ${seed}: announced`);
  }
});

test('review fixes: a service the client dropped is said goodbye with the new TSR, so an older copy elsewhere goes stale instead of coming back', () => {
  const w = world(2);
  const t0 = w.sim.now;
  const ssh = { name: 'Dev Ssh', type: '_ssh._tcp', port: 22 };
  // Two replicas of one registration (the same time), then the client drops a service at br2.
  const h1 = w.br[0].proxy(spec('192.168.1.99', t0, { services: [SVC, ssh] }));
  w.run(5000);
  const h2 = w.br[1].proxy(spec('192.168.1.99', t0, { services: [SVC, ssh] }));
  w.obs.watch({ name: '_ssh._tcp.local', type: T.PTR });
  w.run(3000);
  assert.equal([h1.state, h2.state], ['established', 'established']);
  h2.update({ services: [SVC], received: w.sim.now });
  w.run(5000);
  assert.is(h1.state, 'stale', 'br1 learns from the goodbye that its copy is older');
  assert.equal(w.obs.cache.get('_ssh._tcp.local', T.PTR).map((e) => String(e.rec.data)), []);
});

test('review fixes: what others advertise is remembered within bounds: at most 64 records per name', () => {
  const book = new HeardBook(4);
  for (let i = 0; i < 5000; i++) book.note('x.local', `id${i}`, 120, 0);
  assert.is(book.get('x.local', 0)!.ids.size, 64);
  for (let i = 0; i < 10; i++) book.note(`n${i}.local`, 'id', 120, 0);
  assert.is(book.get('x.local', 0), undefined, 'past the name cap the oldest name goes');
});

test('review fixes: the multicast history forgets records said goodbye to: 300 registrations made and withdrawn leave no trace', () => {
  const w = world(1);
  for (let i = 0; i < 300; i++) {
    const h = w.br[0].proxy({ hostName: `d${i}`, addresses: ['192.168.1.99'], tsr: { received: w.sim.now, checksum: i } });
    w.run(3000);
    h.withdraw();
    w.run(100);
  }
  for (const link of w.br[0].endpoint.linksById.values()) assert.ok(link.lastMulticast.size < 20, `${link.lastMulticast.size} entries`);
});

test('review fixes: a secondary registration does not hold back shared records a primary registration also owns', () => {
  const w = world(1);
  w.br[0].publish(SVC);
  w.br[0].proxy(spec('192.168.1.99', w.sim.now, { secondary: true, services: [{ name: 'Other', type: '_http._tcp', port: 81 }] }));
  w.run(5000);
  const t = w.sim.now;
  ask(w, '_services._dns-sd._udp.local', T.PTR);
  w.run(1000);
  assert.ok(from(w, 'br1', t).some((p) => p.m.answers.some((r) => r.name === '_services._dns-sd._udp.local')), 'answered the first time');
});

test('a client with 100 services is accepted and established (each record is checked alone, not the set against one packet)', () => {
  const w = world(1);
  const services = Array.from({ length: 100 }, (_, i) => ({ name: `Svc ${i}`, type: '_http._tcp', port: 1000 + i }));
  const h = w.br[0].proxy(spec('192.168.1.99', w.sim.now, { services }));
  w.run(8000);
  assert.is(h.state, 'established');
  assert.throws(() => w.br[0].proxy(spec('192.168.1.98', w.sim.now, { hostName: 'big', services: [{ name: 'x'.repeat(64), type: '_http._tcp', port: 1 }] })), /63/);
});

test('bad arguments: the proxy spec is refused naming the field', () => {
  const w = world(1);
  const r = w.br[0];
  assert.throws(() => r.proxy({ ...spec('192.168.1.99', 0), hostName: 'a.b' }), /hostName/);
  assert.throws(() => r.proxy({ ...spec('192.168.1.99', 0), addresses: ['nope'] }), /addresses holds 'nope'/);
  assert.throws(() => r.proxy({ ...spec('192.168.1.99', 0), tsr: { received: Number.NaN, checksum: 1 } }), /tsr.received/);
  assert.throws(() => r.proxy({ ...spec('192.168.1.99', 0), tsr: { received: 0 } }), /key .* or checksum/);
  assert.throws(() => createResponder(w.sim.host('x', []).platform, { hostName: 'x', tsrSkew: -1 }), /tsrSkew/);
});

/** The observer asks once for dev.local A and reports what its cache then holds. */
function cachedAddrsAfterQuery(w: World): string[] {
  w.obs.watch({ name: 'dev.local', type: T.A });
  w.run(3000);
  return cachedAddrs(w);
}

test.run();
