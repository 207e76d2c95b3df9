// The native addon platform/native (hush_native.node, through device.ts) on
// real sockets: test/lab/native-driver.ts runs it in one namespace of a
// two-namespace link while the peer sends with plain dgram sockets.
// Checked: interfaces() lists the veth with its MAC and addresses; a port
// hears the peer's mDNS datagram, sees what its own host sends as outgoing
// and sends a frame the peer receives; with transmit checksum offload off
// the checksums are real and checked, with it on (veth's default) the peer's
// and the host's datagrams come checksumTrusted (PACKET_AUXDATA) with a
// checksum the stack alone would drop, and pass it; the kernel filter keeps
// port 9999 out (and lets it in when off), finds the UDP header past IPv4
// options, passes only the first IPv4 fragment, every IPv6 fragment and
// hop-by-hop header, and no ARP; the guard keeps ICMP port unreachable from
// the peer, joins and leaves groups and sends out of one interface with TTL
// 255, and its loop() gives a local member the datagram from the
// interface's address and port 5353 with TTL / hop limit 0 (covered by the
// guard's membership) while neither the link nor a packet socket sees it, and
// the guard's own sends keep 255 (without the membership the kernel sends the
// TTL-0 datagram on); a listener on 5353 opened before the guard keeps the
// unicast datagrams to 5353 (IPv4: all, the guard yields the wildcard address
// and binds to the group, whence it still sends from port 5353 and loops; IPv6:
// a SO_REUSEPORT listener about half, a SO_REUSEADDR one all), one opened after
// it binds and hears them; watch() fires on `ip addr add`;
// after a socket error (POLLERR) a port hears again once its link is back up
// and a watch that lost messages goes on; a frame tagged for a VLAN does not
// reach a port of the link, a priority-tagged one does; an unknown index is ENODEV; without
// CAP_NET_RAW loadDevice() says why; a throwing onFrame does not stop later
// frames; close() inside onFrame stops the port. Needs root and ethtool.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab } from './netns.js';
import type { Member } from './netns.js';
import { Proc, tempDir } from './proc.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const ADDON = join(ROOT, 'platform/native/build/Release/hush_native.node');
const NODE = [process.execPath, '--no-warnings', '--loader', 'ts-node/esm'];
const DRIVER = join(ROOT, 'test/lab/native-driver.ts');
const GROUP = { 4: '224.0.0.251', 6: 'ff02::fb' } as const;
const TIMEOUT_MS = 10_000;

interface Frame {
  outgoing: boolean;
  checksumTrusted: boolean;
  /** The stack's verdict without the device's word on the checksum: 'ok' or the FrameReason. */
  ownCheck?: string;
  family?: 4 | 6;
  src?: string;
  dst?: string;
  dstPort?: number;
  ttl?: number;
  payload?: string;
  error?: string;
}

/** The JSON of every '<tag> <JSON>' line of some output. */
function lines<T>(out: string, tag: string): T[] {
  return out.split('\n').filter((l) => l.startsWith(`${tag} `)).map((l) => JSON.parse(l.slice(tag.length + 1)) as T);
}

/** Runs the driver to its end in ns, under a prefix command if given (setpriv), and answers its stdout. */
function runDriver(lab: Lab, ns: string, cfg: object, prefix: string[] = []): string {
  const [cmd, ...args] = [...prefix, ...NODE, DRIVER, JSON.stringify(cfg)];
  return lab.exec(ns, cmd, args);
}

/** Starts the driver in ns and waits for its 'ready' line. */
async function startDriver(lab: Lab, ns: string, cfg: object): Promise<Proc> {
  const p = new Proc(lab, ns, NODE[0], [...NODE.slice(1), DRIVER, JSON.stringify(cfg)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  await p.waitFor(/^ready /, TIMEOUT_MS);
  return p;
}

const command = (p: Proc, cmd: string, arg: object): void => void p.child.stdin?.write(`${cmd} ${JSON.stringify(arg)}\n`);

/** Sends each payload in turn from a plain dgram socket in ns. */
function peerSend(lab: Lab, ns: string, family: 4 | 6, addr: string, port: number, payloads: string[]): void {
  const script = `const s = require('dgram').createSocket('udp${family}');
const next = (l) => l.length ? s.send(l[0], ${port}, ${JSON.stringify(addr)}, (e) => { if (e) throw e; next(l.slice(1)); }) : s.close();
next(${JSON.stringify(payloads)});`;
  lab.exec(ns, process.execPath, ['-e', script]);
}

/** From a connected UDP socket in ns, sends twice to addr:port; answers 'ECONNREFUSED' if ICMP port unreachable came back, else 'none'. */
function peerProbe(lab: Lab, ns: string, family: 4 | 6, addr: string, port: number): string {
  const script = `const s = require('dgram').createSocket('udp${family}');
s.on('error', (e) => { console.log(e.code); process.exit(0); });
s.connect(${port}, ${JSON.stringify(addr)}, () => { s.send('a'); setTimeout(() => s.send('b'), 200); });
setTimeout(() => { console.log('none'); process.exit(0); }, 1000);`;
  return lab.exec(ns, process.execPath, ['-e', script]).trim();
}

/** Waits for the driver's frame line whose payload is `payload`. */
async function frame(p: Proc, payload: string): Promise<Frame> {
  const line = await p.waitFor(new RegExp(`^frame .*"payload":"${payload}"`), TIMEOUT_MS);
  return JSON.parse(line.slice('frame '.length)) as Frame;
}

const hasFrame = (p: Proc, payload: string): boolean => lines<Frame>(p.stdout, 'frame').some((f) => f.payload === payload);

/**
 * Two namespaces on one link. Unless `offload`, checksums are computed in
 * software (`ethtool -K <if> tx off`), so every frame carries a real UDP
 * checksum the stack verifies; with veth's default transmit checksum
 * offload, frames made in either namespace carry only the pseudo-header's sum.
 */
function pair(tag: string, offload = false): { lab: Lab; a: Member; b: Member } {
  const lab = new Lab(tag);
  const [a, b] = lab.link(1, [{ ns: lab.netns('a') }, { ns: lab.netns('b') }]);
  if (!offload) for (const m of [a, b]) lab.exec(m.ns, 'ethtool', ['-K', m.ifname, 'tx', 'off']);
  return { lab, a, b };
}

test.before(() => {
  const r = spawnSync('make', ['-s', 'native'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  assert.is(r.status, 0, `make native failed:\n${r.stdout}${r.stderr}`);
  assert.ok(existsSync(ADDON), `make native built ${ADDON}:\n${r.stdout}${r.stderr}`);
});

test('interfaces() lists the veth with its index, MAC, flags and addresses, and loopback as loopback', () => {
  const { lab, a } = pair('nif');
  try {
    const [list] = lines<{ index: number; name: string; up: boolean; multicast: boolean; loopback: boolean; mac?: string; addrs: { family: number; addr: string; prefix: number }[] }[]>(
      runDriver(lab, a.ns, { mode: 'interfaces' }), 'interfaces');
    const eth = list.find((i) => i.name === a.ifname);
    const lo = list.find((i) => i.name === 'lo');
    assert.ok(eth && lo, JSON.stringify(list));
    const link = JSON.parse(lab.exec(a.ns, 'ip', ['-j', 'link', 'show', 'dev', a.ifname]))[0] as { ifindex: number; address: string };
    assert.equal({ index: eth.index, mac: eth.mac, up: eth.up, multicast: eth.multicast, loopback: eth.loopback },
      { index: link.ifindex, mac: link.address, up: true, multicast: true, loopback: false });
    const local = eth.addrs.find((x) => x.family === 6 && x.addr.startsWith('fe80:'));
    assert.ok(local, 'a link-local address');
    assert.equal(eth.addrs.map((x) => `${x.family} ${x.addr}/${x.prefix}`).sort(),
      [`4 ${a.v4}/24`, `6 ${a.v6}/64`, `6 ${local.addr}/64`].sort());
    assert.is(lo.loopback, true);
  } finally {
    lab.close();
  }
});

test('a port hears the peer\'s mDNS datagram, sees its own host\'s datagram as outgoing, and sends a frame the peer receives', async () => {
  const { lab, a, b } = pair('nport');
  try {
    const p = await startDriver(lab, a.ns, { mode: 'port', ifname: a.ifname, filter: true });
    peerSend(lab, b.ns, 4, GROUP[4], 5353, ['hush-in']);
    // Offload off: the checksum is real, the device does not vouch for it, and the stack checks it.
    assert.equal(await frame(p, 'hush-in'),
      { outgoing: false, checksumTrusted: false, ownCheck: 'ok', src: b.v4, dst: GROUP[4], dstPort: 5353, ttl: 1, payload: 'hush-in' });

    command(p, 'dgram', { addr: GROUP[4], port: 5353, payload: 'hush-host-out' });
    const out = await frame(p, 'hush-host-out');
    assert.equal([out.outgoing, out.checksumTrusted, out.ownCheck], [true, false, 'ok']);

    const listener = new Proc(lab, b.ns, process.execPath, ['-e', `const s = require('dgram').createSocket('udp4');
s.on('message', (m, r) => console.log('got', String(m), r.address)); s.bind(5353, () => console.log('listening'));`]);
    await listener.waitFor(/^listening/, TIMEOUT_MS);
    const bMac = (JSON.parse(lab.exec(b.ns, 'ip', ['-j', 'link', 'show', 'dev', b.ifname]))[0] as { address: string }).address;
    command(p, 'send', { dstMac: bMac, src: a.v4, dst: b.v4, srcPort: 5353, dstPort: 5353, payload: 'hush-raw-out' });
    assert.is(await listener.waitFor(/^got /, TIMEOUT_MS), `got hush-raw-out ${a.v4}`);
    // The kernel does not hand a packet socket its own frames (hush_core.c).
    assert.not.ok(hasFrame(p, 'hush-raw-out'), p.stdout);
  } finally {
    lab.close();
  }
});

test('with veth\'s transmit checksum offload on, the peer\'s and the host\'s own datagrams come checksumTrusted and pass the stack', async () => {
  const { lab, a, b } = pair('noffl', true);
  try {
    const p = await startDriver(lab, a.ns, { mode: 'port', ifname: a.ifname, filter: true });
    // A plain mDNS datagram from the peer over each family, its checksum left to the (veth) device.
    peerSend(lab, b.ns, 4, GROUP[4], 5353, ['hush-off4']);
    peerSend(lab, b.ns, 6, `${GROUP[6]}%${b.ifname}`, 5353, ['hush-off6']);
    assert.equal(await frame(p, 'hush-off4'),
      { outgoing: false, checksumTrusted: true, ownCheck: 'badChecksum', src: b.v4, dst: GROUP[4], dstPort: 5353, ttl: 1, payload: 'hush-off4' });
    const in6 = await frame(p, 'hush-off6');
    assert.equal([in6.outgoing, in6.checksumTrusted, in6.ownCheck, in6.dst, in6.dstPort], [false, true, 'badChecksum', GROUP[6], 5353]);
    // What the host's own stack sends: seen as outgoing before the checksum is filled in.
    command(p, 'dgram', { addr: GROUP[4], port: 5353, payload: 'hush-off-out' });
    assert.equal(await frame(p, 'hush-off-out'),
      { outgoing: true, checksumTrusted: true, ownCheck: 'badChecksum', src: a.v4, dst: GROUP[4], dstPort: 5353, ttl: 1, payload: 'hush-off-out' });
  } finally {
    lab.close();
  }
});

for (const filter of [true, false]) {
  for (const family of [4, 6] as const) {
    test(`IPv${family}, filter ${filter}: a datagram to port 9999 ${filter ? 'does not reach' : 'reaches'} the port; one to 5353 does`, async () => {
      const { lab, a, b } = pair(`nflt${family}`);
      try {
        const p = await startDriver(lab, a.ns, { mode: 'port', ifname: a.ifname, filter });
        const to = family === 4 ? a.v4 : a.v6;
        peerSend(lab, b.ns, family, to, 9999, ['hush-9999']);
        peerSend(lab, b.ns, family, to, 5353, ['hush-5353']);
        await frame(p, 'hush-5353');
        // Frames queue in arrival order: the one to 9999 would be there by now.
        assert.is(hasFrame(p, 'hush-9999'), !filter, p.stdout);
      } finally {
        lab.close();
      }
    });
  }
}

// What only the filter's finer rules decide, sent by the peer in order: an
// IPv4 datagram with options (IHL 6) to 9999 and to 5353, a 3000-byte one
// to 5353 over each family (fragments), an MLD report (the IPv6 hop-by-hop
// header) on joining ff02::fb, and a last datagram to 5353.
const FINE = `import socket, struct, sys, time
a4, a6, ifname = sys.argv[1:]
o4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
o4.setsockopt(socket.IPPROTO_IP, socket.IP_OPTIONS, bytes([1, 1, 1, 0]))
o4.sendto(b'hush-opt', (a4, 9999))
o4.sendto(b'hush-opt', (a4, 5353))
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s4.sendto(b'x' * 3000, (a4, 5353))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s6.sendto(b'y' * 3000, (a6, 5353))
s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, socket.inet_pton(socket.AF_INET6, 'ff02::fb') + struct.pack('@I', socket.if_nametoindex(ifname)))
time.sleep(0.3)
s4.sendto(b'hush-end', (a4, 5353))
`;

for (const filter of [true, false]) {
  test(`filter ${filter}: IPv4 options (IHL) and fragments, IPv6 fragments and hop-by-hop, ARP`, async () => {
    const { lab, a, b } = pair('nfine');
    try {
      const p = await startDriver(lab, a.ns, { mode: 'port', ifname: a.ifname, filter });
      lab.exec(b.ns, 'python3', ['-c', FINE, a.v4, a.v6, b.ifname]);
      await frame(p, 'hush-end');
      const dropped = lines<Frame>(p.stdout, 'frame').filter((f) => !f.outgoing && f.error);
      const count = (family: 4 | 6 | undefined, error: string): number => dropped.filter((f) => f.family === family && f.error === error).length;
      assert.equal({
        options4: count(4, 'options'),
        fragments4: count(4, 'fragment'),
        fragments6: count(6, 'fragment'),
        hopByHop6: count(6, 'notUdp') > 0,
        arp: count(undefined, 'notUdp') > 0,
      }, {
        // The filter finds the ports past the options; of a fragmented IPv4 datagram it passes the first fragment only.
        options4: filter ? 1 : 2,
        fragments4: filter ? 1 : 3,
        fragments6: 3,
        hopByHop6: true,
        arp: !filter,
      }, p.stdout);
    } finally {
      lab.close();
    }
  });
}

for (const family of [4, 6] as const) {
  test(`IPv${family}: with the guard on 5353 the peer gets no ICMP port unreachable; without it, it does`, async () => {
    const { lab, a, b } = pair(`ngrd${family}`);
    try {
      const to = family === 4 ? a.v4 : a.v6;
      assert.is(peerProbe(lab, b.ns, family, to, 5353), 'ECONNREFUSED', 'without the guard');
      const g = await startDriver(lab, a.ns, { mode: 'guard', family, port: 5353, ifname: a.ifname });
      assert.is(peerProbe(lab, b.ns, family, to, 5353), 'none', 'with the guard');
      await g.stop();
    } finally {
      lab.close();
    }
  });
}

test('the guard joins and leaves a group on the interface and sends out of it with TTL 255', async () => {
  const { lab, a, b } = pair('ngsend');
  try {
    // a's multicast route points elsewhere: only the ifindex can choose eth1.
    lab.exec(a.ns, 'ip', ['route', 'replace', '224.0.0.0/4', 'dev', 'lo']);
    const g = await startDriver(lab, a.ns, { mode: 'guard', family: 4, port: 5353, ifname: a.ifname });
    const peer = await startDriver(lab, b.ns, { mode: 'port', ifname: b.ifname, filter: true });
    const groups = (): string => lab.exec(a.ns, 'ip', ['maddr', 'show', 'dev', a.ifname]);
    assert.not.match(groups(), '224.0.0.251');
    command(g, 'join', { group: GROUP[4] });
    await g.waitFor(/^done /, TIMEOUT_MS, 1);
    assert.match(groups(), '224.0.0.251');
    command(g, 'send', { addr: GROUP[4], port: 5353, payload: 'hush-guard' });
    await g.waitFor(/^done /, TIMEOUT_MS, 2);
    assert.equal(await frame(peer, 'hush-guard'),
      { outgoing: false, checksumTrusted: false, ownCheck: 'ok', src: a.v4, dst: GROUP[4], dstPort: 5353, ttl: 255, payload: 'hush-guard' });
    command(g, 'leave', { group: GROUP[4] });
    await g.waitFor(/^done /, TIMEOUT_MS, 3);
    assert.not.match(groups(), '224.0.0.251');
  } finally {
    lab.close();
  }
});

// A kernel-socket mDNS listener of the guard's host: bound to 5353 beside
// the guard, a member of the group on the interface; prints 'heard <payload>
// <TTL or hop limit> <source port> <source address>' per datagram.
const LISTEN = `import socket, struct, sys
family, group, ifname = int(sys.argv[1]), sys.argv[2], sys.argv[3]
index = socket.if_nametoindex(ifname)
s = socket.socket(socket.AF_INET if family == 4 else socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
s.setsockopt(socket.SOL_SOCKET, 33, 1 << 22)  # SO_RCVBUFFORCE (asm-generic/socket.h): room for a burst, as root
if family == 4:
    s.setsockopt(socket.IPPROTO_IP, 12, 1)  # IP_RECVTTL (linux/in.h), which Python's socket module lacks
    s.bind(('0.0.0.0', 5353))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(group) + socket.inet_aton('0.0.0.0') + struct.pack('@i', index))
    want = (socket.IPPROTO_IP, socket.IP_TTL)
else:
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
    s.bind(('::', 5353))
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, socket.inet_pton(socket.AF_INET6, group) + struct.pack('@I', index))
    want = (socket.IPPROTO_IPV6, socket.IPV6_HOPLIMIT)
print('ready', flush=True)
while True:
    data, cmsgs, flags, src = s.recvmsg(4096, socket.CMSG_SPACE(4))
    ttl = [struct.unpack('@i', d[:4])[0] for level, kind, d in cmsgs if (level, kind) == want]
    print('heard', data.decode(), ttl[0] if ttl else -1, src[1], src[0].split('%')[0], flush=True)
`;

for (const family of [4, 6] as const) {
  test(`IPv${family}: guard.loop reaches a local member from port 5353 with ${family === 4 ? 'TTL' : 'hop limit'} 0 and nothing else, the guard's join covering its loop socket; the guard's sends keep 255; without the membership it would go out`, async () => {
    const { lab, a, b } = pair(`nloop${family}`);
    try {
      const listener = new Proc(lab, a.ns, 'python3', ['-c', LISTEN, String(family), GROUP[family], a.ifname]);
      await listener.waitFor(/^ready/, TIMEOUT_MS);
      const own = await startDriver(lab, a.ns, { mode: 'port', ifname: a.ifname, filter: true });
      const peer = await startDriver(lab, b.ns, { mode: 'port', ifname: b.ifname, filter: true });
      const g = await startDriver(lab, a.ns, { mode: 'guard', family, port: 5353, ifname: a.ifname });
      let done = 0;
      const run = async (cmd: string, arg: object): Promise<void> => {
        command(g, cmd, arg);
        await g.waitFor(/^done /, TIMEOUT_MS, ++done);
      };
      await run('join', { group: GROUP[family] });
      await run('loop', { group: GROUP[family], port: 5353, payload: 'hush-loop' });
      await run('send', { addr: GROUP[family], port: 5353, payload: 'hush-after' });
      // The peer hears the send after the loop, so the looped datagram, had it left, would be there first.
      const after = await frame(peer, 'hush-after');
      assert.is(after.ttl, 255);
      await frame(own, 'hush-after');
      // The looped copy's source is the one the kernel picks for the
      // interface, as for the guard's own send (IPv4: the loop socket is bound
      // to the group, which leaves the source to the route).
      assert.is(await listener.waitFor(/^heard hush-loop /, TIMEOUT_MS), `heard hush-loop 0 5353 ${after.src}`);
      if (family === 4) assert.is(after.src, a.v4);
      assert.not.ok(hasFrame(peer, 'hush-loop'), 'the looped datagram reached the link');
      assert.not.ok(hasFrame(own, 'hush-loop'), 'a packet socket saw the looped copy');
      // The kernel's rule holds only while the host is a member there: with the
      // listener gone and the guard's membership left, the same call (the loop
      // socket itself joined nothing) sends TTL 0 onto the link (safe here,
      // between two namespaces).
      await listener.stop();
      await run('leave', { group: GROUP[family] });
      await run('loop', { group: GROUP[family], port: 5353, payload: 'hush-nomember' });
      await run('send', { addr: GROUP[family], port: 5353, payload: 'hush-end' });
      await frame(peer, 'hush-end');
      assert.equal(lines<Frame>(peer.stdout, 'frame').filter((f) => f.payload === 'hush-nomember').map((f) => f.ttl), [0]);
    } finally {
      lab.close();
    }
  });
}

/**
 * From `from`'s namespace, sends `n` unicast datagrams 'u<i>' to addr:5353,
 * each from a socket of its own (so a port of its own), one after another.
 */
function peerSpread(lab: Lab, family: 4 | 6, from: Member, addr: string, n: number): void {
  const script = `const dgram = require('dgram');
const one = (i) => {
  if (i === ${n}) return;
  const s = dgram.createSocket('udp${family}');
  s.send('u' + i, 5353, ${JSON.stringify(addr)}, (e) => { if (e) throw e; s.close(); one(i + 1); });
};
one(0);`;
  lab.exec(from.ns, process.execPath, ['-e', script]);
}

/** Time for a listener to print what reached it, once the peer has sent everything (one link, no loss). */
const SETTLE_MS = 1000;

/** How many of peerSpread's unicast datagrams a listener printing 'heard <payload> ...' got. */
async function share(lab: Lab, family: 4 | 6, from: Member, addr: string, listener: Proc, n: number): Promise<number> {
  const before = listener.stdout.length;
  peerSpread(lab, family, from, addr, n);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  return listener.stdout.slice(before).split('\n').filter((l) => /^heard u\d+ /.test(l)).length;
}

// A Node dgram listener as avahi-daemon opens its socket: SO_REUSEADDR only
// (reuseAddr), a member of the group; prints as LISTEN does.
const DGRAM_LISTEN = `const family = Number(process.argv[1]), group = process.argv[2], ifname = process.argv[3], own = process.argv[4];
const s = require('dgram').createSocket({ type: 'udp' + family, reuseAddr: true });
s.on('message', (m, r) => console.log(\`heard \${m} -1 \${r.port} \${r.address.split('%')[0]}\`));
s.bind(5353, () => {
  s.addMembership(family === 4 ? group : group + '%' + ifname, family === 4 ? own : '::%' + ifname);
  console.log('ready');
});`;

const SPREAD = 300;
for (const family of [4, 6] as const) {
  test(`IPv${family}: a responder on 5353 before the guard keeps the unicast datagrams to it (IPv4: the guard yields, bound to the group), and one after it still binds and hears them`, async () => {
    const { lab, a, b } = pair(`nshare${family}`);
    try {
      const to = family === 4 ? a.v4 : a.v6;
      const bound = (): string[] => lab.exec(a.ns, 'ss', ['-Hunl', 'sport = :5353']).trim().split('\n').map((l) => l.trim().split(/\s+/)[3]).sort();
      const openGuard = async (): Promise<Proc> => {
        const g = await startDriver(lab, a.ns, { mode: 'guard', family, port: 5353, ifname: a.ifname });
        command(g, 'join', { group: GROUP[family] });
        await g.waitFor(/^done /, TIMEOUT_MS);
        return g;
      };
      const reuseport = (): Proc => new Proc(lab, a.ns, 'python3', ['-c', LISTEN, String(family), GROUP[family], a.ifname]);
      // A root SO_REUSEADDR + SO_REUSEPORT listener (hush's dgram backend), before the guard.
      let listener = reuseport();
      await listener.waitFor(/^ready/, TIMEOUT_MS);
      // Resolves the neighbour first: what the peer sends while it waits for
      // the answer may be dropped (the neighbour's queue of unresolved packets).
      await share(lab, family, b, to, listener, 1);
      const alone = await share(lab, family, b, to, listener, SPREAD);
      let g = await openGuard();
      const portFirst = await share(lab, family, b, to, listener, SPREAD);
      const boundFirst = bound();
      await listener.stop();
      await g.stop();
      // The same listener after the guard, which held the port alone.
      g = await openGuard();
      const boundAlone = bound();
      listener = reuseport();
      await listener.waitFor(/^ready/, TIMEOUT_MS);
      const portAfter = await share(lab, family, b, to, listener, SPREAD);
      await listener.stop();
      // A Node dgram listener as avahi-daemon opens its socket (SO_REUSEADDR
      // alone): opened after the guard, then alone, then before a guard.
      const node = new Proc(lab, a.ns, process.execPath, ['-e', DGRAM_LISTEN, String(family), GROUP[family], a.ifname, a.v4]);
      await node.waitFor(/^ready/, TIMEOUT_MS);
      const dgramAfter = await share(lab, family, b, to, node, SPREAD);
      await g.stop();
      const dgramAlone = await share(lab, family, b, to, node, SPREAD);
      g = await openGuard();
      const dgramBefore = await share(lab, family, b, to, node, SPREAD);
      await g.stop();
      console.log(`IPv${family} unicast to 5353, of ${SPREAD}: SO_REUSEPORT listener alone ${alone}, opened before the guard ${portFirst}, after it ${portAfter}; ` +
        `dgram reuseAddr listener opened after the guard ${dgramAfter}, alone ${dgramAlone}, opened before the guard ${dgramBefore}`);
      assert.is(alone, SPREAD);
      assert.is(dgramAlone, SPREAD);
      // SO_REUSEADDR alone: one socket wins the whole lookup. Opened before
      // the guard it got 0 of them when the guard took the wildcard address.
      assert.is(dgramAfter, SPREAD);
      assert.is(dgramBefore, SPREAD);
      // A listener first: IPv4 it is the port's only socket on the wildcard
      // address; IPv6 the guard shares its SO_REUSEPORT group, about SPREAD / 2.
      if (family === 4) assert.is(portFirst, SPREAD);
      else assert.ok(portFirst > SPREAD * 0.4, `the listener got ${portFirst} of ${SPREAD}`);
      // The guard first: the listener's bind puts both in one SO_REUSEPORT
      // group (the guard's SO_REUSEPORT counts at the listener's bind).
      assert.ok(portAfter > SPREAD * 0.4 && portAfter < SPREAD, `the listener got ${portAfter} of ${SPREAD}`);
      // The guard alone: on the wildcard address (IPv4 beside its loop
      // socket). After a listener: IPv4 bound to the group, IPv6 unchanged.
      assert.equal(boundAlone, family === 4 ? ['0.0.0.0:5353', '224.0.0.251:5353'] : ['[::]:5353']);
      assert.equal(boundFirst, family === 4 ? ['0.0.0.0:5353', '224.0.0.251:5353', '224.0.0.251:5353'] : ['[::]:5353', '[::]:5353']);
    } finally {
      lab.close();
    }
  });
}

test('IPv4, the port held before the guard: the guard bound to the group still sends unicast and multicast from the interface\'s address and port 5353 with TTL 255, and its loop reaches the holder', async () => {
  const { lab, a, b } = pair('nyield');
  try {
    const holder = new Proc(lab, a.ns, process.execPath, ['-e', DGRAM_LISTEN, '4', GROUP[4], a.ifname, a.v4]);
    await holder.waitFor(/^ready/, TIMEOUT_MS);
    const peer = new Proc(lab, b.ns, 'python3', ['-c', LISTEN, '4', GROUP[4], b.ifname]);
    await peer.waitFor(/^ready/, TIMEOUT_MS);
    const g = await startDriver(lab, a.ns, { mode: 'guard', family: 4, port: 5353, ifname: a.ifname });
    assert.equal(lab.exec(a.ns, 'ss', ['-Hunl', 'sport = :5353']).trim().split('\n').map((l) => l.trim().split(/\s+/)[3]).sort(),
      ['0.0.0.0:5353', '224.0.0.251:5353', '224.0.0.251:5353']);
    let done = 0;
    const run = async (cmd: string, arg: object): Promise<void> => {
      command(g, cmd, arg);
      assert.not.match(await g.waitFor(/^done /, TIMEOUT_MS, ++done), 'error');
    };
    await run('join', { group: GROUP[4] });
    await run('send', { addr: b.v4, port: 5353, payload: 'hush-unicast' });
    await run('send', { addr: GROUP[4], port: 5353, payload: 'hush-multicast' });
    await run('loop', { group: GROUP[4], port: 5353, payload: 'hush-loop' });
    assert.is(await peer.waitFor(/^heard hush-unicast /, TIMEOUT_MS), `heard hush-unicast 255 5353 ${a.v4}`);
    assert.is(await peer.waitFor(/^heard hush-multicast /, TIMEOUT_MS), `heard hush-multicast 255 5353 ${a.v4}`);
    assert.is(await holder.waitFor(/^heard hush-loop /, TIMEOUT_MS), `heard hush-loop -1 5353 ${a.v4}`);
    await g.stop();
  } finally {
    lab.close();
  }
});

test('watch() fires after `ip addr add` in the namespace', async () => {
  const { lab, a } = pair('nwatch');
  try {
    const p = await startDriver(lab, a.ns, { mode: 'watch' });
    lab.exec(a.ns, 'ip', ['addr', 'add', '10.1.0.77/24', 'dev', a.ifname]);
    await p.waitFor(/^change /, TIMEOUT_MS);
  } finally {
    lab.close();
  }
});

test('a port keeps hearing the peer after its link goes down and up again at once (ENETDOWN: POLLERR)', async () => {
  const { lab, a, b } = pair('nbounce');
  try {
    const p = await startDriver(lab, a.ns, { mode: 'port', ifname: a.ifname, filter: true });
    peerSend(lab, b.ns, 4, GROUP[4], 5353, ['hush-before']);
    await frame(p, 'hush-before');
    // net/packet/af_packet.c packet_notifier: NETDEV_DOWN sets the socket's
    // error to ENETDOWN (poll: POLLERR), NETDEV_UP hooks it in again.
    lab.exec(a.ns, 'sh', ['-c', `ip link set dev ${a.ifname} down && ip link set dev ${a.ifname} up`]);
    // The peer sends every 100 ms (3 s) while the link comes back.
    const peer = new Proc(lab, b.ns, process.execPath, ['-e', `const s = require('dgram').createSocket('udp4');
let n = 0;
const t = setInterval(() => { s.send('hush-after', 5353, ${JSON.stringify(GROUP[4])}); if (++n === 30) { clearInterval(t); s.close(); } }, 100);`]);
    assert.is((await frame(p, 'hush-after')).src, b.v4);
    await peer.exited;
  } finally {
    lab.close();
  }
});

/** The drop count /proc/net/netlink gives the NETLINK_ROUTE sockets bound to exactly RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR in ns. */
function watchDrops(lab: Lab, ns: string): number[] {
  // sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode (net/netlink/af_netlink.c netlink_seq_show)
  return lab.exec(ns, 'cat', ['/proc/net/netlink']).split('\n').slice(1).map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1] === '0' && f[3] === '00000111').map((f) => Number(f[8]));
}

test('watch() goes on reporting after a burst of changes overran its socket (ENOBUFS: POLLERR)', async () => {
  const { lab, a } = pair('nwburst');
  try {
    const dir = tempDir(lab, 'burst');
    const p = await startDriver(lab, a.ns, { mode: 'watch' });
    const go = join(dir, 'go');
    command(p, 'hold', { until: go });
    await p.waitFor(/^holding/, TIMEOUT_MS);
    // 800 RTM_NEWADDR / RTM_DELADDR messages while the watch reads none: more than its receive buffer holds.
    const addrs = Array.from({ length: 400 }, (_, i) => `10.9.${Math.floor(i / 200)}.${(i % 200) + 1}/32`);
    const batch = join(dir, 'batch');
    writeFileSync(batch, [...addrs.map((x) => `addr add ${x} dev ${a.ifname}`), ...addrs.map((x) => `addr del ${x} dev ${a.ifname}`)].join('\n') + '\n');
    lab.exec(a.ns, 'ip', ['-batch', batch]);
    const drops = watchDrops(lab, a.ns);
    assert.ok(drops.length === 1 && drops[0] > 0, `the watch's socket lost messages: ${JSON.stringify(drops)}`);
    writeFileSync(go, '');
    await p.waitFor(/^change /, TIMEOUT_MS);
    lab.exec(a.ns, 'ip', ['addr', 'add', '10.1.0.77/24', 'dev', a.ifname]);
    await p.waitFor(/^change .*"10\.1\.0\.77"/, TIMEOUT_MS);
  } finally {
    lab.close();
  }
});

// From a packet socket of the peer, in order: an mDNS datagram to 224.0.0.251
// tagged for VLAN 100, one priority-tagged (VLAN 0, priority 3) and one
// untagged (IPv4 UDP checksum 0: none, RFC 768). A VLAN sub-interface
// (`ip link add link <if> name <if>.100 type vlan id 100`) would send the
// first, but the lab's kernel may lack CONFIG_VLAN_8021Q; the receiving side
// is the same either way: net/core/dev.c __netif_receive_skb_core moves the
// tag into the packet's metadata (skb_vlan_untag) before the link's packet
// sockets get it, then hands it to the VLAN device or, with no device for a
// VLAN other than 0, marks it PACKET_OTHERHOST.
const TAGGED = `import socket, struct, sys
ifname = sys.argv[1]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
mac = s.getsockname()[4]
def datagram(payload):
    udp = struct.pack('!HHHH', 5353, 5353, 8 + len(payload), 0) + payload
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 0, 0, 255, 17, 0, socket.inet_aton('10.1.0.2'), socket.inet_aton('224.0.0.251'))
    total = sum(struct.unpack('!10H', ip))
    while total > 0xffff:
        total = (total & 0xffff) + (total >> 16)
    return ip[:10] + struct.pack('!H', 0xffff - total) + ip[12:] + udp
to = bytes.fromhex('01005e0000fb')
s.send(to + mac + struct.pack('!HHH', 0x8100, 100, 0x0800) + datagram(b'hush-vlan'))
s.send(to + mac + struct.pack('!HHH', 0x8100, 3 << 13, 0x0800) + datagram(b'hush-prio'))
s.send(to + mac + struct.pack('!H', 0x0800) + datagram(b'hush-plain'))
`;

for (const filter of [true, false]) {
  test(`filter ${filter}: a datagram tagged for VLAN 100 does not reach a port bound to the link; a priority-tagged (VLAN 0) and an untagged one do`, async () => {
    const { lab, a, b } = pair('nvlan');
    try {
      const p = await startDriver(lab, a.ns, { mode: 'port', ifname: a.ifname, filter });
      lab.exec(b.ns, 'python3', ['-c', TAGGED, b.ifname]);
      assert.is((await frame(p, 'hush-prio')).src, b.v4);
      await frame(p, 'hush-plain');
      assert.not.ok(hasFrame(p, 'hush-vlan'), p.stdout);
    } finally {
      lab.close();
    }
  });
}

test('openPort(999999) throws ENODEV; a bad family throws a TypeError naming it', () => {
  const { lab, a } = pair('nerr');
  try {
    const [nodev, family] = lines<Record<string, unknown>>(runDriver(lab, a.ns, { mode: 'errors' }), 'error');
    assert.equal(nodev, { name: 'Error', message: 'openPort: bind: No such device', code: 'ENODEV', errno: 19 });
    assert.equal(family, { name: 'TypeError', message: 'openGuard: family must be 4 or 6', code: 'ERR_INVALID_ARG_TYPE' });
  } finally {
    lab.close();
  }
});

test('as user nobody loadDevice() says why (no CAP_NET_RAW) instead of throwing; as root it loads', () => {
  const { lab, a } = pair('nperm');
  try {
    const nobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
    const [denied] = lines<{ why?: string }>(runDriver(lab, a.ns, { mode: 'load' }, nobody), 'load');
    assert.match(denied.why ?? '', /no CAP_NET_RAW .*probe: socket\(AF_PACKET\): Operation not permitted/);
    assert.equal(lines(runDriver(lab, a.ns, { mode: 'load' }), 'load'), [{ ok: true }]);
  } finally {
    lab.close();
  }
});

test('an exception thrown by onFrame reaches uncaughtException and later frames still arrive', async () => {
  const { lab, a, b } = pair('nthrow');
  try {
    const p = await startDriver(lab, a.ns, { mode: 'port', ifname: a.ifname, filter: true, throwFirst: true });
    peerSend(lab, b.ns, 4, GROUP[4], 5353, ['hush-first', 'hush-second']);
    await frame(p, 'hush-second');
    assert.equal(lines(p.stdout, 'uncaught'), [{ message: 'onFrame threw' }]);
    assert.ok(hasFrame(p, 'hush-first'));
  } finally {
    lab.close();
  }
});

test('close() inside onFrame: no later frame, close again is a no-op, send throws EBADF, and the loop is free to end', async () => {
  const { lab, a, b } = pair('nclose');
  try {
    const p = await startDriver(lab, a.ns, { mode: 'port', ifname: a.ifname, filter: true, closeFirst: true });
    peerSend(lab, b.ns, 4, GROUP[4], 5353, ['hush-first', 'hush-second']);
    await p.waitFor(/^afterClose /, TIMEOUT_MS);
    assert.equal(lines(p.stdout, 'afterClose'), [{ message: 'send: the port is closed', code: 'EBADF' }]);
    p.child.stdin?.end();
    assert.is(await p.exited, 0, p.output);
    assert.equal(lines<Frame>(p.stdout, 'frame').filter((f) => f.payload).map((f) => f.payload), ['hush-first'], p.stdout);
  } finally {
    lab.close();
  }
});

test.run();
