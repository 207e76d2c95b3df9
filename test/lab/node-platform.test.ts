// platform/node on real sockets, each peer a lab agent inside its own
// network namespace: multicast on 224.0.0.251 / ff02::fb port 5353 with the
// receiving interface and the sender told apart, the outgoing interface
// chosen per packet, unicast replies, port sharing with another responder,
// leaving a group, interface changes seen by polling, and errors that are
// logged instead of thrown. Absence is checked by order, not by waiting: a
// marker sent after a packet that must not arrive has to be the next one seen.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import type { NetInterface } from '../../src/platform.js';
import { Lab } from './netns.js';
import { startAgent } from './agent-client.js';
import type { Agent } from './agent-client.js';

const GROUP = { 4: '224.0.0.251', 6: 'ff02::fb' } as const;
const PORT = 5353;
const FAMILIES = [4, 6] as const;

/** Payloads as readable hex: the label's bytes. */
const hex = (label: string): string => Buffer.from(label).toString('hex');

async function withLab(tag: string, fn: (lab: Lab) => Promise<void>): Promise<void> {
  const lab = new Lab(tag);
  try {
    await fn(lab);
  } finally {
    lab.close();
  }
}

async function iface(a: Agent, name: string): Promise<NetInterface> {
  const i = (await a.call({ cmd: 'interfaces' })).find((x) => x.name === name);
  assert.ok(i, `${a.ns} reports ${name}`);
  return i;
}

const linkLocal = (i: NetInterface): string => {
  const a = i.addrs.find((x) => x.family === 6 && x.addr.startsWith('fe80:'));
  assert.ok(a, `${i.name} has a link-local address`);
  return a.addr;
};

/** A group socket on the mDNS port, joined on the given interfaces. */
async function member(a: Agent, family: 4 | 6, ifindexes: number[]): Promise<number> {
  const sock = await a.call({ cmd: 'open', family, port: PORT, group: GROUP[family] });
  for (const ifindex of ifindexes) await a.call({ cmd: 'join', sock, ifindex });
  return sock;
}

/** The next packet a socket of the agent receives (any payload), so a test sees exactly what arrived, in order. */
const received = (a: Agent, sock: number) => a.next('message', (e) => e.sock === sock);

/** Two namespaces on link 1; b holds a veth pair first, so its eth1 has another ifindex than a's. */
async function pair(lab: Lab): Promise<{ a: Agent; b: Agent; ia: NetInterface; ib: NetInterface }> {
  const na = lab.netns('a');
  const nb = lab.netns('b');
  lab.exec(nb, 'ip', ['link', 'add', 'x0', 'type', 'veth', 'peer', 'name', 'x1']);
  lab.link(1, [{ ns: na }, { ns: nb }]);
  const [a, b] = await Promise.all([startAgent(lab, na), startAgent(lab, nb)]);
  const [ia, ib] = await Promise.all([iface(a, 'eth1'), iface(b, 'eth1')]);
  assert.is.not(ia.index, ib.index, 'the two ends have different ifindexes');
  return { a, b, ia, ib };
}

for (const family of FAMILIES) {
  test(`IPv${family} multicast to ${GROUP[family]}:${PORT} between two namespaces: meta holds the sender and the receiving ifindex; the unicast reply to that sender arrives`, () =>
    withLab(`np-mc${family}`, async (lab) => {
      const { a, b, ia, ib } = await pair(lab);
      const sa = await member(a, family, [ia.index]);
      const sb = await member(b, family, [ib.index]);
      const srcA = family === 4 ? '10.1.0.1' : linkLocal(ia);
      const srcB = family === 4 ? '10.1.0.2' : linkLocal(ib);

      await a.call({ cmd: 'send', sock: sa, hex: hex('query'), addr: GROUP[family], port: PORT, ifindex: ia.index });
      const got = await received(b, sb);
      assert.ok(got, 'b receives the multicast');
      assert.equal({ hex: got.hex, src: got.src, srcPort: got.srcPort, ifindex: got.ifindex }, { hex: hex('query'), src: srcA, srcPort: PORT, ifindex: ib.index });

      // The reply goes to meta.src as given (a link-local IPv6 source has no zone): the ifindex scopes it.
      await b.call({ cmd: 'send', sock: sb, hex: hex('reply'), addr: got.src, port: got.srcPort, ifindex: got.ifindex });
      const reply = await a.next('message', (e) => e.sock === sa && e.hex === hex('reply'));
      assert.ok(reply, 'a receives the unicast reply');
      assert.equal({ src: reply.src, srcPort: reply.srcPort, ifindex: reply.ifindex }, { src: srcB, srcPort: PORT, ifindex: ia.index });
      assert.is(await a.next('log', (e) => e.level !== 'debug', 0), undefined, 'nothing went wrong on a');
      assert.is(await b.next('log', (e) => e.level !== 'debug', 0), undefined, 'nothing went wrong on b');
    }));
}

test('a host on two links: the ifindex of each send chooses the interface it leaves on, and arrivals carry the interface they came in on (IPv4 and IPv6)', () =>
  withLab('np-two', async (lab) => {
    const nh = lab.netns('h');
    const n1 = lab.netns('p1');
    const n2 = lab.netns('p2');
    lab.link(1, [{ ns: nh }, { ns: n1 }]);
    lab.link(2, [{ ns: nh }, { ns: n2 }]);
    const [h, p1, p2] = await Promise.all([startAgent(lab, nh), startAgent(lab, n1), startAgent(lab, n2)]);
    const [h1, h2, i1, i2] = await Promise.all([iface(h, 'eth1'), iface(h, 'eth2'), iface(p1, 'eth1'), iface(p2, 'eth2')]);
    assert.is.not(h1.index, h2.index);

    for (const family of FAMILIES) {
      const sh = await member(h, family, [h1.index, h2.index]);
      const s1 = await member(p1, family, [i1.index]);
      const s2 = await member(p2, family, [i2.index]);
      const send = (label: string, ifindex: number) =>
        h.call({ cmd: 'send', sock: sh, hex: hex(`${label}${family}`), addr: GROUP[family], port: PORT, ifindex });
      // Back to back, so the second is chosen while the first may still be on its way.
      await Promise.all([send('X', h1.index), send('Y', h2.index), send('Z', h1.index)]);
      await Promise.all([send('M', h1.index), send('N', h2.index)]);
      const on1 = [await received(p1, s1), await received(p1, s1), await received(p1, s1)];
      const on2 = [await received(p2, s2), await received(p2, s2)];
      assert.equal(on1.map((e) => e?.hex), ['X', 'Z', 'M'].map((l) => hex(`${l}${family}`)), `IPv${family}: link 1 sees only what was sent on eth1`);
      assert.equal(on2.map((e) => e?.hex), ['Y', 'N'].map((l) => hex(`${l}${family}`)), `IPv${family}: link 2 sees only what was sent on eth2`);
      assert.is(on1[0]?.src, family === 4 ? '10.1.0.1' : linkLocal(h1));
      assert.is(on2[0]?.src, family === 4 ? '10.2.0.1' : linkLocal(h2));

      await p1.call({ cmd: 'send', sock: s1, hex: hex(`from1-${family}`), addr: GROUP[family], port: PORT, ifindex: i1.index });
      await p2.call({ cmd: 'send', sock: s2, hex: hex(`from2-${family}`), addr: GROUP[family], port: PORT, ifindex: i2.index });
      const at1 = await h.next('message', (e) => e.sock === sh && e.hex === hex(`from1-${family}`));
      const at2 = await h.next('message', (e) => e.sock === sh && e.hex === hex(`from2-${family}`));
      assert.is(at1?.ifindex, h1.index, `IPv${family}: from link 1, on eth1`);
      assert.is(at2?.ifindex, h2.index, `IPv${family}: from link 2, on eth2`);
    }
    assert.is(await h.next('log', (e) => e.level !== 'debug', 0), undefined, 'nothing went wrong on h');
  }));

test('RFC 6762 §11: multicast and unicast leave with IP TTL / hop limit 255 (seen by tshark on the peer)', () =>
  withLab('np-ttl', async (lab) => {
    const { a, b, ia, ib } = await pair(lab);
    const capture = lab.spawn(b.ns, 'tshark', ['-i', 'eth1', '-n', '-l', '-f', 'udp port 5353', '-T', 'fields', '-e', 'ip.ttl', '-e', 'ipv6.hlim', '-e', 'udp.payload']);
    let out = '';
    capture.stdout!.setEncoding('utf8').on('data', (c: string) => { out += c; });
    const seen = (): Map<string, string> => new Map(out.split('\n').map((l) => l.split('\t')).filter((f) => f.length === 3).map(([ttl, hlim, payload]) => [payload, ttl || hlim]));
    const until = async (done: () => boolean, each?: () => Promise<unknown>): Promise<void> => {
      for (let i = 0; i < 50 && !done(); i++) {
        await each?.();
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const sa = { 4: await member(a, 4, [ia.index]), 6: await member(a, 6, [ia.index]) };
    // tshark says it is capturing a little before it is: knock until a packet shows.
    await until(() => seen().has(hex('warm-up')), () => a.call({ cmd: 'send', sock: sa[4], hex: hex('warm-up'), addr: '10.1.0.2', port: PORT }));
    assert.ok(seen().has(hex('warm-up')), 'tshark captures');
    const sent: string[] = [];
    for (const family of FAMILIES) {
      await member(b, family, [ib.index]);
      for (const [kind, addr] of [['multicast', GROUP[family]], ['unicast', family === 4 ? '10.1.0.2' : linkLocal(ib)]]) {
        sent.push(hex(`${kind}${family}`));
        await a.call({ cmd: 'send', sock: sa[family], hex: hex(`${kind}${family}`), addr, port: PORT, ifindex: ia.index });
      }
    }
    await until(() => sent.every((p) => seen().has(p)));
    assert.equal(sent.map((p) => [p, seen().get(p)]), sent.map((p) => [p, '255']));
  }));

test('two responders on one host share port 5353 (SO_REUSEADDR) and both hear the group, IPv4 and IPv6', () =>
  withLab('np-reuse', async (lab) => {
    const na = lab.netns('a');
    const nb = lab.netns('b');
    lab.link(1, [{ ns: na }, { ns: nb }]);
    const [a, b1, b2] = await Promise.all([startAgent(lab, na), startAgent(lab, nb), startAgent(lab, nb)]);
    const [ia, ib] = await Promise.all([iface(a, 'eth1'), iface(b1, 'eth1')]);
    for (const family of FAMILIES) {
      const sa = await member(a, family, [ia.index]);
      const [s1, s2] = await Promise.all([member(b1, family, [ib.index]), member(b2, family, [ib.index])]);
      await a.call({ cmd: 'send', sock: sa, hex: hex(`both${family}`), addr: GROUP[family], port: PORT, ifindex: ia.index });
      assert.is((await received(b1, s1))?.hex, hex(`both${family}`), `IPv${family}: the first process hears it`);
      assert.is((await received(b2, s2))?.hex, hex(`both${family}`), `IPv${family}: the second process hears it`);
    }
    for (const x of [b1, b2]) assert.is(await x.next('log', (e) => e.level !== 'debug', 0), undefined, 'both bound and joined without error');
  }));

test('unicast to port 5353 reaches only one of two sockets on a host, the newest (why the responder and querier share one endpoint)', () =>
  withLab('np-uni', async (lab) => {
    const na = lab.netns('a');
    const nb = lab.netns('b');
    lab.link(1, [{ ns: na }, { ns: nb }]);
    const [a, b1, b2] = await Promise.all([startAgent(lab, na), startAgent(lab, nb), startAgent(lab, nb)]);
    const [ia, ib] = await Promise.all([iface(a, 'eth1'), iface(b1, 'eth1')]);
    const sa = await member(a, 4, [ia.index]);
    const s1 = await member(b1, 4, [ib.index]);
    const s2 = await member(b2, 4, [ib.index]);
    await a.call({ cmd: 'send', sock: sa, hex: hex('unicast'), addr: '10.1.0.2', port: PORT, ifindex: ia.index });
    await a.call({ cmd: 'send', sock: sa, hex: hex('marker'), addr: GROUP[4], port: PORT, ifindex: ia.index });
    assert.is((await received(b2, s2))?.hex, hex('unicast'), 'the newest socket gets the unicast packet');
    assert.is((await received(b2, s2))?.hex, hex('marker'));
    assert.is((await received(b1, s1))?.hex, hex('marker'), 'the older socket never sees it: its next packet is the multicast marker');
  }));

test('leave() stops delivery of the group on that interface (IPv4 and IPv6)', () =>
  withLab('np-leave', async (lab) => {
    const { a, b, ia, ib } = await pair(lab);
    for (const family of FAMILIES) {
      const sa = await member(a, family, [ia.index]);
      const sb = await member(b, family, [ib.index]);
      const toGroup = (label: string) => a.call({ cmd: 'send', sock: sa, hex: hex(label), addr: GROUP[family], port: PORT, ifindex: ia.index });
      await toGroup(`before${family}`);
      assert.is((await received(b, sb))?.hex, hex(`before${family}`), 'joined: the group is heard');
      await b.call({ cmd: 'leave', sock: sb, ifindex: ib.index });
      await toGroup(`after${family}`);
      // A unicast marker sent after the group packet: it must be the next thing b hears.
      await a.call({ cmd: 'send', sock: sa, hex: hex(`marker${family}`), addr: family === 4 ? '10.1.0.2' : 'fd00:1::2', port: PORT });
      assert.is((await received(b, sb))?.hex, hex(`marker${family}`), `IPv${family}: after leave() the group packet is not delivered`);
    }
  }));

test('interface changes reach onInterfaces within the poll period: address added and removed, multicast flag, a new interface', () =>
  withLab('np-poll', async (lab) => {
    const na = lab.netns('a');
    lab.link(1, [{ ns: na }, { ns: lab.netns('b') }]);
    const a = await startAgent(lab, na, { pollMs: 200 });
    const has = (list: NetInterface[], name: string, addr: string) => list.some((i) => i.name === name && i.addrs.some((x) => x.addr === addr));
    const wait = 3000;

    lab.exec(na, 'ip', ['addr', 'add', '10.1.0.77/25', 'dev', 'eth1']);
    const added = await a.next('interfaces-changed', undefined, wait);
    assert.ok(added, 'a change is reported');
    const eth1 = added.list.find((i) => i.name === 'eth1');
    assert.ok(eth1?.addrs.some((x) => x.family === 4 && x.addr === '10.1.0.77' && x.prefix === 25), 'with the new address and its prefix');

    lab.exec(na, 'ip', ['addr', 'del', '10.1.0.77/25', 'dev', 'eth1']);
    const removed = await a.next('interfaces-changed', undefined, wait);
    assert.ok(removed, 'the removal is reported');
    // The first report after the addition is the removal: nothing is reported while nothing changes.
    assert.not.ok(has(removed.list, 'eth1', '10.1.0.77'), 'without the address');
    assert.ok(has(removed.list, 'eth1', '10.1.0.1'));

    lab.exec(na, 'ip', ['link', 'set', 'dev', 'eth1', 'multicast', 'off']);
    const flag = await a.next('interfaces-changed', undefined, wait);
    assert.is(flag?.list.find((i) => i.name === 'eth1')?.multicast, false, 'IFF_MULTICAST off is seen');

    lab.exec(na, 'ip', ['link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
    lab.exec(na, 'ip', ['addr', 'add', '192.0.2.1/24', 'dev', 'v0']);
    lab.exec(na, 'ip', ['link', 'set', 'v1', 'up']);
    lab.exec(na, 'ip', ['link', 'set', 'v0', 'up']);
    const appeared = await a.next('interfaces-changed', (e) => has(e.list, 'v0', '192.0.2.1'), wait);
    assert.ok(appeared, 'the new interface is reported');
    const v0 = appeared.list.find((i) => i.name === 'v0')!;
    assert.is(v0.index, Number(lab.exec(na, 'cat', ['/sys/class/net/v0/ifindex'])), 'with its kernel ifindex');
  }));

test('errors are logged, never thrown: bad and unreachable addresses, unknown interfaces, closed sockets; joining twice is a no-op', () =>
  withLab('np-err', async (lab) => {
    const { a, b, ia, ib } = await pair(lab);
    const s4 = await member(a, 4, [ia.index, ia.index]);
    const s6 = await member(a, 6, [ia.index]);
    const sb = await member(b, 4, [ib.index]);
    const logged = (what: RegExp) => a.next('log', (e) => e.level !== 'debug' && what.test(`${e.msg} ${JSON.stringify(e.data ?? {})}`));
    const anyLog = () => a.next('log', (e) => e.level !== 'debug', 0);

    await a.call({ cmd: 'send', sock: s4, hex: hex('x'), addr: 'not-an-address', port: PORT });
    const first = await a.next('log', (e) => e.level !== 'debug');
    assert.match(first?.msg ?? '', /not-an-address/, 'the first problem logged is the bad address: the second join was a no-op');

    await a.call({ cmd: 'send', sock: s4, hex: hex('x'), addr: 'fd00:1::2', port: PORT });
    assert.ok(await logged(/fd00:1::2.*not an IPv4 address/), 'an IPv6 address on an IPv4 socket');
    await a.call({ cmd: 'send', sock: s4, hex: hex('x'), addr: '203.0.113.9', port: PORT });
    assert.ok(await logged(/203\.0\.113\.9.*ENETUNREACH/), 'an unreachable destination');
    await a.call({ cmd: 'join', sock: s4, ifindex: 9999 });
    assert.ok(await logged(/join: no such interface.*9999/), 'joining an unknown interface');
    await a.call({ cmd: 'send', sock: s6, hex: hex('x'), addr: 'fe80::2', port: PORT, ifindex: 9999 });
    assert.ok(await logged(/send: no such interface.*9999/), 'sending on an unknown interface');
    await a.call({ cmd: 'leave', sock: s6, ifindex: 9999 });
    await a.call({ cmd: 'close', sock: s6 });
    await a.call({ cmd: 'send', sock: s6, hex: hex('x'), addr: GROUP[6], port: PORT, ifindex: ia.index });
    assert.ok(await a.next('log', (e) => /closed socket/.test(e.msg)), 'a send after close');
    assert.is(await anyLog(), undefined, 'leaving what was never joined is silent');

    // Still alive, and the doubled join left one working membership.
    await b.call({ cmd: 'send', sock: sb, hex: hex('still'), addr: GROUP[4], port: PORT, ifindex: ib.index });
    assert.is((await received(a, s4))?.hex, hex('still'));
  }));

test('every namespace of this suite is gone', () => {
  const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(`-${process.pid}-`));
  assert.equal(left, []);
});

test.run();
