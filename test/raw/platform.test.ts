// The raw platform (platform/raw/platform.ts) over an in-memory device: what
// reaches the engine's sockets with which metadata, which frames leave on
// which port from which addresses, what falls back to the guard socket, and
// how ports, guards and the interface list follow the engine and the device.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRawPlatform } from '../../platform/raw/platform.js';
import type { RawPlatformOptions } from '../../platform/raw/platform.js';
import { Neighbours } from '../../platform/raw/neighbours.js';
import { formatMac, multicastMac } from '../../platform/raw/ethernet.js';
import { receive } from '../../platform/raw/stack.js';
import { parseIp } from '../../src/net.js';
import type { NetInterface, PacketMeta, Socket } from '../../src/platform.js';
import { encode, message, T } from '../../src/wire/index.js';
import { FakeDevice, Peer, iface, mac, virtualBase } from './fake-device.js';

const G4 = '224.0.0.251';
const G6 = 'ff02::fb';
const GMAC = { 4: multicastMac(parseIp(G4)!), 6: multicastMac(parseIp(G6)!) };
/** Our interfaces: eth0 (2) and eth1 (3) usable; lo, a tunnel without a MAC and a down interface not. */
const MAC = { 2: '02:00:00:00:00:02', 3: '02:00:00:00:00:03' } as const;
const peerA = new Peer(mac('0a:00:00:00:00:20'), '192.168.1.20', 'fe80::20');
const peerB = new Peer(mac('0a:00:00:00:00:30'), '10.0.0.20', 'fe80::3:20');
const QUERY = encode(message({ questions: [{ name: '_http._tcp.local', type: T.PTR, class: 1, qu: false }] }));

function world(opts: RawPlatformOptions = {}) {
  const device = new FakeDevice([
    iface(1, 'lo', '00:00:00:00:00:00', ['127.0.0.1/8', '::1/128'], { loopback: true }),
    // The global IPv6 address first: multicast must still leave from the link-local one.
    iface(2, 'eth0', MAC[2], ['192.168.1.10/24', 'fd00::10/64', 'fe80::10/64']),
    iface(3, 'eth1', MAC[3], ['10.0.0.10/24', '10.0.0.11/24', 'fe80::30/64']),
    iface(4, 'tun0', undefined, ['10.8.0.1/24']),
    iface(5, 'eth2', '02:00:00:00:00:05', ['172.16.0.1/24'], { up: false }),
  ]);
  const base = virtualBase();
  const p = createRawPlatform(device, base, opts);
  return { device, base, p };
}

interface Heard { data: Uint8Array; meta: PacketMeta }

function listen(s: Socket): Heard[] {
  const heard: Heard[] = [];
  s.onMessage((data, meta) => heard.push({ data, meta }));
  return heard;
}

/** Both mDNS sockets, joined on the interfaces given per family. */
function mdns(p: ReturnType<typeof world>['p'], on: { 4?: number[]; 6?: number[] }) {
  const s4 = p.open({ family: 4, port: 5353, group: G4 });
  const s6 = p.open({ family: 6, port: 5353, group: G6 });
  for (const i of on[4] ?? []) s4.join(i);
  for (const i of on[6] ?? []) s6.join(i);
  return { s4, s6, heard4: listen(s4), heard6: listen(s6) };
}

const logged = (base: ReturnType<typeof virtualBase>, what: RegExp): number => base.logs.filter((l) => what.test(l.msg)).length;

test('interfaces: up, not loopback, with a MAC and an address, as NetInterface; or exactly the named ones', () => {
  const { p } = world();
  assert.equal(p.interfaces(), [
    { index: 2, name: 'eth0', up: true, multicast: true, addrs: [{ family: 4, addr: '192.168.1.10', prefix: 24 }, { family: 6, addr: 'fd00::10', prefix: 64 }, { family: 6, addr: 'fe80::10', prefix: 64 }] },
    { index: 3, name: 'eth1', up: true, multicast: true, addrs: [{ family: 4, addr: '10.0.0.10', prefix: 24 }, { family: 4, addr: '10.0.0.11', prefix: 24 }, { family: 6, addr: 'fe80::30', prefix: 64 }] },
  ]);
  assert.equal(world({ interfaces: ['eth1', 'tun0'] }).p.interfaces().map((i) => i.index), [3]);
  // Named or not, loopback is not usable: a packet socket there hears each frame twice, its own ones too.
  assert.equal(world({ interfaces: ['lo', 'eth0'] }).p.interfaces().map((i) => i.index), [2]);
});

test('a multicast query on a joined interface reaches the socket of its family with exact metadata', () => {
  const { device, p } = world();
  const { heard4, heard6 } = mdns(p, { 4: [2], 6: [2] });
  device.deliver(2, peerA.frame({ dst: G4, dstMac: GMAC[4], payload: QUERY }));
  device.deliver(2, peerA.frame({ dst: G6, dstMac: GMAC[6], payload: QUERY, srcPort: 40000, ttl: 1 }));
  assert.equal(heard4.map((h) => h.meta), [{ src: '192.168.1.20', srcPort: 5353, ifindex: 2, dst: G4, ttl: 255 }]);
  assert.equal(heard6.map((h) => h.meta), [{ src: 'fe80::20', srcPort: 40000, ifindex: 2, dst: G6, ttl: 1 }]);
  assert.equal([...heard4[0].data], [...QUERY]);
  assert.equal(p.counters.delivered, 2);
});

test('a multicast query on an interface the socket did not join is not delivered (the port is open for the other family)', () => {
  const { device, p } = world();
  const { heard4, heard6 } = mdns(p, { 4: [2, 3], 6: [2] });
  device.deliver(3, peerB.frame({ dst: G6, dstMac: GMAC[6], payload: QUERY }));
  assert.equal(heard6, []);
  device.deliver(3, peerB.frame({ dst: G4, dstMac: GMAC[4], payload: QUERY }));
  assert.equal(heard4.map((h) => h.meta.ifindex), [3]);
  // Another group on the port, or another port, reaches nobody.
  device.deliver(3, peerB.frame({ dst: '224.0.0.252', dstMac: GMAC[4], payload: QUERY }));
  device.deliver(3, peerB.frame({ dst: G4, dstMac: GMAC[4], payload: QUERY, dstPort: 5354 }));
  assert.is(heard4.length, 1);
});

test('unicast to the interface\'s own address is delivered with that dst; to another address, or on another interface, not', () => {
  const { device, p } = world();
  const { heard4, heard6 } = mdns(p, { 4: [2, 3], 6: [2] });
  const ours = mac(MAC[2]);
  device.deliver(2, peerA.frame({ dst: '192.168.1.10', dstMac: ours, payload: QUERY, srcPort: 40001 }));
  device.deliver(2, peerA.frame({ dst: 'fd00::10', dstMac: ours, payload: QUERY, src: 'fd00::20' }));
  device.deliver(2, peerA.frame({ dst: '192.168.1.99', dstMac: ours, payload: QUERY }));
  device.deliver(3, peerB.frame({ dst: '192.168.1.10', dstMac: mac(MAC[3]), payload: QUERY }));
  assert.equal(heard4.map((h) => h.meta), [{ src: '192.168.1.20', srcPort: 40001, ifindex: 2, dst: '192.168.1.10', ttl: 255 }]);
  assert.equal(heard6.map((h) => h.meta), [{ src: 'fd00::20', srcPort: 5353, ifindex: 2, dst: 'fd00::10', ttl: 255 }]);
});

test('a multicast send names interface 3: one frame on port 3 only, its MAC and first IPv4 address, TTL 255, checksums right', () => {
  const { device, p } = world();
  const { s4 } = mdns(p, { 4: [2, 3] });
  s4.send(QUERY, { addr: G4, port: 5353, ifindex: 3 });
  assert.is(device.sentOn(2).length, 0);
  const [frame, ...more] = device.sentOn(3);
  assert.is(more.length, 0);
  const r = receive(frame, 3);
  assert.equal([formatMac(frame.subarray(0, 6)), formatMac(r.srcMac)], ['01:00:5e:00:00:fb', MAC[3]]);
  assert.equal([r.family, r.src, r.dst, r.srcPort, r.dstPort, r.ttl], [4, '10.0.0.10', G4, 5353, 5353, 255]);
  assert.equal([...r.payload], [...QUERY]);
  assert.equal(p.counters.sent, 1);
});

test('IPv6 multicast leaves from the link-local address, to 33:33:00:00:00:fb, hop limit 255', () => {
  const { device, p } = world();
  const { s6 } = mdns(p, { 6: [2] });
  s6.send(QUERY, { addr: G6, port: 5353, ifindex: 2 });
  const [frame] = device.sentOn(2);
  const r = receive(frame, 2);
  assert.equal([formatMac(frame.subarray(0, 6)), formatMac(r.srcMac)], ['33:33:00:00:00:fb', MAC[2]]);
  assert.equal([r.family, r.src, r.dst, r.ttl], [6, 'fe80::10', G6, 255]);
});

test('IPv4 frames carry a per-platform identification, one more each frame', () => {
  const { device, p } = world();
  const { s4 } = mdns(p, { 4: [2, 3] });
  s4.send(QUERY, { addr: G4, port: 5353, ifindex: 2 });
  s4.send(QUERY, { addr: G4, port: 5353, ifindex: 3 });
  const ids = device.sent.map((s) => (s.frame[18] << 8) | s.frame[19]);
  assert.is(ids[1], ids[0] + 1);
});

test('a unicast reply goes to the MAC the query came from, from the address on the querier\'s subnet', () => {
  const { device, p } = world();
  const { s4, s6 } = mdns(p, { 4: [3], 6: [3] });
  device.deliver(3, peerB.frame({ dst: G4, dstMac: GMAC[4], payload: QUERY, srcPort: 40000 }));
  device.deliver(3, peerB.frame({ dst: G6, dstMac: GMAC[6], payload: QUERY }));
  s4.send(QUERY, { addr: '10.0.0.20', port: 40000, ifindex: 3 });
  // A zone in the address is dropped: the ifindex decides.
  s6.send(QUERY, { addr: 'fe80::3:20%eth0', port: 5353, ifindex: 3 });
  const [f4, f6] = device.sentOn(3).map((f) => ({ f, r: receive(f, 3) }));
  assert.equal([formatMac(f4.f.subarray(0, 6)), f4.r.src, f4.r.dst, f4.r.srcPort, f4.r.dstPort, f4.r.ttl],
    [formatMac(peerB.mac), '10.0.0.10', '10.0.0.20', 5353, 40000, 255]);
  assert.equal([formatMac(f6.f.subarray(0, 6)), f6.r.src, f6.r.dst], [formatMac(peerB.mac), 'fe80::30', 'fe80::3:20']);
  assert.is(device.guard(4).of('send').length, 0);
});

test('a unicast destination whose MAC is unknown goes through the guard, on the interface named (0 when none is)', () => {
  const { device, p } = world();
  const { s4, s6 } = mdns(p, { 4: [2], 6: [2] });
  s4.send(QUERY, { addr: '192.168.1.77', port: 5353, ifindex: 2 });
  s4.send(QUERY, { addr: '192.168.1.78', port: 5353 });
  s6.send(QUERY, { addr: 'fe80::77%eth0', port: 5353 });
  assert.is(device.sent.length, 0);
  assert.equal(device.guard(4).of('send').map((c) => [c.addr, c.port, c.ifindex, c.data.length]),
    [['192.168.1.77', 5353, 2, QUERY.length], ['192.168.1.78', 5353, 0, QUERY.length]]);
  assert.equal(device.guard(6).of('send').map((c) => [c.addr, c.ifindex]), [['fe80::77', 2]]);
  assert.is(p.counters.viaGuard, 3);
});

test('a unicast reply to an off-link source (its MAC a router\'s) is left to the kernel\'s routing, through the guard', () => {
  const { device, p } = world();
  const { s6 } = mdns(p, { 6: [2] });
  device.deliver(2, peerA.frame({ src: '2001:db8::99', dst: 'fd00::10', dstMac: mac(MAC[2]), payload: QUERY, srcPort: 40000 }));
  s6.send(QUERY, { addr: '2001:db8::99', port: 40000, ifindex: 2 });
  assert.is(device.sentOn(2).length, 0, 'no frame from the link-local address to a router');
  assert.equal(device.guard(6).of('send').map((c) => [c.addr, c.port, c.ifindex]), [['2001:db8::99', 40000, 2]]);
});

test('multicast on a usable interface without an open port goes through the guard', () => {
  const { device, p } = world();
  const { s4 } = mdns(p, { 4: [2] });
  s4.send(QUERY, { addr: G4, port: 5353, ifindex: 3 });
  assert.equal([device.sent.length, device.guard(4).of('send').map((c) => [c.addr, c.ifindex])], [0, [[G4, 3]]]);
});

test('multicast without an interface is counted and logged once, nothing sent', () => {
  const { device, base, p } = world();
  const { s4 } = mdns(p, { 4: [2] });
  s4.send(QUERY, { addr: G4, port: 5353 });
  s4.send(QUERY, { addr: G4, port: 5353 });
  assert.equal([device.sent.length, device.guard(4).of('send').length, p.counters.noInterface], [0, 0, 2]);
  assert.is(logged(base, /names no interface/), 1);
});

test('a multicast frame sent on a port is looped, once, through the guard to the same group, port and interface (both families)', () => {
  const { device, p } = world();
  const { s4, s6 } = mdns(p, { 4: [2, 3], 6: [2] });
  s4.send(QUERY, { addr: G4, port: 5353, ifindex: 3 });
  s6.send(QUERY, { addr: G6, port: 5353, ifindex: 2 });
  assert.equal(device.guard(4).of('loop').map((c) => [c.group, c.port, c.ifindex, [...c.data]]), [[G4, 5353, 3, [...QUERY]]]);
  assert.equal(device.guard(6).of('loop').map((c) => [c.group, c.port, c.ifindex]), [[G6, 5353, 2]]);
  assert.equal([device.sent.length, p.counters.sent, p.counters.looped], [2, 2, 2]);
});

test('no loop for unicast, for multicast the guard sent itself, for a failed frame, or where the guard has no membership', () => {
  const { device, p } = world();
  const { s4, s6 } = mdns(p, { 4: [3], 6: [2] });
  device.deliver(3, peerB.frame({ dst: G4, dstMac: GMAC[4], payload: QUERY }));
  s4.send(QUERY, { addr: '10.0.0.20', port: 5353, ifindex: 3 });
  s4.send(QUERY, { addr: '10.0.0.99', port: 5353, ifindex: 3 });
  s4.send(new Uint8Array(1473), { addr: G4, port: 5353, ifindex: 3 });
  device.open(3)[0].failSend = 'ENXIO';
  s4.send(QUERY, { addr: G4, port: 5353, ifindex: 3 });
  // Port 2 is open (the IPv6 socket joined there) but the IPv4 guard is no member of 224.0.0.251 on it.
  s4.send(QUERY, { addr: G4, port: 5353, ifindex: 2 });
  assert.equal([device.sentOn(3).length, device.sentOn(2).length, device.guard(4).of('send').length], [1, 1, 2]);
  assert.equal([device.guard(4).of('loop').length, device.guard(6).of('loop').length, p.counters.looped, p.counters.notLooped], [0, 0, undefined, 1]);
  s6.send(QUERY, { addr: G6, port: 5353, ifindex: 2 });
  assert.is(device.guard(6).of('loop').length, 1);
});

test('a loop that fails is counted by errno and logged once; the frame was sent all the same', () => {
  const { device, base, p } = world();
  const { s4 } = mdns(p, { 4: [2] });
  device.guard(4).failLoop = 'ENOBUFS';
  assert.not.throws(() => {
    s4.send(QUERY, { addr: G4, port: 5353, ifindex: 2 });
    s4.send(QUERY, { addr: G4, port: 5353, ifindex: 2 });
  });
  assert.equal([device.sentOn(2).length, p.counters.sent, p.counters['guardLoop.ENOBUFS'], p.counters.looped], [2, 2, 2, undefined]);
  assert.is(logged(base, /local copy of a multicast datagram/), 1);
});

test('a datagram too large for one frame, or a port that says EMSGSIZE, goes through the guard; ENXIO is counted and logged once', () => {
  const { device, base, p } = world();
  const { s4, s6 } = mdns(p, { 4: [2], 6: [2] });
  s4.send(new Uint8Array(1472), { addr: G4, port: 5353, ifindex: 2 });
  s4.send(new Uint8Array(1473), { addr: G4, port: 5353, ifindex: 2 });
  s6.send(new Uint8Array(1453), { addr: G6, port: 5353, ifindex: 2 });
  assert.equal(device.sent.map((s) => s.frame.length), [14 + 20 + 8 + 1472]);
  assert.equal(device.guard(4).of('send').map((c) => [c.addr, c.ifindex, c.data.length]), [[G4, 2, 1473]]);
  assert.equal(device.guard(6).of('send').map((c) => c.data.length), [1453]);
  const [port] = device.open(2);
  port.failSend = 'EMSGSIZE';
  s4.send(QUERY, { addr: G4, port: 5353, ifindex: 2 });
  assert.is(device.guard(4).of('send').length, 2);
  for (let n = 0; n < 3; n++) {
    port.failSend = 'ENXIO';
    s4.send(QUERY, { addr: G4, port: 5353, ifindex: 2 });
  }
  assert.equal([p.counters['send.ENXIO'], device.guard(4).of('send').length], [3, 2]);
  assert.is(logged(base, /send on a raw port failed/), 1);
});

test('an interface without an address of the family: counted, logged once, dropped', () => {
  const { device, base, p } = world();
  device.list[2] = iface(3, 'eth1', MAC[3], ['10.0.0.10/24']);
  device.change();
  base.clock.runUntil(1000);
  const { s6 } = mdns(p, { 6: [3] });
  s6.send(QUERY, { addr: G6, port: 5353, ifindex: 3 });
  s6.send(QUERY, { addr: G6, port: 5353, ifindex: 3 });
  assert.equal([device.sent.length, p.counters.noAddress], [0, 2]);
  assert.is(logged(base, /no IPv6 address/), 1);
});

test('truncated and badly checksummed frames are counted by reason and logged once per reason', () => {
  const { device, base, p } = world();
  const { heard4 } = mdns(p, { 4: [2] });
  const good = peerA.frame({ dst: G4, dstMac: GMAC[4], payload: QUERY });
  const bad = good.slice();
  bad[good.length - 1] ^= 0xff;
  for (let n = 0; n < 5; n++) device.deliver(2, good.subarray(0, 30));
  for (let n = 0; n < 3; n++) device.deliver(2, bad);
  assert.equal(heard4, []);
  assert.equal([p.counters['frame.truncated'], p.counters['frame.badChecksum'], p.counters.frames], [5, 3, 8]);
  assert.is(logged(base, /frame dropped/), 2);
});

test('a frame whose UDP checksum the device vouches for is delivered though the checksum is wrong; without the word it is dropped', () => {
  const { device, p } = world();
  const { heard4, heard6 } = mdns(p, { 4: [2], 6: [2] });
  // As Linux hands over a datagram made on this machine: the checksum not filled in yet.
  const unfilled = (frame: Uint8Array): Uint8Array => {
    const copy = frame.slice();
    const at = copy.length - QUERY.length - 2;
    [copy[at], copy[at + 1]] = [0x12, 0x34];
    return copy;
  };
  const f4 = unfilled(peerA.frame({ dst: G4, dstMac: GMAC[4], payload: QUERY }));
  const f6 = unfilled(peerA.frame({ dst: G6, dstMac: GMAC[6], payload: QUERY }));
  device.deliver(2, f4);
  device.deliver(2, f6);
  assert.equal([heard4.length, heard6.length, p.counters['frame.badChecksum']], [0, 0, 2]);
  device.deliver(2, f4, { checksumTrusted: true });
  device.deliver(2, f6, { checksumTrusted: true, outgoing: true });
  assert.equal([heard4.map((h) => h.meta.src), heard6.map((h) => h.meta.src)], [[peerA.v4], [peerA.v6]]);
  assert.equal([...heard4[0].data], [...QUERY]);
  assert.equal([p.counters.delivered, p.counters['frame.badChecksum']], [2, 2]);
  // The IPv4 header checksum is checked whatever the device says.
  const badHeader = f4.slice();
  badHeader[14 + 10] ^= 0xff;
  device.deliver(2, badHeader, { checksumTrusted: true });
  assert.equal([heard4.length, p.counters['frame.badChecksum']], [1, 3]);
});

test('frames this host sent are delivered like received ones but teach no neighbour', () => {
  const { device, p } = world();
  const { s4, heard4 } = mdns(p, { 4: [2] });
  device.deliver(2, peerA.frame({ dst: G4, dstMac: GMAC[4], payload: QUERY }), { outgoing: true });
  assert.equal(heard4.map((h) => h.meta.src), ['192.168.1.20']);
  s4.send(QUERY, { addr: peerA.v4, port: 5353, ifindex: 2 });
  assert.equal([device.sent.length, device.guard(4).of('send').length], [0, 1]);
  device.deliver(2, peerA.frame({ dst: G4, dstMac: GMAC[4], payload: QUERY }));
  s4.send(QUERY, { addr: peerA.v4, port: 5353, ifindex: 2 });
  assert.is(device.sent.length, 1);
});

test('join on an unknown interface, or one the raw path cannot use, and an openPort EPERM: counted, logged once, never thrown', () => {
  const { device, base, p } = world();
  device.failOpen.set(2, 'EPERM');
  const { s4, heard4 } = mdns(p, { 4: [99, 4, 5, 2, 2] });
  assert.equal([p.counters.unknownInterface, p.counters['openPort.EPERM']], [3, 2]);
  assert.equal([logged(base, /no usable interface/), logged(base, /cannot open a raw port/)], [1, 1]);
  assert.equal([device.ports.length, device.guard(4).of('join').length], [0, 0]);
  // Once the port can be opened, joining again works.
  device.failOpen.clear();
  s4.join(2);
  device.deliver(2, peerA.frame({ dst: G4, dstMac: GMAC[4], payload: QUERY }));
  assert.is(heard4.length, 1);
});

test('one port per interface for both families, with both group MACs; the guard of each family joins its group; the last leave closes the port', () => {
  const { device, p } = world();
  const { s4, s6 } = mdns(p, { 4: [2], 6: [2] });
  assert.is(device.ports.length, 1);
  const [port] = device.ports;
  assert.equal(port.opts.memberships.map(formatMac), ['01:00:5e:00:00:fb', '33:33:00:00:00:fb']);
  assert.is(port.opts.filter, true);
  assert.equal(device.guard(4).of('join'), [{ op: 'join', group: G4, ifindex: 2 }]);
  assert.equal(device.guard(6).of('join'), [{ op: 'join', group: G6, ifindex: 2 }]);
  s4.join(2);
  assert.equal([device.ports.length, device.guard(4).of('join').length], [1, 1]);
  s4.leave(2);
  assert.is(port.closed, false);
  assert.equal(device.guard(4).of('leave'), [{ op: 'leave', group: G4, ifindex: 2 }]);
  s6.leave(2);
  assert.is(port.closed, true);
  s6.join(2);
  assert.equal([device.ports.length, device.open(2).length], [2, 1]);
});

test('the filter option reaches the port', () => {
  const { device, p } = world({ filter: false });
  p.open({ family: 4, port: 5353, group: G4 }).join(3);
  assert.is(device.ports[0].opts.filter, false);
});

test('a burst of changes is one notification; a vanished interface closes its port, the guard not asked to leave', () => {
  const { device, base, p } = world();
  const lists: NetInterface[][] = [];
  p.onInterfaces((l) => lists.push(l));
  const { s4, heard4 } = mdns(p, { 4: [2, 3] });
  device.list = device.list.filter((i) => i.index !== 3);
  device.change(5);
  assert.equal(lists, []);
  base.clock.runUntil(1000);
  assert.equal(lists.map((l) => l.map((i) => i.index)), [[2]]);
  assert.equal([device.open(3).length, device.open(2).length], [0, 1]);
  assert.equal(device.guard(4).of('leave'), []);
  // The engine's own leave afterwards changes nothing.
  s4.leave(3);
  assert.equal(device.guard(4).of('leave'), []);
  // A signal with nothing changed notifies nobody; a new address does.
  device.change();
  base.clock.runUntil(2000);
  assert.is(lists.length, 1);
  device.list[1].addrs.push({ family: 4, addr: '192.168.1.11', prefix: 24 });
  device.change();
  base.clock.runUntil(3000);
  assert.equal(lists.map((l) => l[0].addrs.length), [3, 4]);
  device.deliver(2, peerA.frame({ dst: '192.168.1.11', dstMac: mac(MAC[2]), payload: QUERY }));
  assert.equal(heard4.map((h) => h.meta.dst), ['192.168.1.11']);
});

test('an interface that went down but still exists: its port closes and the guard leaves', () => {
  const { device, base, p } = world();
  mdns(p, { 4: [2, 3] });
  device.list[2] = { ...device.list[2], up: false };
  device.change();
  base.clock.runUntil(1000);
  assert.is(device.open(3).length, 0);
  assert.equal(device.guard(4).of('leave'), [{ op: 'leave', group: G4, ifindex: 3 }]);
  assert.is(p.counters.portsLost, 1);
});

test('other ports, and port 5353 without a group, go to base.open', () => {
  const { device, base, p } = world();
  p.open({ family: 4, port: 0 });
  p.open({ family: 6, port: 53 });
  p.open({ family: 4, port: 5353 });
  p.open({ family: 4, port: 5353, group: G4 });
  assert.equal(base.opened.map((s) => s.opts), [{ family: 4, port: 0 }, { family: 6, port: 53 }, { family: 4, port: 5353 }]);
  assert.equal(device.guards.map((g) => [g.family, g.port]), [[4, 5353]]);
});

test('bad calls throw a TypeError naming the argument', () => {
  const { p } = world();
  assert.throws(() => p.open({ family: 4, port: 5353, group: 'ff02::fb' }), (e: unknown) => e instanceof TypeError && /group/.test(e.message));
  assert.throws(() => p.open({ family: 5 as 4, port: 5353, group: G4 }), (e: unknown) => e instanceof TypeError && /family/.test(e.message));
  const s = p.open({ family: 4, port: 5353, group: G4 });
  assert.throws(() => s.send(QUERY, { addr: 'fe80::1', port: 5353, ifindex: 2 }), (e: unknown) => e instanceof TypeError && /to\.addr/.test(e.message));
  assert.throws(() => s.send(QUERY, { addr: G4, port: 70000, ifindex: 2 }), (e: unknown) => e instanceof TypeError && /to\.port/.test(e.message));
});

test('two sockets of a family share the guard and its memberships; the last to go closes them', () => {
  const { device, p } = world();
  const a = p.open({ family: 4, port: 5353, group: G4 });
  const b = p.open({ family: 4, port: 5353, group: G4 });
  a.join(2);
  b.join(2);
  assert.equal([device.guards.length, device.guard(4).of('join').length, device.ports.length], [1, 1, 1]);
  a.close();
  assert.equal([device.guard(4).closed, device.guard(4).of('leave').length, device.open(2).length], [false, 0, 1]);
  b.close();
  assert.equal([device.guard(4).closed, device.guard(4).of('leave').length, device.open(2).length], [true, 1, 0]);
});

test('close: sockets, ports, guards and the watch closed, then base; nothing heard after', async () => {
  const { device, base, p } = world();
  const lists: NetInterface[][] = [];
  p.onInterfaces((l) => lists.push(l));
  const { s4, heard4 } = mdns(p, { 4: [2, 3], 6: [2] });
  const other = p.open({ family: 4, port: 0 });
  await p.close();
  assert.equal(device.ports.map((x) => x.closed), [true, true]);
  assert.equal(device.guards.map((g) => g.closed), [true, true]);
  assert.equal([device.watching, base.closed], [0, true]);
  assert.is(base.opened[0], other);
  s4.send(QUERY, { addr: G4, port: 5353, ifindex: 2 });
  device.deliver(2, peerA.frame({ dst: G4, dstMac: GMAC[4], payload: QUERY }));
  assert.equal([device.sent.length, heard4.length, p.counters.sendClosed], [0, 0, 1]);
  await p.close();
});

test('the neighbour table keeps the most recently used entries up to its cap', () => {
  const n = new Neighbours(2);
  n.learn(2, '10.0.0.1', mac('0a:00:00:00:00:01'));
  n.learn(2, '10.0.0.2', mac('0a:00:00:00:00:02'));
  assert.ok(n.get(2, '10.0.0.1'));
  n.learn(2, '10.0.0.3', mac('0a:00:00:00:00:03'));
  assert.equal([!!n.get(2, '10.0.0.1'), !!n.get(2, '10.0.0.2'), !!n.get(2, '10.0.0.3'), !!n.get(3, '10.0.0.3')], [true, false, true, false]);
  n.forget(2);
  assert.is(n.size, 0);
  assert.throws(() => new Neighbours(0), /cap/);
});

test('the neighbour cap is an option of the platform', () => {
  const { device, p } = world({ neighbours: 1 });
  const { s4 } = mdns(p, { 4: [2] });
  device.deliver(2, peerA.frame({ dst: G4, dstMac: GMAC[4], payload: QUERY }));
  device.deliver(2, peerA.frame({ dst: G4, dstMac: GMAC[4], payload: QUERY, src: '192.168.1.21' }));
  s4.send(QUERY, { addr: peerA.v4, port: 5353, ifindex: 2 });
  s4.send(QUERY, { addr: '192.168.1.21', port: 5353, ifindex: 2 });
  assert.equal([device.guard(4).of('send').map((c) => c.addr), device.sent.length], [[peerA.v4], 1]);
});

test.run();
