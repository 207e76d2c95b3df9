// DNS-SD browse, service-type enumeration, resolve and address lookup on the
// querier (host 'q'), against the harness's Responder (host 'r') on the sim.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createQuerier } from '../../src/mdns/querier.js';
import type { Querier } from '../../src/mdns/querier.js';
import { browse, browseTypes, lookup, resolve } from '../../src/dnssd/browse.js';
import type { Resolved } from '../../src/dnssd/browse.js';
import type { ServiceSpec } from '../../src/dnssd/records.js';
import { T } from '../../src/wire/index.js';
import { HTTP, Lab, NAMES, R, SETTLE } from '../mdns/harness.js';

const INSTANCE = 'My Web._http._tcp.local';
const PRINTER: ServiceSpec = { name: 'Laser.1', type: '_ipp._tcp', port: 631, subtypes: ['_universal'] };

function setup(): { lab: Lab; querier: Querier } {
  const lab = new Lab({ responder: { families: [4] } });
  const host = lab.sim.host('q', [{ name: 'eth0', link: lab.lan, v4: '192.168.1.30/24', v6: 'fe80::30/64' }]);
  return { lab, querier: createQuerier(host.platform, { families: [4] }) };
}

const text = (r: Resolved): string =>
  `${r.kind} ${r.host}:${r.port} ${[...r.txt].map(([k, v]) => `${k}=${v === true ? '' : String.fromCharCode(...v)}`).join(';')} [${r.addresses.join(' ')}]`;

/** When the querier last heard a record of this name and type from the responder. */
function lastHeard(lab: Lab, name: string, type: number, before: number): number {
  const got = lab.packets({ host: 'r', until: before }).filter((p) => p.m.qr && p.m.answers.concat(p.m.additionals).some((r) => r.name === name && r.type === type && r.ttl > 0));
  return got[got.length - 1].t;
}

test('rfc6763 §4 browse: a published instance is added; unpublished, it is removed 1 s after the goodbye (RFC 6762 §10.1)', async () => {
  const { lab, querier } = setup();
  const events: string[] = [];
  browse(querier, '_http._tcp', (e) => events.push(`${lab.now} ${e.kind} ${e.instance} ${e.name} ${e.type} ${e.links.join(',')}`));
  const h = lab.r.publish(HTTP);
  lab.run(SETTLE);
  assert.is(events.length, 1);
  assert.match(events[0], / add My Web My Web\._http\._tcp\.local _http\._tcp eth0\/4$/);
  const t = lab.now;
  await h.unpublish();
  lab.run(3000);
  assert.equal(events.slice(1), [`${t + 1000} remove My Web ${INSTANCE} _http._tcp `]);
});

test('rfc6763 §4 browse: a host that vanishes without goodbye is removed when its records\' TTL runs out', () => {
  const { lab, querier } = setup();
  const events: string[] = [];
  const resolved: string[] = [];
  browse(querier, '_http._tcp', (e) => events.push(`${lab.now} ${e.kind}`));
  lab.r.publish(HTTP);
  lab.run(SETTLE);
  resolve(querier, INSTANCE, (r) => resolved.push(`${lab.now} ${r.kind}`));
  lab.run(10_000);
  const down = lab.now;
  lab.host.ifDown('eth0');
  lab.run(5000 * 1000);
  const ptr = lastHeard(lab, '_http._tcp.local', T.PTR, down);
  const srv = lastHeard(lab, INSTANCE, T.SRV, down);
  // RFC 6762 §10: the PTR's TTL is 4500 s, the SRV's 120 s; nothing refreshed them after the host went silent.
  assert.equal(events.map((e) => e.split(' ')[1]), ['add', 'remove']);
  assert.is(Number(events[1].split(' ')[0]), ptr + 4_500_000);
  assert.equal(resolved.map((e) => e.split(' ')[1]), ['resolved', 'remove']);
  assert.is(Number(resolved[1].split(' ')[0]), srv + 120_000);
});

test('rfc6763 §7.1 subtype browse and §9 service type enumeration', () => {
  const { lab, querier } = setup();
  const sub: string[] = [];
  const types: string[] = [];
  browse(querier, '_ipp._tcp', (e) => sub.push(`${e.kind} ${e.instance}`), { subtype: '_universal' });
  browse(querier, '_http._tcp', (e) => sub.push(`wrong ${e.instance}`), { subtype: '_universal' });
  browseTypes(querier, (e) => types.push(`${e.kind} ${e.type}`));
  lab.r.publish(HTTP);
  lab.r.publish(PRINTER);
  lab.run(SETTLE);
  assert.equal(sub, ['add Laser.1']);
  assert.equal(types.sort(), ['add _http._tcp', 'add _ipp._tcp']);
  // Started later, a browse reports what the cache already holds.
  const late: string[] = [];
  browse(querier, '_ipp._tcp', (e) => late.push(`${e.kind} ${e.name}`));
  assert.equal(late, ['add Laser\\.1._ipp._tcp.local']);
});

test('rfc6763 §5 resolve: SRV target, port, TXT and the host\'s addresses, then a TXT and port update', () => {
  const { lab, querier } = setup();
  const h = lab.r.publish(HTTP);
  lab.run(SETTLE);
  const got: string[] = [];
  resolve(querier, INSTANCE, (r) => got.push(text(r)));
  assert.equal(got, [`resolved ${NAMES.host}:8080 path=/ [${[R.v4, R.v6].sort().join(' ')}]`]);
  const t = lab.now;
  h.update({ txt: { path: '/v2' }, port: 8081 });
  lab.run(3000);
  assert.equal(got.slice(1), [`update ${NAMES.host}:8081 path=/v2 [${[R.v4, R.v6].sort().join(' ')}]`]);
  // The announcement of the change arrived at once.
  assert.ok(lab.packets({ host: 'r', since: t }).some((p) => p.t === t));
});

test('rfc6763 §5 resolve from cold: the querier asks for SRV and TXT together, then the target\'s addresses', () => {
  const lab = new Lab({ responder: { families: [4] } });
  lab.r.publish(HTTP);
  lab.run(SETTLE);
  const host = lab.sim.host('q', [{ name: 'eth0', link: lab.lan, v4: '192.168.1.30/24' }]);
  const querier = createQuerier(host.platform, { families: [4] });
  const got: string[] = [];
  const t = lab.now;
  resolve(querier, INSTANCE, (r) => got.push(text(r)));
  lab.run(1000);
  const first = lab.packets({ host: 'q', since: t })[0];
  assert.equal(first.m.questions.map((x) => x.type).sort(), [T.TXT, T.SRV]);
  // The responder's answer carries the addresses as additionals (RFC 6763 §12.2): one resolution, complete.
  assert.equal(got, [`resolved ${NAMES.host}:8080 path=/ [${[R.v4, R.v6].sort().join(' ')}]`], lab.dump(t));
});

test('lookup: a host name\'s A and AAAA addresses, added and (after the goodbye) removed', async () => {
  const { lab, querier } = setup();
  const got: string[] = [];
  lookup(querier, 'HUSH.local', (e) => got.push(`${e.kind} ${e.family} ${e.address}`));
  lab.run(SETTLE);
  assert.equal(got.sort(), [`add 4 ${R.v4}`, `add 6 ${R.v6}`]);
  await lab.r.close();
  lab.run(2000);
  assert.equal(got.slice(2).sort(), [`remove 4 ${R.v4}`, `remove 6 ${R.v6}`]);
});

test('stop handles: no more events and no more queries for a stopped browse', () => {
  const { lab, querier } = setup();
  const events: string[] = [];
  const b = browse(querier, '_http._tcp', (e) => events.push(e.kind));
  lab.run(2000);
  b.stop();
  b.stop();
  const t = lab.now;
  lab.r.publish(HTTP);
  lab.run(120_000);
  assert.equal(events, []);
  assert.is(lab.packets({ host: 'q', since: t }).filter((p) => p.m.questions.some((x) => x.type === T.PTR)).length, 0);
});

test('rfc6763 §4 browse over IPv4 and IPv6: one add naming both links, the addresses heard on either', () => {
  const lab = new Lab();
  const host = lab.sim.host('q', [{ name: 'eth0', link: lab.lan, v4: '192.168.1.30/24', v6: 'fe80::30/64' }]);
  const querier = createQuerier(host.platform);
  const events: string[] = [];
  const got: string[] = [];
  browse(querier, '_http._tcp', (e) => events.push(`${e.kind} ${e.links.slice().sort().join(',')}`));
  lab.r.publish(HTTP);
  lab.run(SETTLE);
  resolve(querier, INSTANCE, (r) => got.push(text(r)));
  assert.is(events.length, 2, String(events));
  assert.match(events[0], /^add eth0\/[46]$/);
  assert.is(events[1], 'update eth0/4,eth0/6');
  assert.equal(got, [`resolved ${NAMES.host}:8080 path=/ [${[R.v4, R.v6].sort().join(' ')}]`]);
  assert.ok(lab.packets({ host: 'q', family: 6 }).length > 0, 'the querier asks on IPv6 too');
});

test('bad arguments are refused with a message naming the argument', () => {
  const { querier } = setup();
  const fn = (): void => undefined;
  assert.throws(() => browse(querier, 'http', fn), /type/);
  assert.throws(() => browse(querier, '_http._tcp', fn, { subtype: 'printer' }), /subtype/);
  assert.throws(() => browse(querier, '_http._tcp', 5 as unknown as () => void), /listener/);
  assert.throws(() => resolve(querier, 'My Web', fn), /instance/);
  assert.throws(() => lookup(querier, '', fn), /host/);
});

test.run();
