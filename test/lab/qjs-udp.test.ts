// The QuickJS native module platform/quickjs/hush_udp.c on real sockets:
// build/qjs/qjs runs test/lab/qjs-udp.js in two network namespaces on one
// link. The sender also sits on a second link that holds the multicast
// route, so its query reaches the receiver only if the per-packet ifindex
// (IP_PKTINFO / IPV6_PKTINFO) chooses the interface. Checked: the receiver
// sees the sender's address, the group, its own ifindex and TTL 255
// (RFC 6762 §11); the unicast reply to that source comes back addressed to
// the sender's own address; interfaces() agrees with the namespace; a bad
// argument throws a TypeError that names it and the script goes on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab } from './netns.js';
import type { Member } from './netns.js';
import { Proc, run } from './proc.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const QJS = join(ROOT, 'build/qjs/qjs');
const MODULE = join(ROOT, 'build/qjs/hush_udp.so');
const SCRIPT = join(ROOT, 'test/lab/qjs-udp.js');
const GROUP = { 4: '224.0.0.251', 6: 'ff02::fb' } as const;
const PORT = 5353;
const TIMEOUT_MS = 5000;

interface Addr { family: 4 | 6; addr: string; prefix: number }
interface Iface { index: number; name: string; up: boolean; multicast: boolean; addrs: Addr[] }
interface Meta { data: string; src: string; srcPort: number; dst: string; ifindex: number; ttl: number }

/** The JSON of the first '<tag> <JSON>' line of a run. */
function line<T>(p: Proc, tag: string): T {
  const l = p.stdout.split('\n').find((x) => x.startsWith(`${tag} `));
  assert.ok(l, `a '${tag}' line in\n${p.output}`);
  return JSON.parse(l.slice(tag.length + 1)) as T;
}

const tags = (p: Proc): string[] => p.stdout.split('\n').filter(Boolean).map((l) => l.split(' ')[0]);

function iface(list: Iface[], name: string): Iface {
  const i = list.find((x) => x.name === name);
  assert.ok(i, `interfaces() lists ${name}: ${JSON.stringify(list)}`);
  return i;
}

function linkLocal(i: Iface): string {
  const a = i.addrs.find((x) => x.family === 6 && x.addr.startsWith('fe80:'));
  assert.ok(a, `${i.name} has a link-local address`);
  return a.addr;
}

const sysIndex = (lab: Lab, ns: string, dev: string): number => Number(lab.exec(ns, 'cat', [`/sys/class/net/${dev}/ifindex`]).trim());

/** What interfaces() says of a lab veth: its index, flags and every address with its prefix, link-local without a zone. */
function checkLink(lab: Lab, m: Member, i: Iface): void {
  assert.is(i.index, sysIndex(lab, m.ns, m.ifname), `${m.ns} ${m.ifname}: ifindex`);
  assert.equal({ up: i.up, multicast: i.multicast }, { up: true, multicast: true });
  const addrs = i.addrs.map((a) => `${a.family} ${a.addr}/${a.prefix}`).sort();
  assert.equal(addrs, [`4 ${m.v4}/24`, `6 ${linkLocal(i)}/64`, `6 ${m.v6}/64`].sort(), `${m.ifname} addresses`);
  assert.ok(/^fe80:[0-9a-f:]+$/.test(linkLocal(i)), 'no zone on the link-local address');
}

// `make qjs` skips what is built (the first build fetches and compiles QuickJS, about a minute).
test.before(() => {
  const r = spawnSync('make', ['-s', 'qjs'], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
  assert.is(r.status, 0, `make qjs failed:\n${r.stdout}${r.stderr}`);
  assert.ok(existsSync(QJS) && existsSync(MODULE), `make qjs built ${QJS} and ${MODULE}`);
});

for (const family of [4, 6] as const) {
  test(`IPv${family}: multicast to ${GROUP[family]}:${PORT} out of the chosen interface carries src, dst, ifindex and TTL 255; the unicast reply comes back to the sender's own address`, async () => {
    const lab = new Lab(`qjs${family}`);
    try {
      const na = lab.netns('a');
      const nb = lab.netns('b');
      // b's eth1 gets another ifindex than a's; a's routes send the group out of eth2.
      lab.exec(nb, 'ip', ['link', 'add', 'x0', 'type', 'veth', 'peer', 'name', 'x1']);
      const [ma, mb] = lab.link(1, [{ ns: na }, { ns: nb }]);
      lab.link(2, [{ ns: na }]);
      lab.exec(na, 'ip', ['-6', 'route', 'add', 'multicast', `${GROUP[6]}/128`, 'dev', 'eth2', 'table', 'local']);
      assert.match(lab.exec(na, 'ip', ['route', 'get', GROUP[4]]), /dev eth2/);
      assert.match(lab.exec(na, 'ip', ['-6', 'route', 'get', GROUP[6]]), /dev eth2/);

      const args = (role: string): string[] => ['--module', SCRIPT, role, String(family), 'eth1', String(TIMEOUT_MS)];
      const receiver = new Proc(lab, nb, QJS, args('recv'));
      await receiver.waitFor(/^ready /, TIMEOUT_MS);
      const sender = await run(lab, na, QJS, args('send'), { timeoutMs: 2 * TIMEOUT_MS });
      await receiver.exited;
      assert.is(sender.status, 0, `sender exit\n${sender.output}`);
      assert.is(receiver.status, 0, `receiver exit\n${receiver.output}`);

      const ia = iface(line<Iface[]>(sender, 'interfaces'), 'eth1');
      const ib = iface(line<Iface[]>(receiver, 'interfaces'), 'eth1');
      checkLink(lab, ma, ia);
      checkLink(lab, mb, ib);
      iface(line<Iface[]>(sender, 'interfaces'), 'eth2');
      assert.equal(iface(line<Iface[]>(receiver, 'interfaces'), 'lo').addrs, [{ family: 4, addr: '127.0.0.1', prefix: 8 }, { family: 6, addr: '::1', prefix: 128 }]);
      assert.is.not(ia.index, ib.index);

      const srcA = family === 4 ? ma.v4 : linkLocal(ia);
      const srcB = family === 4 ? mb.v4 : linkLocal(ib);
      assert.is(line<number>(sender, 'sent'), 'query'.length);
      assert.equal(line<Meta>(receiver, 'got'), { data: 'query', src: srcA, srcPort: PORT, dst: GROUP[family], ifindex: ib.index, ttl: 255 });
      assert.is(line<number>(receiver, 'replied'), 'reply'.length);
      assert.equal(line<Meta>(sender, 'reply'), { data: 'reply', src: srcB, srcPort: PORT, dst: srcA, ifindex: ia.index, ttl: 255 });
      // Multicast loopback is on: the sender hears its own query, on the interface it left by.
      assert.equal(line<Meta>(sender, 'own'), { data: 'query', src: srcA, srcPort: PORT, dst: GROUP[family], ifindex: ia.index, ttl: 255 });

      for (const p of [sender, receiver]) {
        const bad = line<{ name: string; message: string }>(p, 'badarg');
        assert.is(bad.name, 'TypeError');
        assert.match(bad.message, /^join: ifindex must be an integer/);
        assert.ok(tags(p).indexOf('badarg') < tags(p).indexOf('ready'), 'the script went on after the TypeError');
      }
      assert.is(sender.stderr + receiver.stderr, '', 'nothing on stderr');
    } finally {
      lab.close();
    }
  });
}

test.run();
