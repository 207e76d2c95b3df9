// The real responder engine over the raw platform: two interfaces on two
// separate links of an in-memory device, virtual time. A query that comes in
// on one link is answered on that link only, with that link's addresses.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRawPlatform } from '../../platform/raw/platform.js';
import { formatMac, multicastMac } from '../../platform/raw/ethernet.js';
import { receive } from '../../platform/raw/stack.js';
import type { Received } from '../../platform/raw/stack.js';
import { createResponder } from '../../src/mdns/responder.js';
import { parseIp } from '../../src/net.js';
import { decode, encode, message, T } from '../../src/wire/index.js';
import type { Message, Question } from '../../src/wire/index.js';
import { FakeDevice, Peer, iface, mac, virtualBase } from './fake-device.js';

const G4 = '224.0.0.251';
const A = { index: 2, mac: '02:00:00:00:00:02', v4: '192.168.1.10', v6: 'fe80::10' };
const B = { index: 3, mac: '02:00:00:00:00:03', v4: '10.0.0.10', v6: 'fe80::30' };
const peerA = new Peer(mac('0a:00:00:00:00:20'), '192.168.1.20', 'fe80::20');

function world() {
  const device = new FakeDevice([
    iface(A.index, 'eth0', A.mac, [`${A.v4}/24`, `${A.v6}/64`]),
    iface(B.index, 'eth1', B.mac, [`${B.v4}/24`, `${B.v6}/64`]),
  ]);
  const base = virtualBase(7);
  const p = createRawPlatform(device, base);
  const r = createResponder(p, { hostName: 'hush' });
  r.publish({ name: 'web', type: '_http._tcp', port: 8080 });
  // Every probe and both announcements (RFC 6762 §8).
  base.clock.runUntil(5000);
  return { device, base, p, r };
}

const question = (name: string, type: number, qu = false): Question => ({ name, type, class: 1, qu });

/** Every frame sent on an interface since `since`, read back (checksums checked) and its DNS message decoded. */
const sent = (device: FakeDevice, ifindex: number, since: number): { r: Received; m: Message; dstMac: string }[] =>
  device.sentOn(ifindex, since).map((f) => {
    const r = receive(f, ifindex);
    return { r, m: decode(r.payload), dstMac: formatMac(f.subarray(0, 6)) };
  });

const addresses = (m: Message): string[] =>
  [...m.answers, ...m.additionals].filter((x) => x.type === T.A || x.type === T.AAAA).map((x) => x.data as string).sort();

test('both links were probed and announced on, each from its own interface', () => {
  const { device } = world();
  for (const x of [A, B]) {
    const out = sent(device, x.index, 0);
    assert.ok(out.length > 0);
    assert.ok(out.every((o) => formatMac(o.r.srcMac) === x.mac && [x.v4, x.v6].includes(o.r.src)));
    assert.ok(out.some((o) => addresses(o.m).includes(x.v4)));
  }
});

test('a query on link A is answered on port A only, with A\'s addresses', () => {
  const { device, base } = world();
  const since = device.sent.length;
  const q = encode(message({ questions: [question('hush.local', T.A), question('hush.local', T.AAAA)] }));
  device.deliver(A.index, peerA.frame({ dst: G4, dstMac: multicastMac(parseIp(G4)!), payload: q }));
  base.clock.runUntil(base.clock.now + 2000);
  assert.equal(device.sentOn(B.index, since), []);
  const out = sent(device, A.index, since);
  assert.ok(out.length > 0);
  for (const o of out) {
    assert.equal([o.r.src, o.r.dst, o.r.ttl, o.dstMac], [A.v4, G4, 255, '01:00:5e:00:00:fb']);
    assert.ok(o.m.qr);
  }
  assert.equal(addresses(out[0].m), [A.v4, A.v6].sort());
});

test('a legacy unicast query (RFC 6762 §6.7) is answered straight to the querier\'s MAC and port, on A only', () => {
  const { device, base } = world();
  const since = device.sent.length;
  const q = encode(message({ id: 0x1234, questions: [question('hush.local', T.A)] }));
  device.deliver(A.index, peerA.frame({ dst: G4, dstMac: multicastMac(parseIp(G4)!), payload: q, srcPort: 40000 }));
  base.clock.runUntil(base.clock.now + 2000);
  assert.equal(device.sentOn(B.index, since), []);
  const out = sent(device, A.index, since);
  assert.equal(out.map((o) => [o.dstMac, o.r.src, o.r.dst, o.r.srcPort, o.r.dstPort, o.m.id]),
    [[formatMac(peerA.mac), A.v4, peerA.v4, 5353, 40000, 0x1234]]);
  assert.equal(out[0].m.answers.map((x) => [x.data, x.ttl]), [[A.v4, 10]]);
});

test.run();
