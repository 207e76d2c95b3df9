// The Node platform's interface list, built from os.networkInterfaces()-shaped
// input and a fake /sys/class/net, its change detection, and how a received
// datagram's source tells the interface it came in on. No sockets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { NetworkInterfaceInfo } from 'node:os';
import type { NetInterface } from '../../src/platform.js';
import { arrival, readInterfaces, syntheticIndex } from '../../platform/node/interfaces.js';
import { sameInterfaces } from '../../platform/interfaces.js';
import type { DeviceInfo } from '../../platform/node/interfaces.js';

const MAC = '02:00:00:00:00:01';

function v4(address: string, prefix: number, internal = false): NetworkInterfaceInfo {
  const mask = prefix ? (0xffffffff << (32 - prefix)) >>> 0 : 0;
  const netmask = [24, 16, 8, 0].map((s) => (mask >>> s) & 0xff).join('.');
  return { address, netmask, family: 'IPv4', mac: MAC, internal, cidr: `${address}/${prefix}` };
}

function v6(address: string, prefix: number, scopeid = 0, internal = false): NetworkInterfaceInfo {
  return { address, netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: MAC, internal, cidr: `${address}/${prefix}`, scopeid };
}

/** A fake sysfs: ifindex and flags by device name. */
function sys(devs: Record<string, [number, number]>): DeviceInfo {
  return { ifindex: (d) => devs[d]?.[0], flags: (d) => devs[d]?.[1] };
}
const none: DeviceInfo = { ifindex: () => undefined, flags: () => undefined };

/** IFF_UP | IFF_BROADCAST | IFF_MULTICAST, and IFF_UP | IFF_POINTOPOINT | IFF_RUNNING (no IFF_MULTICAST). */
const UP_MULTICAST = 0x1003;
const UP_POINTOPOINT = 0x91;

const host = {
  lo: [v4('127.0.0.1', 8, true), v6('::1', 128, 0, true)],
  eth0: [v4('192.168.1.10', 24), v6('fe80::10', 64, 2)],
  wg0: [v4('10.9.0.1', 32)],
};

test('every up, non-internal interface with its sysfs ifindex, prefixes from the cidr, multicast from IFF_MULTICAST', () => {
  const list = readInterfaces(host, sys({ lo: [1, 0x9], eth0: [2, UP_MULTICAST], wg0: [7, UP_POINTOPOINT] }));
  assert.equal(list, [
    { index: 2, name: 'eth0', up: true, multicast: true, addrs: [{ family: 4, addr: '192.168.1.10', prefix: 24 }, { family: 6, addr: 'fe80::10', prefix: 64 }] },
    { index: 7, name: 'wg0', up: true, multicast: false, addrs: [{ family: 4, addr: '10.9.0.1', prefix: 32 }] },
  ]);
});

test('a configured list keeps exactly the named interfaces, loopback included when named', () => {
  const list = readInterfaces(host, sys({ lo: [1, 0x9], eth0: [2, UP_MULTICAST], wg0: [7, UP_POINTOPOINT] }), ['lo', 'eth0', 'missing']);
  assert.equal(list.map((i) => [i.name, i.index, i.multicast]), [['lo', 1, false], ['eth0', 2, true]]);
});

test('without sysfs: the IPv6 scope id, else a stable synthetic index; non-internal counts as multicast', () => {
  const raw = { en0: [v4('192.168.1.10', 24), v6('fe80::10', 64, 4)], utun3: [v4('10.0.0.2', 24)] };
  const list = readInterfaces(raw, none);
  assert.equal(list.map((i) => [i.name, i.index, i.multicast]), [['en0', 4, true], ['utun3', syntheticIndex('utun3'), true]]);
  assert.is(readInterfaces(raw, none)[1].index, list[1].index, 'same name, same index on every read');
  assert.is.not(syntheticIndex('utun3'), syntheticIndex('utun4'));
  assert.ok(syntheticIndex('utun3') > 0xffff, 'clear of small real indexes');
});

test('a Linux address label (eth0:1) belongs to its device', () => {
  const raw = { eth0: [v4('192.168.1.10', 24)], 'eth0:1': [v4('192.168.2.10', 24)] };
  const list = readInterfaces(raw, sys({ eth0: [3, UP_MULTICAST] }));
  assert.equal(list.map((i) => [i.name, i.index, i.addrs.map((a) => a.addr)]), [['eth0', 3, ['192.168.1.10', '192.168.2.10']]]);
});

test('addresses in canonical form; a missing cidr falls back to the netmask', () => {
  const raw = { eth0: [{ ...v6('FD00:0:0:0::0001', 64), cidr: null, netmask: 'ffff:ffff:ffff:fff0::' }, { ...v4('10.1.2.3', 0), cidr: null, netmask: '255.255.254.0' }] };
  assert.equal(readInterfaces(raw, none)[0].addrs, [{ family: 6, addr: 'fd00::1', prefix: 60 }, { family: 4, addr: '10.1.2.3', prefix: 23 }]);
});

const base = (): NetInterface[] => readInterfaces(host, sys({ eth0: [2, UP_MULTICAST], wg0: [7, UP_POINTOPOINT] }));

test('change detection: same content in another order is no change', () => {
  const b = base().reverse().map((i) => ({ ...i, addrs: [...i.addrs].reverse() }));
  assert.ok(sameInterfaces(base(), b));
});

test('change detection: an interface or an address added or removed, a prefix or index changed', () => {
  const changes: [string, (l: NetInterface[]) => NetInterface[]][] = [
    ['interface removed', (l) => l.slice(1)],
    ['interface added', (l) => [...l, { index: 9, name: 'eth1', up: true, multicast: true, addrs: [] }]],
    ['address added', (l) => [{ ...l[0], addrs: [...l[0].addrs, { family: 4, addr: '192.168.1.11', prefix: 24 }] }, l[1]]],
    ['address removed', (l) => [{ ...l[0], addrs: l[0].addrs.slice(1) }, l[1]]],
    ['prefix changed', (l) => [{ ...l[0], addrs: [{ ...l[0].addrs[0], prefix: 16 }, l[0].addrs[1]] }, l[1]]],
    ['index changed', (l) => [{ ...l[0], index: 12 }, l[1]]],
  ];
  for (const [what, change] of changes) assert.not.ok(sameInterfaces(base(), change(base())), what);
});

const two: NetInterface[] = [
  { index: 2, name: 'eth0', up: true, multicast: true, addrs: [{ family: 4, addr: '192.168.1.10', prefix: 24 }, { family: 6, addr: 'fd00:1::10', prefix: 64 }] },
  { index: 3, name: 'eth1', up: true, multicast: true, addrs: [{ family: 4, addr: '10.0.0.10', prefix: 8 }, { family: 4, addr: '192.168.1.20', prefix: 24 }, { family: 6, addr: 'fe80::1', prefix: 64 }] },
];

test('arrival: the one interface whose subnet holds the source (RFC 6762 §11 on-link)', () => {
  assert.equal(arrival('10.200.3.4', two), { src: '10.200.3.4', ifindex: 3 });
  assert.equal(arrival('fd00:1::99', two), { src: 'fd00:1::99', ifindex: 2 });
});

test('arrival: a source on two interfaces\' subnets, or on none, leaves the interface unknown', () => {
  assert.equal(arrival('192.168.1.77', two), { src: '192.168.1.77' });
  assert.equal(arrival('172.16.0.1', two), { src: '172.16.0.1' });
});

test('arrival: an IPv6 zone names the interface (by name or number) and is stripped from src', () => {
  assert.equal(arrival('fe80::0:99%eth1', two), { src: 'fe80::99', ifindex: 3 });
  assert.equal(arrival('fe80::99%2', two), { src: 'fe80::99', ifindex: 2 });
  assert.equal(arrival('fe80::99%eth7', two), { src: 'fe80::99' }, 'an interface not in the list');
});

test.run();
