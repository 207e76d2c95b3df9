// resolve(name, types): the TTL cache, the .local seam and argument checks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { T } from '../../src/wire/index.js';
import { Resolver, isLinkLocalName } from '../../src/resolver/index.js';
import type { Result } from '../../src/resolver/index.js';
import { Cache } from '../../src/resolver/cache.js';
import { ADDR, lab, rr } from './server.js';

function setup() {
  const l = lab({}, 10);
  return { ...l, r: new Resolver(l.client.platform, { servers: [{ addr: ADDR.server }] }) };
}

test('RFC 1035 §3.2.1: a cached answer is returned without a packet, TTLs aged', async () => {
  const { sim, r } = setup();
  const first = r.resolve('www.example', [T.A, T.AAAA]);
  sim.run(100);
  assert.equal((await first).map((x) => x.status), ['ok', 'ok']);
  const sent = sim.capture.length;
  sim.run(100_000);
  const again = await r.resolve('WWW.Example', [T.AAAA, T.A]);
  assert.is(sim.capture.length, sent, 'no packet for a cache hit');
  assert.equal(again.map((x) => [x.type, x.status]), [[T.AAAA, 'ok'], [T.A, 'ok']]);
  assert.is(again[1].records[0].ttl, 300 - 100);
  assert.is(r.counters.cacheHits, 2);
});

test('RFC 1035 §3.2.1: an expired answer is asked again; only the expired type', async () => {
  const { sim, r, packets } = setup();
  const first = r.resolve('www.example', [T.A, T.AAAA]);
  sim.run(100);
  await first;
  sim.run(300_000);
  const again = r.resolve('www.example', [T.A, T.AAAA]);
  sim.run(100);
  assert.equal((await again).map((x) => x.status), ['ok', 'ok']);
  const qs = packets().filter((p) => !p.m.qr);
  assert.is(qs.length, 2);
  assert.equal(qs[1].m.questions.map((q) => q.type), [T.A], 'AAAA (TTL 600) still cached');
});

test('RFC 2308 §5: negative answers are cached for the SOA minimum', async () => {
  const { sim, r, packets } = setup();
  const ask = async () => {
    const p = r.resolve('nothere.example', [T.A]);
    sim.run(100);
    return (await p)[0].status;
  };
  assert.is(await ask(), 'nxdomain');
  assert.is(await ask(), 'nxdomain');
  assert.is(packets().filter((p) => !p.m.qr).length, 1);
  sim.run(60_000);
  assert.is(await ask(), 'nxdomain');
  assert.is(packets().filter((p) => !p.m.qr).length, 2);
});

test('RFC 2308 §7.1: timeouts and server failures are not cached', async () => {
  const l = lab({ drop: 3 });
  const r = new Resolver(l.client.platform, { servers: [{ addr: ADDR.server }] });
  const p = r.resolve('www.example', [T.A]);
  l.sim.run(8000);
  assert.is((await p)[0].status, 'timeout');
  const q = r.resolve('www.example', [T.A]);
  l.sim.run(100);
  assert.is((await q)[0].status, 'ok');
});

test('a lookup callback that throws on the receive path is counted, never let out, and resolving goes on', async () => {
  const { sim, r } = setup();
  r.lookup('www.example', [T.A], () => { throw new Error('caller bug'); });
  sim.run(100);
  assert.is(r.counters.errors, 1);
  const next = r.resolve('v4only.example', [T.A]);
  sim.run(100);
  assert.equal((await next).map((x) => x.status), ['ok']);
});

test('cache: a flood of unique names stays within the cap, oldest evicted first', () => {
  const c = new Cache({ max: 100 });
  const ok = (i: number): Result => ({ type: T.A, status: 'ok', records: [rr(`n${i}.example`, T.A, '192.0.2.1')], ttl: 300 });
  for (let i = 0; i < 10_000; i++) c.put(`n${i}.example`, ok(i), 0);
  assert.is(c.size, 100);
  assert.is(c.get('n0.example', T.A, 0), undefined);
  assert.ok(c.get('n9999.example', T.A, 0));
  assert.ok(c.get('n9900.example', T.A, 0));
  assert.is(c.get('n9899.example', T.A, 0), undefined);
});

test('RFC 6762 §3, §4: .local and link-local reverse names go to the injected lookup, not upstream', async () => {
  const l = lab();
  const asked: [string, number[]][] = [];
  const r = new Resolver(l.client.platform, {
    servers: [{ addr: ADDR.server }],
    local: (name, types, done) => {
      asked.push([name, types]);
      done(types.map((type) => ({ type, status: 'ok', records: [rr(name, type, '169.254.1.1')] })));
    },
  });
  const got = await r.resolve('printer.local', [T.A, T.AAAA, T.A]);
  assert.equal(got.map((x) => x.type), [T.A, T.AAAA]);
  await r.resolve('1.1.254.169.in-addr.arpa', [T.PTR]);
  assert.equal(asked.map((a) => a[0]), ['printer.local', '1.1.254.169.in-addr.arpa']);
  l.sim.run(100);
  assert.is(l.sim.capture.length, 0, 'nothing unicast');
});

test('RFC 6762 §4: which names are link-local', () => {
  for (const n of ['a.local', 'A.LOCAL.', 'local', '4.3.254.169.in-addr.arpa', '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f.ip6.arpa', 'x.b.e.f.ip6.arpa']) {
    assert.ok(isLinkLocalName(n), n);
  }
  for (const n of ['www.example', 'localhost', 'notlocal', '4.3.2.1.in-addr.arpa', 'x.c.e.f.ip6.arpa', 'local.example']) {
    assert.not.ok(isLinkLocalName(n), n);
  }
});

test('resolve: bad arguments are refused with a message naming the argument', async () => {
  const l = lab();
  const r = new Resolver(l.client.platform, { servers: [{ addr: ADDR.server }] });
  const refused = async (p: Promise<unknown>, word: string) => {
    try {
      await p;
      assert.unreachable('accepted');
    } catch (e) {
      assert.match((e as Error).message, word);
    }
  };
  await refused(r.resolve(42 as unknown as string, [T.A]), 'name');
  await refused(r.resolve('', [T.A]), 'name');
  await refused(r.resolve('www.example', []), 'types');
  await refused(r.resolve('www.example', [T.ANY]), 'types');
  await refused(r.resolve('www.example', [T.OPT]), 'types');
  await refused(r.resolve('x.local', [T.A]), 'options.local');
  assert.throws(() => new Resolver(l.client.platform, { servers: [{ addr: 'not-an-ip' }] }), /servers: address 'not-an-ip'/);
  assert.throws(() => new Resolver(l.client.platform, { servers: [], backoff: [] }), /backoff/);
});

test.run();
