// The querier's cache (RFC 6762 §10) on the sim's virtual clock.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Clock } from '../../platform/sim/index.js';
import type { Platform } from '../../src/platform.js';
import { Cache } from '../../src/mdns/cache.js';
import type { CacheEntry, CacheEvent, CacheOptions } from '../../src/mdns/cache.js';
import { T } from '../../src/wire/index.js';
import { q, rr } from './harness.js';

const L = 'eth0/4';

function setup(opts: CacheOptions = {}): { clock: Clock; cache: Cache; events: string[] } {
  const clock = new Clock();
  const p = { now: () => clock.now, timer: (ms: number, fn: () => void) => clock.at(clock.now + ms, fn) } as unknown as Platform;
  const cache = new Cache(p, opts);
  const events: string[] = [];
  cache.on((ev: CacheEvent, e: CacheEntry) => events.push(`${clock.now} ${ev} ${e.rec.name} ${String(e.rec.data)}`));
  return { clock, cache, events };
}

const a = (addr: string, ttl = 120, flush = true) => rr('Host.local', T.A, addr, ttl, flush);

test('rfc6762 §10 cache: records are keyed case-insensitively and refreshed, not duplicated', () => {
  const { clock, cache, events } = setup();
  cache.put(L, a('10.0.0.1'));
  clock.runUntil(5000);
  cache.put(L, rr('HOST.LOCAL', T.A, '10.0.0.1', 120, true));
  assert.is(cache.size, 1);
  assert.equal(cache.get('host.local', T.A).map((e) => e.rec.data), ['10.0.0.1']);
  assert.is(cache.get('host.local', T.A)[0].receivedAt, 5000);
  // Another link is another entry.
  cache.put('eth1/4', a('10.0.0.1'));
  assert.is(cache.size, 2);
  assert.is(cache.get('host.local', T.A, L).length, 1);
  assert.equal(events, ['0 add Host.local 10.0.0.1', '5000 update HOST.LOCAL 10.0.0.1', '5000 add Host.local 10.0.0.1']);
});

test('rfc6762 §10 cache: a record of another class with the same name, type and data is another entry (RFC 2181 §5)', () => {
  const { cache } = setup();
  cache.put(L, a('10.0.0.1'));
  cache.put(L, { ...a('10.0.0.1'), class: 3 });
  assert.is(cache.size, 2);
  assert.equal(cache.get('host.local', T.A).map((e) => e.rec.class).sort(), [1, 3]);
});

test('rfc6762 §10 cache: a record expires at its TTL, with one timer for the soonest expiry', () => {
  const { clock, cache, events } = setup();
  for (let i = 0; i < 50; i++) cache.put(L, rr(`n${i}.local`, T.A, '10.0.0.1', 10 + i, false));
  assert.ok(clock.pending <= 2, `${clock.pending} timers pending for 50 records`);
  clock.runUntil(9999);
  assert.is(cache.size, 50);
  clock.runUntil(10_000);
  assert.is(cache.size, 49);
  assert.equal(events.filter((e) => e.includes('remove')), ['10000 remove n0.local 10.0.0.1']);
  clock.runUntil(59_000);
  assert.is(cache.size, 0);
  assert.is(clock.pending, 0);
  // A refresh moves the expiry.
  cache.put(L, a('10.0.0.9', 10));
  clock.runUntil(clock.now + 8000);
  cache.put(L, a('10.0.0.9', 10));
  clock.runUntil(clock.now + 9000);
  assert.is(cache.size, 1);
  clock.runUntil(clock.now + 1000);
  assert.is(cache.size, 0);
});

test('rfc6762 §10.1 goodbye: a TTL 0 record is removed one second later; an unknown goodbye adds nothing', () => {
  const { clock, cache, events } = setup();
  cache.put(L, a('10.0.0.1'));
  clock.runUntil(3000);
  cache.put(L, a('10.0.0.1', 0));
  clock.runUntil(3999);
  assert.is(cache.get('host.local', T.A).length, 1);
  clock.runUntil(4000);
  assert.is(cache.size, 0);
  assert.equal(events, ['0 add Host.local 10.0.0.1', '4000 remove Host.local 10.0.0.1']);
  cache.put(L, a('10.0.0.2', 0));
  assert.is(cache.size, 0);
});

test('rfc6762 §10.2 cache-flush: others of the name/type/class received over 1 s ago expire 1 s later; newer ones stay', () => {
  const { clock, cache } = setup();
  cache.put(L, a('10.0.0.1'));
  cache.put(L, rr('host.local', T.AAAA, 'fe80::1', 120, true));
  cache.put('eth1/4', a('10.0.0.5'));
  clock.runUntil(5000);
  cache.put(L, a('10.0.0.2'));
  clock.runUntil(5500);
  // Part of the same RRSet, received within the second: kept.
  cache.put(L, a('10.0.0.3'));
  clock.runUntil(5999);
  assert.equal(cache.get('host.local', T.A, L).map((e) => e.rec.data).sort(), ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  clock.runUntil(6000);
  assert.equal(cache.get('host.local', T.A, L).map((e) => e.rec.data).sort(), ['10.0.0.2', '10.0.0.3']);
  // Other types and other links are untouched.
  assert.is(cache.get('host.local', T.AAAA, L).length, 1);
  assert.is(cache.get('host.local', T.A, 'eth1/4').length, 1);
  // A shared record (no flush bit) flushes nothing.
  clock.runUntil(9000);
  cache.put(L, a('10.0.0.4', 120, false));
  clock.runUntil(12_000);
  assert.is(cache.get('host.local', T.A, L).length, 3);
});

test('rfc6762 §10.3 topology change: flushing a link removes only its records, at once', () => {
  const { cache, events } = setup();
  cache.put(L, a('10.0.0.1'));
  cache.put('eth1/4', a('10.0.0.2'));
  cache.flushLink(L);
  assert.equal(cache.get('host.local', T.A).map((e) => e.link), ['eth1/4']);
  assert.ok(events.includes('0 remove Host.local 10.0.0.1'));
});

test('rfc6762 §10.4 reconfirm: the querier is asked, and the record goes within 10 s unless answered', () => {
  const asked: string[] = [];
  const { clock, cache } = setup({ reconfirm: (link, name, type) => asked.push(`${link} ${name} ${type}`) });
  cache.put(L, a('10.0.0.1'));
  cache.put(L, rr('x.local', T.A, '10.0.0.7', 120, true));
  cache.reconfirm(L, 'HOST.local', T.A);
  assert.equal(asked, [`${L} Host.local ${T.A}`]);
  clock.runUntil(9999);
  assert.is(cache.get('host.local', T.A).length, 1);
  clock.runUntil(10_000);
  assert.is(cache.get('host.local', T.A).length, 0);
  assert.is(cache.get('x.local', T.A).length, 1);
  // Answered in time: it stays for its new TTL.
  cache.put(L, a('10.0.0.1'));
  cache.reconfirm(L, 'host.local', T.A);
  clock.runUntil(clock.now + 3000);
  cache.put(L, a('10.0.0.1'));
  clock.runUntil(clock.now + 60_000);
  assert.is(cache.get('host.local', T.A).length, 1);
});

test('rfc6762 §10.5 passive observation: two unanswered queries for a cached record reconfirm it; an answer in between does not', () => {
  const asked: string[] = [];
  const { clock, cache } = setup({ reconfirm: (_l, name) => asked.push(name) });
  cache.put(L, a('10.0.0.1'));
  cache.observe(L, [q('host.local', T.A)], []);
  clock.runUntil(1000);
  cache.put(L, a('10.0.0.1'));
  cache.observe(L, [q('host.local', T.A)], []);
  assert.equal(asked, []);
  // A QU question (answered by unicast) and a query that lists the record as known prove nothing.
  cache.observe(L, [q('host.local', T.A, true)], []);
  cache.observe(L, [q('host.local', T.A)], [a('10.0.0.1')]);
  assert.equal(asked, []);
  clock.runUntil(2000);
  cache.observe(L, [q('host.local', T.A)], []);
  assert.equal(asked, ['Host.local']);
  clock.runUntil(11_999);
  assert.is(cache.size, 1);
  clock.runUntil(12_000);
  assert.is(cache.size, 0);
});

test('rfc6762 §10.5 passive observation counts queries, not questions: one packet repeating a question 200 times doubts nothing, and N doubted records cost one reconfirm', () => {
  const asked: string[] = [];
  const { cache } = setup({ reconfirm: (_l, name) => asked.push(name) });
  for (let i = 0; i < 50; i++) cache.put(L, a(`10.0.1.${i}`));
  cache.observe(L, Array.from({ length: 200 }, () => q('host.local', T.A)), []);
  assert.equal(asked, [], 'one query, however many copies of the question it carries');
  cache.observe(L, [q('host.local', T.A)], []);
  assert.equal(asked, ['Host.local'], 'the second query doubts the set once, not once per record');
});

test('cache size cap: a flood of unique records stays within the cap, evicting the soonest-expiring', () => {
  const { cache } = setup({ max: 100 });
  cache.put(L, rr('keep.local', T.A, '10.0.0.1', 4500, false));
  for (let i = 0; i < 1000; i++) cache.put(L, rr(`flood${i}.local`, T.A, '10.0.0.2', 100 + (i % 50), false));
  assert.is(cache.size, 100);
  assert.is(cache.get('keep.local', T.A).length, 1);
  // What stays is what expires latest.
  const ttls = cache.get('flood999.local', T.A).length + cache.get('flood49.local', T.A).length;
  assert.is(ttls, 2);
  assert.is(cache.get('flood0.local', T.A).length, 0);
  assert.throws(() => setup({ max: 0 }), /max/);
});

test.run();
