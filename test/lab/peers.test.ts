// Self-tests of the lab's peers, without hush: avahi-daemon publishes in one
// namespace and is browsed, resolved and queried from others; mdnsd
// publishes and mquery finds it; the legacy load generator gets answers from
// avahi; a capture on the link's bridge sees all of it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Lab } from './netns.js';
import type { Member } from './netns.js';
import { avahiBrowse, avahiResolveName, mquery, startAvahi, startCapture, startMdnsd } from './peers.js';
import type { Avahi, Capture, ServiceSpec } from './peers.js';
import { runLegacyLoad } from '../../bench/lab/legacy-load.js';

const WEB: ServiceSpec = {
  name: 'Lab Web.1 “é”; x', type: '_http._tcp', port: 8080,
  txt: ['path=/x', 'k=v w', 'flag', 'q="\\', 'u=é'], subtypes: ['_printer'],
};
const TROG: ServiceSpec = { name: 'Trog Web', type: '_ftp._tcp', port: 2121, txt: ['server=x'] };

let lab: Lab;
let a: Member, b: Member, c: Member, d: Member;
let capture: Capture;
let alpha: Avahi, beta: Avahi;

test.before(async () => {
  lab = new Lab('peers');
  const names = ['a', 'b', 'c', 'd'].map((n) => lab.netns(n));
  // a: avahi publishing; b: avahi browsing and the load generator; c: mdnsd; d: mquery.
  [a, b, c, d] = lab.link(1, names.map((ns) => ({ ns })));
  capture = await startCapture(lab, `${lab.prefix}-br1`, 'br0');
});

test.after(() => lab.close());

test('avahi in another namespace browses and resolves an avahi service with its TXT, on both address families', async () => {
  alpha = await startAvahi(lab, a.ns, { hostName: 'alpha', services: [WEB] });
  beta = await startAvahi(lab, b.ns, { hostName: 'beta' });
  await alpha.waitLog(/Service ".*" \(.*\) successfully established/, 10_000);
  const seen = await avahiBrowse(lab, b.ns, beta, '_http._tcp');
  const byFamily = (p: string) => seen.filter((r) => r.protocol === p && r.name === WEB.name);
  for (const [proto, addr] of [['IPv4', a.v4], ['IPv6', a.v6]]) {
    const [r] = byFamily(proto);
    assert.ok(r, `${proto} record of "${WEB.name}" in ${JSON.stringify(seen)}`);
    assert.equal([r.type, r.domain, r.host, r.address, r.port, r.interface], ['_http._tcp', 'local', 'alpha.local', addr, WEB.port, b.ifname]);
    assert.equal(r.txt, WEB.txt);
  }
});

test('avahi-browse finds the service by subtype and lists it with --all', async () => {
  const sub = await avahiBrowse(lab, b.ns, beta, '_printer._sub._http._tcp', { resolve: false });
  assert.ok(sub.some((r) => r.name === WEB.name), JSON.stringify(sub));
  const all = await avahiBrowse(lab, b.ns, beta, '--all', { resolve: false });
  assert.ok(all.some((r) => r.name === WEB.name && r.type === '_http._tcp'), JSON.stringify(all));
  assert.not.ok(all.some((r) => r.type === '_ftp._tcp'), 'nothing publishes _ftp._tcp yet');
});

test('avahi-resolve -n resolves the other host name over IPv4 and IPv6', async () => {
  assert.is(await avahiResolveName(lab, b.ns, beta, 'alpha.local', 4), a.v4);
  assert.is(await avahiResolveName(lab, b.ns, beta, 'alpha.local', 6), a.v6);
  // And from the other side: each daemon answers for its own name only.
  assert.is(await avahiResolveName(lab, a.ns, alpha, 'beta.local', 4), b.v4);
});

test('a service name avahi already sees on the link makes the newcomer rename it', async () => {
  beta.publish(WEB);
  const line = await beta.waitLog(/^Service name conflict for /, 15_000);
  assert.is(line, `Service name conflict for "${WEB.name}" (/etc/avahi/services/s0.service), retrying with "${WEB.name} #2".`);
  await beta.waitLog(new RegExp(`^Service "${WEB.name} #2" .* successfully established`), 15_000);
});

test('mdnsd publishes and mquery in another namespace finds the instance and its SRV', async () => {
  await startMdnsd(lab, c.ns, { services: [TROG], hostName: 'trog' });
  const scan = await mquery(lab, d.ns, { name: '_ftp._tcp.local.', waitSec: 3 });
  assert.ok(scan.found.some((f) => f.name === `${TROG.name}._ftp._tcp.local.` && f.from === c.v4), scan.output);
  const srv = await mquery(lab, d.ns, { name: `${TROG.name}._ftp._tcp.local.`, type: 33, simple: true, waitSec: 2 });
  assert.ok(srv.answers.some((r) => r.type === 'SRV' && r.data.endsWith(`:${TROG.port}`)), srv.output);
});

test('the legacy load generator gets every query answered by avahi with its address', async () => {
  const r = await runLegacyLoad(lab, b.ns, { target: a.v4, name: 'alpha.local', type: 'A', rate: 200, seconds: 2, expect: a.v4 });
  assert.is(r.sent, 400);
  assert.is(r.answered, r.sent, JSON.stringify(r));
  assert.is(r.bad, 0);
  const r6 = await runLegacyLoad(lab, b.ns, { target: a.v6, name: 'alpha.local', type: 'AAAA', rate: 100, seconds: 1, expect: a.v6 });
  assert.is(r6.answered, 100, JSON.stringify(r6));
  // Replies carrying other data than expected do not count as answers.
  const wrong = await runLegacyLoad(lab, b.ns, { target: a.v4, name: 'alpha.local', type: 'A', rate: 50, seconds: 1, expect: b.v4 });
  assert.equal([wrong.answered, wrong.bad], [0, 50], JSON.stringify(wrong));
});

test('the capture: avahi and mdnsd frames are well formed with IP TTL 255, on both families; legacy replies go back to the query port', async () => {
  await alpha.stop();
  const { frames } = await capture.stop();
  // mquery's own queries (from d) carry bogus known answers and TTL 1: they are mquery's, not the responders'.
  const responders = frames.filter((f) => f.src !== d.v4);
  assert.ok(frames.some((f) => f.src === d.v4), 'mquery was captured');
  const bad = responders.filter((f) => f.malformed);
  assert.equal(bad, [], 'malformed frames');
  const mdns = responders.filter((f) => f.sport === 5353);
  assert.equal(mdns.filter((f) => f.ipTtl !== 255), [], 'mDNS frames with IP TTL other than 255');
  for (const src of [a.v4, a.v6, b.v4, b.v6, c.v4]) assert.ok(mdns.some((f) => f.src === src), `frames from ${src}`);
  // RFC 6762 §6.7: legacy replies come from 5353 to the querier's own port, unicast.
  const legacy = frames.filter((f) => f.response && f.sport === 5353 && f.dport !== 5353);
  assert.ok(legacy.length >= 550, `legacy replies: ${legacy.length}`);
  assert.ok(legacy.every((f) => f.dst === b.v4 || f.dst === b.v6));
  // SIGTERM: avahi said goodbye (RFC 6762 §10.1: records with TTL 0) on both families.
  for (const src of [a.v4, a.v6]) {
    assert.ok(frames.some((f) => f.src === src && f.response && f.ttls.length > 0 && f.ttls.every((t) => t === 0)), `goodbye from ${src}`);
  }
});

test.run();
