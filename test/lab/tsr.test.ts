// draft-tllq-tsr-05 with real processes: two hush border routers (br1, br2;
// each a Node process running test/lab/proxy.ts in its own namespace) and
// avahi-daemon (no TSR) on one link. A Thread client 'dev' registered by br1
// moves to br2 with a new address and a newer time of receipt. §7: a legacy
// mDNS cache (avahi) must end with the new data, by the ordinary cache-flush
// rule; br1 learns from br2's TSR options that its data is stale and leaves
// without a goodbye. A capture on the link's bridge is dissected by tshark:
// no malformed packet, and every hush packet carrying the client's records
// has an OPT record with its TSR options (code 65002) in the chosen layout.
// The whole run is done once with Apple's layout and once with the draft's.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TsrLayout } from '../../src/wire/index.js';
import { Lab } from './netns.js';
import type { Member } from './netns.js';
import { avahiBrowse, avahiResolveName, startAvahi } from './avahi.js';
import type { Avahi, BrowseRecord } from './avahi.js';
import { startCapture } from './capture.js';
import type { Capture, CaptureResult } from './capture.js';
import { Proc } from './proc.js';
import type { ProxyCommand, ProxyOptions } from './proxy.js';

const KEY = 0x1234abcd;
const TSR_CODE = 65002;
const CLIENT = 'dev';
const SVC = { name: 'Dev Web', type: '_http._tcp', port: 80 };
const OLD = '10.1.0.99';
const NEW = '10.1.0.77';
/** The client's owner names, as tshark shows them (lower case for comparison). */
const CLIENT_NAMES = new Set([`${CLIENT}.local`, `${SVC.name}.${SVC.type}.local`.toLowerCase()]);
/** hush's default TSR skew (draft §4, as deployed): times closer than this are the same. */
const SKEW_MS = 2000;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DRIVER = fileURLToPath(new URL('./proxy.ts', import.meta.url));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A border router: test/lab/proxy.ts in `ns`, driven on stdin. */
class Router {
  readonly proc: Proc;
  constructor(lab: Lab, ns: string, readonly addr: string, opts: ProxyOptions) {
    this.proc = new Proc(lab, ns, process.execPath, ['--no-warnings', '--loader', 'ts-node/esm', DRIVER, JSON.stringify(opts)],
      { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  }

  send(c: ProxyCommand): void {
    this.proc.child.stdin!.write(`${JSON.stringify(c)}\n`);
  }

  register(address: string): void {
    this.send({ cmd: 'proxy', hostName: CLIENT, addresses: [address], services: [SVC], checksum: KEY });
  }

  async close(): Promise<void> {
    this.send({ cmd: 'exit' });
    await this.proc.waitFor(/^closed$/, 10_000);
    await this.proc.exited;
  }
}

/** Asks `ask` every half second until `ok` holds or `ms` have passed; returns the last answer. */
async function poll<X>(ask: () => Promise<X>, ok: (x: X) => boolean, ms: number): Promise<X> {
  const end = Date.now() + ms;
  let x = await ask();
  while (!ok(x) && Date.now() < end) {
    await sleep(500);
    x = await ask();
  }
  return x;
}

type Tree = { [k: string]: Field };
type Field = string | Tree | Field[];

/** One record as tshark dissected it. */
interface Dissected { name: string; type: number; ttl: number; options: { code: number; data: Buffer }[] }
/** One mDNS packet as tshark dissected it: sender and records in wire order (answers, authorities, additionals). */
interface Packet { frame: number; src: string; records: Dissected[] }

const str = (f: Field | undefined): string => (typeof f === 'string' ? f : '');
const many = (f: Field | undefined): Field[] => (f === undefined ? [] : Array.isArray(f) ? f : [f]);

/**
 * A section's records in order, each with its owner name: tshark keys a
 * record by a summary line starting with the name (an SRV record has no
 * dns.resp.name), repeated summaries becoming an array.
 */
function section(s: Field | undefined): [string, Tree][] {
  if (s === undefined || typeof s !== 'object' || Array.isArray(s)) return [];
  return Object.entries(s).flatMap(([summary, v]) => many(v).map((t): [string, Tree] => [summary.slice(0, summary.indexOf(': type ')), t as Tree]));
}

/** Dissects the pcap file with tshark (no network involved): every mDNS packet. */
function dissect(file: string): Packet[] {
  const r = spawnSync('tshark', ['-r', file, '-T', 'json', '--no-duplicate-keys', '-Y', 'mdns'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`tshark -r ${file} failed (${r.status}): ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { _source: { layers: Tree } }[];
  return out.map(({ _source: { layers } }) => {
    const ip = (layers.ip ?? layers.ipv6) as Tree;
    const dns = layers.mdns as Tree;
    const records = ['Answers', 'Authoritative nameservers', 'Additional records'].flatMap((s) => section(dns[s])).map(([name, t]): Dissected => ({
      name: name.toLowerCase(),
      type: Number(str(many(t['dns.resp.type'])[0])),
      ttl: Number(str(t['dns.resp.ttl'])),
      options: many(t['dns.opt']).map((o) => ({
        code: Number(str((o as Tree)['dns.opt.code'])),
        data: Buffer.from(str((o as Tree)['dns.opt.data']).replace(/:/g, ''), 'hex'),
      })),
    }));
    return {
      frame: Number(str((layers.frame as Tree)['frame.number'])),
      src: str(ip['ip.src'] ?? ip['ipv6.src']),
      records,
    };
  });
}

/** draft-tllq-tsr-05 §2: RR index(2), key checksum(4), seconds(4); Apple's order: seconds, checksum, index. */
function readOption(data: Buffer, layout: TsrLayout): { index: number; checksum: number; seconds: number } {
  return layout === 'apple'
    ? { seconds: data.readUInt32BE(0), checksum: data.readUInt32BE(4), index: data.readUInt16BE(8) }
    : { index: data.readUInt16BE(0), checksum: data.readUInt32BE(2), seconds: data.readUInt32BE(6) };
}

const OPT = 41;

interface Ctx {
  lab: Lab;
  peer: Member;
  br1: Router;
  br2: Router;
  avahi: Avahi;
  capture: Capture;
  /** When br1 registered the client (ms, Date.now()). */
  registeredAt: number;
  result: CaptureResult;
  packets: Packet[];
}

function run(layout: TsrLayout): void {
  const lab = suite<Ctx>(`tsr (${layout} layout)`);
  const devWeb = (found: BrowseRecord[]): BrowseRecord[] => found.filter((r) => r.name === SVC.name && r.type === SVC.type);

  lab.before(async (ctx) => {
    ctx.lab = new Lab(`tsr-${layout}`);
    const r1 = ctx.lab.netns('r1'), r2 = ctx.lab.netns('r2'), p = ctx.lab.netns('peer');
    const [m1, m2, peer] = ctx.lab.link(1, [{ ns: r1 }, { ns: r2 }, { ns: p }]);
    ctx.peer = peer;
    // The bridge in the link's hub namespace sees every member's packets.
    ctx.capture = await startCapture(ctx.lab, `${ctx.lab.prefix}-br1`, 'br0');
    ctx.avahi = await startAvahi(ctx.lab, p, { hostName: 'avahipeer' });
    const opts = (hostName: string): ProxyOptions => (layout === 'apple' ? { hostName } : { hostName, layout });
    ctx.br1 = new Router(ctx.lab, r1, m1.v4, opts('br1'));
    ctx.br2 = new Router(ctx.lab, r2, m2.v4, opts('br2'));
    await Promise.all([ctx.br1.proc.waitFor(/^ready$/, 20_000), ctx.br2.proc.waitFor(/^ready$/, 20_000)]);
  });

  lab.after((ctx) => ctx.lab?.close());

  lab('br1 registers the client with TSR; avahi resolves dev.local and "Dev Web" to its address', async (ctx) => {
    const { br1, avahi, lab: l, peer } = ctx;
    ctx.registeredAt = Date.now();
    br1.register(OLD);
    assert.match(await br1.proc.waitFor(/^state /, 10_000), /^state probing dev$/);
    await br1.proc.waitFor(/^established /, 15_000);
    const addr = await poll(() => avahiResolveName(l, peer.ns, avahi, `${CLIENT}.local`, 4, 5000), (a) => a === OLD, 15_000);
    assert.is(addr, OLD, 'avahi-resolve -n dev.local');
    const found = devWeb(await avahiBrowse(l, peer.ns, avahi, SVC.type, { resolve: true, timeoutMs: 10_000 }));
    assert.ok(found.length > 0 && found.every((r) => r.host === `${CLIENT}.local` && r.address === OLD && r.port === SVC.port), JSON.stringify(found));
  });

  lab('draft §7: br2 registers the client with a new address and a newer time: avahi (no TSR) ends with the new data; br1 is stale', async (ctx) => {
    const { br1, br2, avahi, lab: l, peer } = ctx;
    // The times must differ by more than the skew, or they count as the same (§4).
    await sleep(Math.max(0, ctx.registeredAt + SKEW_MS + 1000 - Date.now()));
    br2.register(NEW);
    // §3.1: br2 knows br1's data (same key, older time): not stale, not a conflict.
    assert.match(await br2.proc.waitFor(/^state /, 10_000), /^state probing dev$/);
    await br1.proc.waitFor(/^stale /, 15_000);
    await br2.proc.waitFor(/^established /, 15_000);
    // §7: registrars and queriers without TSR "...are expected to ignore the option... in the normal course of processing, more recent data will win."
    const addr = await poll(() => avahiResolveName(l, peer.ns, avahi, `${CLIENT}.local`, 4, 5000), (a) => a === NEW, 15_000);
    assert.is(addr, NEW, 'avahi-resolve -n dev.local gives the new address');
    const found = await poll(async () => devWeb(await avahiBrowse(l, peer.ns, avahi, SVC.type, { resolve: true, timeoutMs: 10_000 })),
      (f) => f.length > 0 && f.every((r) => r.address === NEW), 15_000);
    assert.ok(found.length > 0 && found.every((r) => r.host === `${CLIENT}.local` && r.address === NEW && r.port === SVC.port), JSON.stringify(found));
    // TSR decides without renaming anyone (RFC 6762 §9 does not apply to these names).
    assert.not.match(br1.proc.output + br2.proc.output, /^(renamed|conflict|error) /m);
  });

  lab('draft §7: br1 sends no goodbye for the stale client, not even when it closes (its own host name gets one)', async (ctx) => {
    const { br1, br2, capture } = ctx;
    await Promise.all([br1.close(), br2.close()]);
    ctx.result = await capture.stop();
    ctx.packets = dissect(ctx.result.file);
    const fromBr1 = ctx.packets.filter((p) => p.src === br1.addr);
    const goodbyes = (p: Packet, names: (n: string) => boolean): string[] =>
      p.records.filter((r) => r.type !== OPT && r.ttl === 0 && names(r.name)).map((r) => `frame ${p.frame}: ${r.name} type ${r.type}`);
    assert.equal(fromBr1.flatMap((p) => goodbyes(p, (n) => CLIENT_NAMES.has(n))), [], 'goodbyes for the client from br1');
    assert.ok(fromBr1.some((p) => goodbyes(p, (n) => n === 'br1.local').length > 0), "br1's goodbye for its own host name is in the capture");
    // br1 did speak for the client before br2 took over.
    assert.ok(fromBr1.some((p) => p.records.some((r) => CLIENT_NAMES.has(r.name) && r.ttl > 0)), 'br1 announced the client');
  });

  lab(`tshark decodes every packet of the run, none malformed; hush's packets carry TSR options (code ${TSR_CODE}, ${layout} layout)`, (ctx) => {
    const { result, packets, br1, br2 } = ctx;
    assert.ok(result.frames.length > 20, `frames: ${result.frames.length}`);
    assert.is(result.malformedCount, 0, `malformed frames: ${JSON.stringify(result.frames.filter((f) => f.malformed))}`);
    assert.is(packets.length, result.frames.length, 'tshark read every frame as mDNS');
    // avahi learned the client only from these packets: it ignored the option, as §7 expects.
    const withClient = packets.filter((p) => (p.src === br1.addr || p.src === br2.addr) && p.records.some((r) => r.type !== OPT && CLIENT_NAMES.has(r.name)));
    for (const addr of [br1.addr, br2.addr]) assert.ok(withClient.some((p) => p.src === addr), `${addr} sent the client's records`);
    for (const p of withClient) {
      const opts = p.records.filter((r) => r.type === OPT);
      assert.is(opts.length, 1, `frame ${p.frame}: one OPT record`);
      const tsr = opts[0].options.filter((o) => o.code === TSR_CODE);
      assert.ok(tsr.every((o) => o.data.length === 10), `frame ${p.frame}: TSR options are 10 bytes`);
      const read = tsr.map((o) => readOption(o.data, layout));
      // §3.5: one option per owner name with TSR data, indexing the first record of that name.
      const names = new Set(p.records.filter((r) => r.type !== OPT && CLIENT_NAMES.has(r.name)).map((r) => r.name));
      assert.equal(read.map((o) => p.records[o.index]?.name).sort(), [...names].sort(), `frame ${p.frame}: one option per client name`);
      for (const o of read) {
        assert.is(o.checksum, KEY, `frame ${p.frame}: key checksum`);
        assert.is(p.records.findIndex((r) => r.name === p.records[o.index].name), o.index, `frame ${p.frame}: index of the first record`);
        assert.ok(o.seconds < 120, `frame ${p.frame}: ${o.seconds} s since received`);
      }
    }
  });

  lab.run();
}

run('apple');
run('draft');
