// hush's responder next to real peers (issue 3, "Must show" lab): avahi
// browses and resolves hush's service and host name, a legacy unicast query
// gets a correct reply, names conflict both ways, troglobit mdnsd's mquery
// finds the service, and tshark sees the whole run with zero malformed
// packets from hush. Everything runs in namespaces this file creates.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decode, encode, message, T } from '../../src/wire/index.js';
import type { Srv } from '../../src/wire/index.js';
import { Lab } from './netns.js';
import type { Member } from './netns.js';
import { avahiBrowse, avahiResolveName, startAvahi } from './avahi.js';
import type { Avahi } from './avahi.js';
import { startCapture } from './capture.js';
import type { Capture } from './capture.js';
import { mquery } from './mdnsd.js';
import { startAgent } from './agent-client.js';
import { Proc } from './proc.js';

const HOST = 'hushhost';
const NAME = 'Café Web.Server';
const TYPE = '_http._tcp';

interface Ctx { lab: Lab; a: Member; b: Member; hush: Proc; avahi: Avahi; capture: Capture; a6ll: string }

const lab = suite<Ctx>('interop');

function hush(l: Lab, ns: string, args: string[]): Proc {
  return new Proc(l, ns, process.execPath, ['--no-warnings', '--loader', 'ts-node/esm', 'platform/node/cli.ts', ...args]);
}

lab.before(async (ctx) => {
  ctx.lab = new Lab('interop');
  const a = ctx.lab.netns('hush'), b = ctx.lab.netns('peer');
  [ctx.a, ctx.b] = ctx.lab.link(1, [{ ns: a }, { ns: b }]);
  ctx.a6ll = /inet6 (fe80::[0-9a-f:]+)\//.exec(ctx.lab.exec(a, 'ip', ['-6', 'addr', 'show', 'dev', ctx.a.ifname]))![1];
  ctx.capture = await startCapture(ctx.lab, b, ctx.b.ifname);
  ctx.avahi = await startAvahi(ctx.lab, b, { hostName: 'avahipeer' });
  ctx.hush = hush(ctx.lab, a, ['publish', NAME, TYPE, '8080', 'path=/x', 'flag', 'empty=', '--host', HOST]);
  await ctx.hush.waitFor(/established/, 20_000);
});

lab.after((ctx) => ctx.lab?.close());

lab('avahi-browse -r sees and resolves the hush service with its TXT intact, over IPv4 and IPv6', async ({ avahi, lab: l, b, a }) => {
  const found = await avahiBrowse(l, b.ns, avahi, TYPE, { resolve: true, timeoutMs: 10_000 });
  const ours = found.filter((r) => r.name === NAME);
  assert.equal(ours.map((r) => r.protocol).sort(), ['IPv4', 'IPv6'], JSON.stringify(found));
  for (const r of ours) {
    assert.is(r.host, `${HOST}.local`);
    assert.is(r.port, 8080);
    assert.equal(r.txt, ['path=/x', 'flag', 'empty=']);
    assert.ok(r.address === a.v4 || r.address === a.v6 || r.address?.startsWith('fe80:'), `address ${r.address}`);
  }
});

lab('avahi-resolve -n resolves the hush host name over IPv4 and IPv6', async ({ avahi, lab: l, b, a }) => {
  assert.is(await avahiResolveName(l, b.ns, avahi, `${HOST}.local`, 4), a.v4);
  const v6 = await avahiResolveName(l, b.ns, avahi, `${HOST}.local`, 6);
  assert.ok(v6 === a.v6 || v6?.startsWith('fe80:'), `IPv6 answer ${v6}`);
});

lab('rfc6762 §6.7 a legacy unicast query gets a unicast reply: ID and question echoed, TTL ≤ 10, no cache-flush, SRV target in full', async ({ lab: l, b, a }) => {
  const agent = await startAgent(l, b.ns);
  try {
    const sock = await agent.call({ cmd: 'open', family: 4, port: 0 });
    const instance = `Café Web\\.Server.${TYPE}.local`;
    const q = message({ id: 0x4242, rd: true, questions: [{ name: instance, type: T.SRV, class: 1, qu: false }] });
    await agent.call({ cmd: 'send', sock, hex: Buffer.from(encode(q)).toString('hex'), addr: a.v4, port: 5353 });
    const got = await agent.next('message', (e) => e.sock === sock, 5000);
    assert.ok(got, 'a reply came');
    const bytes = Buffer.from(got!.hex, 'hex');
    const m = decode(bytes);
    assert.is(m.id, 0x4242);
    assert.ok(m.qr && m.aa);
    assert.equal(m.questions, q.questions);
    const srv = m.answers.find((r) => r.type === T.SRV)!;
    assert.ok(srv, 'an SRV answer');
    assert.is((srv.data as Srv).target, `${HOST}.local`);
    assert.is((srv.data as Srv).port, 8080);
    for (const r of [...m.answers, ...m.additionals]) {
      assert.ok(r.ttl <= 10, `${r.name} TTL ${r.ttl}`);
      assert.not.ok(r.flush, `${r.name} has no cache-flush bit`);
    }
    // RFC 6762 §18.14: the SRV target is written out, not compressed.
    const target = Buffer.concat([Buffer.from([HOST.length]), Buffer.from(HOST), Buffer.from([5]), Buffer.from('local'), Buffer.from([0])]);
    assert.ok(bytes.includes(target), 'SRV target uncompressed');
  } finally {
    await agent.stop();
  }
});

lab('troglobit mdnsd mquery finds the hush service', async ({ lab: l, b }) => {
  const r = await mquery(l, b.ns, { name: `${TYPE}.local.`, waitSec: 3 });
  assert.ok(r.found.some((f) => f.name.includes('Café Web')), r.output);
});

lab('rfc6762 §9 a name avahi already holds makes hush rename to "Name (2)"', async ({ lab: l, a, b, avahi }) => {
  avahi.publish({ name: 'Held By Avahi', type: '_ipp._tcp', port: 631 });
  await avahi.waitLog(/Service "Held By Avahi" .*successfully established/, 15_000);
  const second = hush(l, a.ns, ['publish', 'Held By Avahi', '_ipp._tcp', '632', '--host', 'hushtwo']);
  try {
    await second.waitFor(/renamed\s+"Held By Avahi" -> "Held By Avahi \(2\)"/, 20_000);
    await second.waitFor(/established\s+Held By Avahi \(2\)/, 20_000);
    const found = await avahiBrowse(l, b.ns, avahi, '_ipp._tcp', { resolve: true });
    assert.ok(found.some((r) => r.name === 'Held By Avahi (2)' && r.port === 632), JSON.stringify(found));
  } finally {
    await second.stop('SIGINT');
  }
});

lab('rfc6762 §9 a name hush holds makes avahi rename', async ({ avahi }) => {
  avahi.publish({ name: NAME, type: TYPE, port: 9999 });
  // avahi 0.8: 'Service name conflict for "X" (file), retrying with "X #2".'
  const line = await avahi.waitLog(/Service name conflict for "Café Web\.Server"/, 20_000);
  assert.match(line, /retrying with "Café Web\.Server #2"/);
});

lab('tshark: hush sends only well-formed packets with IP TTL 255, and a goodbye when stopped', async ({ hush: h, capture, a, a6ll }) => {
  await h.stop('SIGINT');
  assert.match(h.stdout, /goodbye sent/);
  await new Promise((r) => setTimeout(r, 500));
  const { frames } = await capture.stop();
  const fromHush = frames.filter((f) => [a.v4, a.v6, a6ll].includes(f.src) && f.sport === 5353);
  assert.ok(fromHush.length > 5, `frames from hush: ${fromHush.length}`);
  assert.equal(fromHush.filter((f) => f.malformed), [], 'malformed frames from hush');
  assert.equal(fromHush.filter((f) => f.ipTtl !== 255).map((f) => `${f.src} > ${f.dst} ttl ${f.ipTtl}`), [], "IP TTL 255 on every frame");
  // §10.1: the last packets hush sent are goodbyes, every record at TTL 0.
  const last = fromHush[fromHush.length - 1];
  assert.ok(last.response && last.ttls.length > 0 && last.ttls.every((t) => t === 0), `last frame TTLs ${last.ttls}`);
});

lab.run();
