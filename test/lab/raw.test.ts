// The raw-socket backend on two links (issue 7, "Must show" lab): a host
// namespace with one interface on each of two separate links and
// avahi-daemon on each link. hush (`--backend raw`) answers each link with
// that link's addresses only, answers a query only where it came from,
// ignores a response sent with IP TTL 1, and announces, says goodbye and
// re-probes per link as addresses and interfaces come and go; tshark sees
// IP TTL 255, good checksums and nothing malformed. A second suite runs the
// same host on dgram and keeps, as tests, what dgram gets wrong.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decode, encode, message, T } from '../../src/wire/index.js';
import type { Message, Rec } from '../../src/wire/index.js';
import { Lab } from './netns.js';
import type { Member } from './netns.js';
import { avahiResolveName, startAvahi } from './avahi.js';
import type { Avahi } from './avahi.js';
import { readChecksums, startCapture } from './capture.js';
import type { Capture } from './capture.js';
import { startAgent } from './agent-client.js';
import type { Agent } from './agent-client.js';
import { Proc, run } from './proc.js';

const HOST = 'rawhost';
const NAME = 'Raw Web';
const TYPE = '_http._tcp';
const INSTANCE = `${NAME}.${TYPE}.local`;
const GROUP = { 4: '224.0.0.251', 6: 'ff02::fb' } as const;

/** A peer on one link: its namespace, an agent listening to the mDNS groups there, and avahi-daemon. */
interface Side { me: Member; hushAt: Member; agent: Agent; socks: { 4: number; 6: number }; hushLinkLocal: string; avahi: Avahi }

interface Ctx { lab: Lab; h: string; sides: [Side, Side]; hush: Proc; captures: Capture[] }

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function startHush(l: Lab, ns: string, backend: 'raw' | 'dgram'): Proc {
  return new Proc(l, ns, process.execPath, ['--no-warnings', '--loader', 'ts-node/esm', 'platform/node/cli.ts',
    'publish', NAME, TYPE, '8080', 'path=/', '--host', HOST, '--backend', backend]);
}

function linkLocal(l: Lab, ns: string, ifname: string): string {
  return /inet6 (fe80::[0-9a-f:]+)\//.exec(l.exec(ns, 'ip', ['-6', 'addr', 'show', 'dev', ifname]))![1];
}

/**
 * The host namespace `h` on links 1 and 2 (eth1, eth2) and a peer on each.
 * With `overlap`, link 2 is numbered from link 1's IPv4 subnet (the host's
 * eth2 10.1.0.101/24, the peer 10.1.0.102/24), as two NICs on overlapping
 * networks are.
 */
async function topology(tag: string, overlap: boolean): Promise<Omit<Ctx, 'hush'>> {
  const lab = new Lab(tag);
  const h = lab.netns('host');
  const p1 = lab.netns('peer1'), p2 = lab.netns('peer2');
  lab.exec(h, 'sysctl', ['-qw', 'net.ipv6.conf.all.keep_addr_on_down=1', 'net.ipv6.conf.default.keep_addr_on_down=1']);
  const [h1, m1] = lab.link(1, [{ ns: h, ifname: 'eth1' }, { ns: p1 }]);
  const [h2, m2] = lab.link(2, [{ ns: h, ifname: 'eth2' }, { ns: p2 }]);
  if (overlap) {
    lab.exec(h, 'ip', ['addr', 'del', `${h2.v4}/24`, 'dev', 'eth2']);
    lab.exec(h, 'ip', ['addr', 'add', '10.1.0.101/24', 'dev', 'eth2']);
    lab.exec(p2, 'ip', ['addr', 'del', `${m2.v4}/24`, 'dev', m2.ifname]);
    lab.exec(p2, 'ip', ['addr', 'add', '10.1.0.102/24', 'dev', m2.ifname]);
    lab.exec(p2, 'ip', ['route', 'replace', '224.0.0.0/4', 'dev', m2.ifname]);
    h2.v4 = '10.1.0.101';
    m2.v4 = '10.1.0.102';
  }
  const captures = [await startCapture(lab, `${lab.prefix}-br1`, 'br0'), await startCapture(lab, `${lab.prefix}-br2`, 'br0')];
  const side = async (me: Member, hushAt: Member, name: string): Promise<Side> => {
    const agent = await startAgent(lab, me.ns);
    const ifindex = (await agent.call({ cmd: 'interfaces' })).find((i) => i.name === me.ifname)!.index;
    const socks = { 4: 0, 6: 0 };
    for (const family of [4, 6] as const) {
      socks[family] = await agent.call({ cmd: 'open', family, port: 5353, group: GROUP[family] });
      await agent.call({ cmd: 'join', sock: socks[family], ifindex });
    }
    const avahi = await startAvahi(lab, me.ns, { hostName: name, ipv6: !overlap });
    return { me, hushAt, agent, socks, hushLinkLocal: linkLocal(lab, h, hushAt.ifname), avahi };
  };
  return { lab, h, captures, sides: [await side(m1, h1, 'peer1'), await side(m2, h2, 'peer2')] };
}

/** Every mDNS message an agent heard from hush (its addresses on that link) within `ms`. */
async function heard(s: Side, ms: number): Promise<Message[]> {
  const from = new Set([s.hushAt.v4, s.hushAt.v6, s.hushLinkLocal]);
  const out: Message[] = [];
  for (const end = Date.now() + ms; Date.now() < end;) {
    const e = await s.agent.next('message', (x) => from.has(x.src), end - Date.now());
    if (e) out.push(decode(Buffer.from(e.hex, 'hex')));
  }
  return out;
}

/** Forgets what an agent heard so far. */
const quiet = async (s: Side): Promise<void> => { await heard(s, 50); };

const records = (ms: Message[]): Rec[] => ms.flatMap((m) => [...m.answers, ...m.additionals]);

async function ask(s: Side, family: 4 | 6, name: string, type: number): Promise<void> {
  const q = message({ questions: [{ name, type, class: 1, qu: false }] });
  await s.agent.call({ cmd: 'send', sock: s.socks[family], hex: Buffer.from(encode(q)).toString('hex'), addr: GROUP[family], port: 5353 });
}

/**
 * A response claiming hush's host name for another address, multicast by the
 * peer from port 5353 over IPv6 (its link-local source places it on its link
 * for either backend) with this hop limit.
 */
async function claim(l: Lab, s: Side, ttl: number): Promise<void> {
  const m = message({ qr: true, aa: true, answers: [{ name: `${HOST}.local`, type: T.A, class: 1, flush: true, ttl: 120, data: '10.1.0.99' }] });
  const js = `const s=require('dgram').createSocket({type:'udp6',reuseAddr:true});s.bind(5353,()=>{s.setMulticastTTL(${ttl});` +
    `s.setMulticastInterface('::%${s.me.ifname}');s.send(Buffer.from('${Buffer.from(encode(m)).toString('hex')}','hex'),5353,'ff02::fb',()=>s.close())})`;
  const p = await run(l, s.me.ns, process.execPath, ['-e', js], { timeoutMs: 10_000 });
  assert.is(p.status, 0, p.output);
}

/** §8.1: a probe is a query with the proposed records in its authority section. */
const probes = (ms: Message[]): Message[] => ms.filter((m) => !m.qr && m.authorities.length > 0);

/** Whether hush, within 3 s of the claim, probed its name again (§9: a conflicting response sends it back to probing). */
async function probedAfterClaim(l: Lab, s: Side, ttl: number): Promise<boolean> {
  await quiet(s);
  await claim(l, s, ttl);
  return probes(await heard(s, 3000)).length > 0;
}

const raw = suite<Ctx>('raw backend on two links');

raw.before(async (ctx) => {
  Object.assign(ctx, await topology('raw', false));
  ctx.hush = startHush(ctx.lab, ctx.h, 'raw');
  await ctx.hush.waitFor(/established/, 20_000);
  // The announcements (RFC 6762 §8.3) are over before the tests listen.
  await sleep(4000);
});

raw.after((ctx) => ctx.lab?.close());

raw('each link hears only its own link\'s addresses in hush\'s answers (A and AAAA, IPv4 and IPv6), and avahi resolves them', async ({ sides, lab: l }) => {
  for (const [i, s] of sides.entries()) {
    const other = sides[1 - i];
    await quiet(s);
    for (const family of [4, 6] as const) {
      await ask(s, family, `${HOST}.local`, T.A);
      await ask(s, family, `${HOST}.local`, T.AAAA);
    }
    const got = records(await heard(s, 1500));
    const a = [...new Set(got.filter((r) => r.type === T.A).map((r) => r.data))];
    const aaaa = [...new Set(got.filter((r) => r.type === T.AAAA).map((r) => r.data))];
    assert.equal(a, [s.hushAt.v4], `link ${i + 1}: A ${a}`);
    assert.ok(aaaa.length > 0 && aaaa.every((x) => x === s.hushAt.v6 || x === s.hushLinkLocal), `link ${i + 1}: AAAA ${aaaa}`);
    assert.not.ok(aaaa.includes(other.hushAt.v6) || aaaa.includes(other.hushLinkLocal));
    assert.is(await avahiResolveName(l, s.me.ns, s.avahi, `${HOST}.local`, 4), s.hushAt.v4);
  }
});

raw('a query on one link is answered on that link only', async ({ sides }) => {
  const [one, two] = sides;
  await quiet(one);
  await quiet(two);
  await ask(one, 4, INSTANCE, T.SRV);
  const [here, there] = await Promise.all([heard(one, 2000), heard(two, 2000)]);
  assert.ok(records(here).some((r) => r.type === T.SRV), 'link 1 got the SRV');
  assert.equal(there.map((m) => m.answers.length), [], 'hush said nothing on link 2');
});

raw('rfc6762 §11 a conflicting response sent with IP TTL 1 is ignored', async ({ sides, lab: l }) => {
  assert.not.ok(await probedAfterClaim(l, sides[0], 1), 'hush probed again after a TTL-1 response');
});

raw('an address added and removed on one link is announced, then said goodbye to, on that link only', async ({ sides, lab: l, h }) => {
  const [one, two] = sides;
  await quiet(one);
  await quiet(two);
  const extra = '10.2.0.100';
  l.exec(h, 'ip', ['addr', 'add', `${extra}/24`, 'dev', 'eth2']);
  const [added1, added2] = await Promise.all([heard(one, 3000), heard(two, 3000)]);
  const withExtra = (ms: Message[]): Rec[] => records(ms).filter((r) => r.type === T.A && r.data === extra);
  assert.ok(withExtra(added2).some((r) => r.ttl > 0), `link 2 heard ${extra} announced`);
  assert.equal(withExtra(added1), [], 'link 1 never hears the address of link 2');
  l.exec(h, 'ip', ['addr', 'del', `${extra}/24`, 'dev', 'eth2']);
  const [gone1, gone2] = await Promise.all([heard(one, 3000), heard(two, 3000)]);
  // RFC 6762 §10.1: a goodbye is the record with TTL 0.
  assert.ok(withExtra(gone2).some((r) => r.ttl === 0), `link 2 heard the goodbye for ${extra}`);
  assert.equal(withExtra(gone1), []);
});

raw('an interface taken down and brought up again is probed anew on that link only', async ({ sides, lab: l, h }) => {
  const [one, two] = sides;
  l.exec(h, 'ip', ['link', 'set', 'eth2', 'down']);
  await sleep(1500);
  await quiet(one);
  await quiet(two);
  l.exec(h, 'ip', ['link', 'set', 'eth2', 'up']);
  const [on1, on2] = await Promise.all([heard(one, 4000), heard(two, 4000)]);
  assert.ok(probes(on2).length > 0, 'hush probed again on link 2');
  assert.equal(probes(on1), [], 'and not on link 1');
  assert.ok(records(on2).some((r) => r.type === T.A && r.data === two.hushAt.v4 && r.ttl > 0), 'then announced there');
});

raw('the same conflicting response with IP TTL 255 sends hush back to probing: the check above can fail', async ({ sides, lab: l }) => {
  assert.ok(await probedAfterClaim(l, sides[0], 255), 'hush did not probe again after a TTL-255 response');
});

raw('tshark: every frame hush sent has IP TTL 255, good IPv4 and UDP checksums, and none is malformed', async ({ captures, sides }) => {
  const ours = new Set(sides.flatMap((s) => [s.hushAt.v4, s.hushAt.v6, s.hushLinkLocal]));
  for (const [i, c] of captures.entries()) {
    const r = await c.stop();
    const mine = r.frames.filter((f) => ours.has(f.src));
    assert.ok(mine.length > 5, `link ${i + 1}: ${mine.length} frames from hush`);
    assert.equal(mine.filter((f) => f.ipTtl !== 255), [], `link ${i + 1}: IP TTL`);
    assert.is(mine.filter((f) => f.malformed).length, 0);
    const own = new Set([sides[i].hushAt.v4, sides[i].hushAt.v6, sides[i].hushLinkLocal]);
    assert.equal(mine.filter((f) => !own.has(f.src)).map((f) => f.src), [], `link ${i + 1} carries no frame from the other link's addresses`);
    const checked = readChecksums(r.file).filter((f) => ours.has(f.src));
    assert.equal(checked.filter((f) => f.ip === false || !f.udp), [], `link ${i + 1}: checksums`);
  }
});

raw.run();

// The same host on dgram, with link 2 numbered from link 1's subnet. Each
// test pins a failure that the raw backend does not have.
const dgram = suite<Ctx>('what dgram gets wrong (why the raw backend exists)');

dgram.before(async (ctx) => {
  Object.assign(ctx, await topology('dgram', true));
});

dgram.after((ctx) => ctx.lab?.close());

for (const backend of ['dgram', 'raw'] as const) {
  const wrong = backend === 'dgram';
  dgram(`${backend}: two links on one IPv4 subnet: a query from link 2 is ${wrong ? 'lost (dgram cannot tell the interface)' : 'answered there with link 2\'s address'}`, async (ctx) => {
    await ctx.hush?.stop();
    ctx.hush = startHush(ctx.lab, ctx.h, backend);
    await ctx.hush.waitFor(/established/, 20_000);
    await sleep(4000);
    const two = ctx.sides[1];
    await quiet(two);
    await ask(two, 4, `${HOST}.local`, T.A);
    const a = records(await heard(two, 2000)).filter((r) => r.type === T.A).map((r) => r.data);
    if (wrong) assert.equal(a, [], `dgram answered ${a}`);
    else assert.equal([...new Set(a)], [two.hushAt.v4]);
  });

  dgram(`${backend}: a conflicting response sent with IP TTL 1 is ${wrong ? 'believed (dgram does not see the TTL)' : 'ignored'}`, async (ctx) => {
    const probed = await probedAfterClaim(ctx.lab, ctx.sides[0], 1);
    assert.is(probed, wrong, wrong ? 'dgram hush did not probe again' : 'raw hush probed again');
  });
}

dgram.run();
