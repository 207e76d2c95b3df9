import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { NetInterface, PacketMeta } from '../../src/platform.js';
import { type Host, type LinkOptions, Sim, type SimSocket } from '../../platform/sim/index.js';
import { encode, message, T } from '../../src/wire/index.js';

const MDNS4 = '224.0.0.251';
const MDNS6 = 'ff02::fb';
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array): string => new TextDecoder().decode(b);

interface Got { host: string; data: string; meta: PacketMeta }

/** An mDNS socket on `host`, joined on every interface, recording what arrives. */
function listen(host: Host, got: Got[], family: 4 | 6 = 4): SimSocket {
  const s = host.platform.open({ family, port: 5353, group: family === 4 ? MDNS4 : MDNS6 });
  for (const i of host.platform.interfaces()) s.join(i.index);
  s.onMessage((data, meta) => got.push({ host: host.name, data: str(data), meta }));
  return s;
}

/** a, b, c on 'lan'; r on 'lan' (eth0) and 'wifi' (wlan0); d on 'wifi'. */
function topology(seed: number, lanOpts: LinkOptions = {}, wifiOpts: LinkOptions = {}) {
  const sim = new Sim({ seed });
  const lan = sim.link('lan', lanOpts);
  const wifi = sim.link('wifi', wifiOpts);
  const hosts = {
    a: sim.host('a', [{ name: 'eth0', link: lan, v4: '192.168.1.1/24', v6: 'fe80::a/64' }]),
    b: sim.host('b', [{ name: 'eth0', link: lan, v4: '192.168.1.2/24', v6: 'fe80::b/64' }]),
    c: sim.host('c', [{ name: 'eth0', link: lan, v4: '192.168.1.3/24', v6: 'fe80::c/64' }]),
    r: sim.host('r', [
      { name: 'eth0', link: lan, v4: '192.168.1.254/24', v6: 'fe80::1/64' },
      { name: 'wlan0', link: wifi, v4: '10.0.0.1/24', v6: 'fe80::1/64' },
    ]),
    d: sim.host('d', [{ name: 'wlan0', link: wifi, v4: '10.0.0.2/24', v6: 'fe80::d/64' }]),
  };
  return { sim, lan, wifi, hosts };
}

/** Every host multicasts 40 numbered packets at random times (from its own platform.random) on each interface. */
function chatter(seed: number) {
  const t = topology(seed, { loss: 0.2, duplicate: 0.2, delay: 1, jitter: 3 }, { loss: 0.2, duplicate: 0.2, delay: 1, jitter: 3 });
  const got: Got[] = [];
  for (const host of Object.values(t.hosts)) {
    const s = listen(host, got);
    const p = host.platform;
    for (let n = 0; n < 40; n++) {
      p.timer(p.random() * 1000, () => {
        for (const i of p.interfaces()) s.send(text(`${host.name}#${n}`), { addr: MDNS4, port: 5353, ifindex: i.index });
      });
    }
  }
  t.sim.run(2000);
  return { ...t, got };
}

test('three hosts on one link and one on two, with loss and duplication: delivery, capture and same seed -> same capture', () => {
  const { sim, got, hosts } = chatter(7);
  const onLink: Record<string, string[]> = { lan: ['a', 'b', 'c', 'r'], wifi: ['r', 'd'] };
  const sent = 40 * (3 + 2 + 1);
  const originals = sim.capture.filter((c) => !c.duplicate);
  assert.is(originals.length, sent, sim.dump());
  const dropped = sim.capture.filter((c) => c.dropped).length;
  const dups = sim.capture.length - sent;
  assert.ok(dropped > 0 && dups > 0, `dropped ${dropped}, duplicates ${dups}`);

  // Each copy that survived the link reached every host on that link once, on
  // the interface attached to it; nothing else arrived.
  const expected: string[] = [];
  for (const c of sim.capture) {
    if (c.dropped) continue;
    for (const h of onLink[c.link]) {
      const ifindex = hosts[h as keyof typeof hosts].platform.interfaces().find((i) => i.name === (c.link === 'lan' ? 'eth0' : 'wlan0'))!.index;
      expected.push(`${h} ${ifindex} ${c.from.addr} ${str(c.data)}`);
    }
  }
  const actual = got.map((g) => `${g.host} ${g.meta.ifindex} ${g.meta.src} ${g.data}`);
  assert.equal(actual.sort(), expected.sort());
  assert.ok(got.every((g) => g.meta.dst === MDNS4 && g.meta.ttl === 255 && g.meta.srcPort === 5353));

  const again = chatter(7);
  assert.equal(again.sim.dump(), sim.dump());
  assert.equal(again.sim.capture, sim.capture);
  assert.equal(again.got, got);
});

test('different seeds give different captures under loss', () => {
  const one = chatter(1).sim.dump();
  const two = chatter(2).sim.dump();
  assert.not.equal(one, two);
});

test('a multicast comes back to the sending socket (multicast loopback)', () => {
  const { sim, hosts } = topology(1);
  const got: Got[] = [];
  const s = listen(hosts.a, got);
  s.send(text('hello'), { addr: MDNS4, port: 5353 });
  sim.run(1);
  assert.equal(got.map((g) => [g.host, g.data, g.meta.src, g.meta.ifindex]), [['a', 'hello', '192.168.1.1', 1]]);
});

test('a packet sent on one link never reaches the other; the two-link host hears each on its own interface', () => {
  const { sim, hosts } = topology(1);
  const got: Got[] = [];
  for (const h of Object.values(hosts)) listen(h, got);
  hosts.a.platform.open({ family: 4, port: 5353 }).send(text('from lan'), { addr: MDNS4, port: 5353 });
  hosts.d.platform.open({ family: 4, port: 5353 }).send(text('from wifi'), { addr: MDNS4, port: 5353 });
  sim.run(1);
  const heard = got.map((g) => `${g.host}:${g.meta.ifindex}:${g.data}`).sort();
  assert.equal(heard, ['a:1:from lan', 'b:1:from lan', 'c:1:from lan', 'd:1:from wifi', 'r:1:from lan', 'r:2:from wifi']);
});

test('a multicast without ifindex leaves on the first interface; with ifindex on that one', () => {
  const { sim, hosts } = topology(1);
  const s = hosts.r.platform.open({ family: 4, port: 5353, group: MDNS4 });
  s.send(text('x'), { addr: MDNS4, port: 5353 });
  s.send(text('y'), { addr: MDNS4, port: 5353, ifindex: 2 });
  sim.run(1);
  assert.equal(sim.capture.map((c) => `${c.link} ${c.from.ifname} ${c.from.addr} ${str(c.data)}`), ['lan eth0 192.168.1.254 x', 'wifi wlan0 10.0.0.1 y']);
});

test('IPv6 multicast is sent from the link-local address and delivered to IPv6 sockets only', () => {
  const { sim, hosts } = topology(1);
  hosts.b.addAddress('eth0', '2001:db8::b/64');
  const got4: Got[] = [];
  const got6: Got[] = [];
  listen(hosts.a, got4, 4);
  listen(hosts.a, got6, 6);
  listen(hosts.b, got6, 6).send(text('six'), { addr: 'FF02::FB', port: 5353 });
  sim.run(1);
  assert.equal(got4, []);
  assert.equal(got6.map((g) => [g.host, g.meta.src, g.meta.dst]).sort(), [['a', 'fe80::b', MDNS6], ['b', 'fe80::b', MDNS6]]);
});

test('unicast reaches only the newest socket on the port, on the host holding the address, and the reply finds the ephemeral port', () => {
  const { sim, hosts } = topology(1);
  const got: Got[] = [];
  for (const h of Object.values(hosts)) listen(h, got);
  const client = hosts.a.platform.open({ family: 4, port: 0 });
  const replies: Got[] = [];
  client.onMessage((data, meta) => replies.push({ host: 'a', data: str(data), meta }));
  const server = hosts.b.platform.open({ family: 4, port: 5353 });
  server.onMessage((data, meta) => server.send(text('re: ' + str(data)), { addr: meta.src, port: meta.srcPort }));
  client.send(text('query'), { addr: '192.168.1.2', port: 5353 });
  sim.run(1);
  assert.ok(client.port >= 49152);
  // b's first socket on 5353 hears nothing: unicast goes to the newest socket on a port, as on Linux.
  assert.equal(got, []);
  assert.equal(replies.map((g) => [g.data, g.meta.src, g.meta.srcPort, g.meta.dst]), [['re: query', '192.168.1.2', 5353, '192.168.1.1']]);
});

test('unicast to an address on another link is not delivered', () => {
  const { sim, hosts } = topology(1);
  const got: Got[] = [];
  listen(hosts.d, got);
  hosts.a.platform.open({ family: 4, port: 5353 }).send(text('lost'), { addr: '10.0.0.2', port: 5353 });
  sim.run(1);
  assert.equal(got, []);
  assert.equal(sim.capture.map((c) => c.link), ['lan']);
});

test('leave() stops delivery on that interface only', () => {
  const { sim, hosts } = topology(1);
  const got: Got[] = [];
  const r = listen(hosts.r, got);
  const a = hosts.a.platform.open({ family: 4, port: 5353 });
  const d = hosts.d.platform.open({ family: 4, port: 5353 });
  r.leave(1);
  a.send(text('lan'), { addr: MDNS4, port: 5353 });
  d.send(text('wifi'), { addr: MDNS4, port: 5353 });
  sim.run(1);
  assert.equal(got.map((g) => g.data), ['wifi']);
  r.join(1);
  a.send(text('lan again'), { addr: MDNS4, port: 5353 });
  sim.run(1);
  assert.equal(got.map((g) => g.data), ['wifi', 'lan again']);
});

test('a closed socket receives nothing and refuses to send', () => {
  const { sim, hosts } = topology(1);
  const got: Got[] = [];
  const b = listen(hosts.b, got);
  hosts.a.platform.open({ family: 4, port: 5353 }).send(text('late'), { addr: MDNS4, port: 5353 });
  b.close();
  sim.run(1);
  assert.equal(got, []);
  assert.throws(() => b.send(text('x'), { addr: MDNS4, port: 5353 }), /closed/);
});

test('loss = 1 drops every packet, and the capture still records each one as dropped', () => {
  const { sim, hosts } = topology(1, { loss: 1 });
  const got: Got[] = [];
  for (const h of Object.values(hosts)) listen(h, got);
  const s = hosts.a.platform.open({ family: 4, port: 5353 });
  for (let n = 0; n < 10; n++) s.send(text(`p${n}`), { addr: MDNS4, port: 5353 });
  sim.run(100);
  assert.equal(got, []);
  assert.is(sim.capture.length, 10);
  assert.ok(sim.capture.every((c) => c.dropped === true && c.at === undefined));
  assert.is(sim.dump().split('\n').filter((l) => l.includes('DROPPED')).length, 10);
});

test('jitter delays packets and can reorder them; none is lost', () => {
  const { sim, hosts } = topology(3, { delay: 5, jitter: 20 });
  const got: Got[] = [];
  listen(hosts.b, got);
  const s = hosts.a.platform.open({ family: 4, port: 5353 });
  for (let n = 0; n < 30; n++) s.send(text(String(n)), { addr: MDNS4, port: 5353 });
  sim.run(4);
  assert.equal(got, [], 'nothing arrives before the base delay');
  sim.run(30);
  const order = got.map((g) => Number(g.data));
  assert.equal([...order].sort((x, y) => x - y), Array.from({ length: 30 }, (_, n) => n));
  assert.not.equal(order, [...order].sort((x, y) => x - y));
});

test('the receiver gets a copy: changing the sent buffer later, or the received one, changes nothing else', () => {
  const { sim, hosts } = topology(1);
  const got: Uint8Array[] = [];
  for (const h of [hosts.b, hosts.c]) {
    const s = h.platform.open({ family: 4, port: 5353, group: MDNS4 });
    s.join(1);
    s.onMessage((data) => { got.push(data); data[0] = 0; });
  }
  const buf = text('abc');
  hosts.a.platform.open({ family: 4, port: 5353 }).send(buf, { addr: MDNS4, port: 5353 });
  buf[0] = 0x7a;
  sim.run(1);
  assert.equal(got.map(str), ['\0bc', '\0bc']);
  assert.is(str(sim.capture[0].data), 'abc');
});

test('a TTL given on send is what the receiver sees; the default is 255', () => {
  const { sim, hosts } = topology(1);
  const got: Got[] = [];
  listen(hosts.b, got);
  const s = hosts.a.platform.open({ family: 4, port: 5353 });
  s.send(text('routed'), { addr: MDNS4, port: 5353, ttl: 1 });
  s.send(text('local'), { addr: MDNS4, port: 5353 });
  sim.run(1);
  assert.equal(got.map((g) => [g.data, g.meta.ttl]), [['routed', 1], ['local', 255]]);
});

test('an interface going down stops its traffic and tells onInterfaces watchers once', () => {
  const { sim, hosts } = topology(1);
  const got: Got[] = [];
  listen(hosts.r, got);
  const lists: NetInterface[][] = [];
  hosts.r.platform.onInterfaces((l) => lists.push(l));
  hosts.r.ifDown('eth0');
  hosts.r.addAddress('wlan0', '10.0.0.9/24');
  hosts.a.platform.open({ family: 4, port: 5353 }).send(text('x'), { addr: MDNS4, port: 5353 });
  sim.run(1);
  assert.equal(got, []);
  assert.is(lists.length, 1);
  assert.equal(lists[0].map((i) => [i.index, i.name, i.up, i.addrs.map((a) => a.addr)]),
    [[1, 'eth0', false, ['192.168.1.254', 'fe80::1']], [2, 'wlan0', true, ['10.0.0.1', 'fe80::1', '10.0.0.9']]]);

  hosts.r.platform.open({ family: 4, port: 5353 }).send(text('y'), { addr: MDNS4, port: 5353, ifindex: 1 });
  assert.ok(hosts.r.logs.some((l) => l.level === 'debug' && /no interface/.test(l.msg)));
  hosts.r.ifUp('eth0');
  hosts.a.platform.open({ family: 4, port: 5353 }).send(text('z'), { addr: MDNS4, port: 5353 });
  sim.run(1);
  assert.equal(got.map((g) => g.data), ['z']);
  assert.is(lists.length, 2);
});

test('addresses added and removed decide where unicast goes', () => {
  const { sim, hosts } = topology(1);
  const got: Got[] = [];
  hosts.c.platform.open({ family: 4, port: 9 }).onMessage((data, meta) => got.push({ host: 'c', data: str(data), meta }));
  const s = hosts.a.platform.open({ family: 4, port: 9 });
  s.send(text('before'), { addr: '192.168.1.77', port: 9 });
  hosts.c.addAddress('eth0', '192.168.1.77/24');
  s.send(text('during'), { addr: '192.168.1.77', port: 9 });
  sim.run(1);
  hosts.c.removeAddress('eth0', '192.168.1.77');
  s.send(text('after'), { addr: '192.168.1.77', port: 9 });
  sim.run(1);
  assert.equal(got.map((g) => g.data), ['before', 'during']);
});

test('moving an interface to another link keeps its ifindex and changes who hears it', () => {
  const { sim, lan, wifi, hosts } = topology(1);
  const got: Got[] = [];
  listen(hosts.d, got);
  const cs = listen(hosts.c, []);
  cs.send(text('on lan'), { addr: MDNS4, port: 5353 });
  hosts.c.setInterfaces([
    { name: 'wlan0', link: wifi, v4: '10.0.0.3/24' },
    { name: 'eth0', link: lan, v4: '192.168.1.3/24', up: false },
  ]);
  sim.run(1);
  cs.join(2);
  cs.send(text('on wifi'), { addr: MDNS4, port: 5353 });
  sim.run(1);
  assert.equal(got.map((g) => g.data), ['on wifi']);
  assert.equal(hosts.c.platform.interfaces().map((i) => [i.index, i.name]), [[2, 'wlan0'], [1, 'eth0']]);
  assert.equal(sim.capture.map((c) => c.link), ['lan', 'wifi']);
});

test('adding a host does not change the random numbers other hosts draw', () => {
  const draw = (extra: boolean): number[] => {
    const sim = new Sim({ seed: 5 });
    const l = sim.link('l');
    const a = sim.host('a', [{ name: 'eth0', link: l, v4: '10.1.1.1/24' }]);
    if (extra) sim.host('z', [{ name: 'eth0', link: l, v4: '10.1.1.2/24' }]).platform.random();
    return [a.platform.random(), a.platform.random()];
  };
  assert.equal(draw(true), draw(false));
});

test('the log keeps what the code under test logged, with the virtual time', () => {
  const { sim, hosts } = topology(1);
  const p = hosts.a.platform;
  p.timer(250, () => p.log('warn', 'conflict', { name: 'x.local' }));
  sim.run(1000);
  assert.equal(hosts.a.logs, [{ t: 250, level: 'warn', msg: 'conflict', data: { name: 'x.local' } }]);
});

test('timers of a host fire in virtual time and can be cancelled', () => {
  const { sim, hosts } = topology(1);
  const p = hosts.a.platform;
  const fired: number[] = [];
  p.timer(100, () => fired.push(p.now()));
  const cancel = p.timer(50, () => fired.push(-1));
  cancel();
  sim.run(99);
  assert.equal(fired, []);
  sim.run(1);
  assert.equal(fired, [100]);
});

test('the capture keeps the newest packets past its limit, and the dump survives a failing describer', () => {
  const sim = new Sim({ captureLimit: 10, describe: (d) => { if (d[0] === 0x62) throw new Error('bad'); return 'ok'; } });
  const l = sim.link('l');
  const a = sim.host('a', [{ name: 'eth0', link: l, v4: '10.1.1.1/24' }]);
  const s = a.platform.open({ family: 4, port: 1 });
  for (let n = 0; n < 25; n++) s.send(text(n === 24 ? 'b' : `a${n}`), { addr: '10.1.1.9', port: 1 });
  assert.ok(sim.capture.length <= 10);
  assert.is(str(sim.capture[sim.capture.length - 2].data), 'a23');
  const lines = sim.dump().split('\n');
  assert.is(lines.length, sim.capture.length);
  assert.match(lines[lines.length - 1], /10\.1\.1\.1:1 > 10\.1\.1\.9:1 ttl 255 len 1 \+0\.000ms \| \(bad\) 62$/);
  assert.match(lines[0], /\| ok$/);
});

test('the dump shows DNS messages in one line and anything else as an error with hex', () => {
  const sim = new Sim();
  const l = sim.link('l', { delay: 2 });
  const a = sim.host('a', [{ name: 'eth0', link: l, v4: '10.1.1.1/24' }]);
  const s = a.platform.open({ family: 4, port: 5353 });
  s.send(encode(message({ questions: [{ name: '_http._tcp.local', type: T.PTR, class: 1, qu: true }] })), { addr: MDNS4, port: 5353 });
  const answer = { name: 'x.local', type: T.A, class: 1, flush: true, ttl: 120, data: '10.1.1.1' };
  s.send(encode(message({ qr: true, aa: true, answers: [answer] })), { addr: MDNS4, port: 5353 });
  s.send(text('hi'), { addr: MDNS4, port: 5353 });
  const lines = sim.dump().split('\n');
  assert.is(lines.length, 3);
  assert.match(lines[0], /^\s+0\.000 l a\/eth0 10\.1\.1\.1:5353 > 224\.0\.0\.251:5353 ttl 255 len \d+ \+2\.000ms \| query \?\[_http\._tcp\.local PTR QU\]$/);
  assert.match(lines[1], /\| response aa an\[x\.local A! 120 10\.1\.1\.1\]$/);
  assert.match(lines[2], /\| \(.+\) 68 69$/);
});

test.run();
