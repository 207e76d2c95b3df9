// avahi-daemon measured in the lab, as the peer hush is compared with:
//  - legacy unicast throughput: the highest query rate answered ≥ 99%, and
//    avahi's CPU time per answered query (from /proc/PID/stat);
//  - publishing cost: frames and bytes on the link to publish N services,
//    during an idle window, and at shutdown (SIGTERM: goodbyes).
// Everything runs in namespaces of its own Lab. Run directly to print tables:
//   node --no-warnings --loader ts-node/esm bench/lab/avahi.ts [--seconds 10] [--idle 30] [--services 1,10,100]
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Lab } from '../../test/lab/netns.js';
import { startAvahi, startCapture } from '../../test/lab/peers.js';
import type { Frame, ServiceSpec } from '../../test/lab/peers.js';
import { legacyThroughput } from './legacy-load.js';
import type { Throughput } from './legacy-load.js';
import type { Bench } from '../run.js';

/**
 * avahi in namespace A (Debian's rate limit off unless asked) publishes its
 * host name; the generator in B steps up the rate of legacy A queries.
 */
export async function avahiLegacyThroughput(o: { seconds?: number; rates?: number[]; ratelimit?: boolean } = {}): Promise<Throughput & { ratelimit: boolean }> {
  const ratelimit = o.ratelimit ?? false;
  const lab = new Lab('bench-avahi-qps');
  try {
    const [a, b] = lab.link(1, [{ ns: lab.netns('a') }, { ns: lab.netns('b') }]);
    const avahi = await startAvahi(lab, a.ns, { hostName: 'bench-host', ratelimit });
    const t = await legacyThroughput(lab, { ns: b.ns, target: a.v4, name: 'bench-host.local', type: 'A', expect: a.v4, pid: avahi.pid }, o);
    return { ...t, ratelimit };
  } finally {
    lab.close();
  }
}

export interface Traffic { frames: number; bytes: number }
export interface PhaseCost { v4: Traffic; v6: Traffic }
export interface PublishCost {
  services: number;
  /** From daemon start until every service is established, plus `settle_s` for the announcements that follow. */
  publish: PhaseCost;
  idle: PhaseCost;
  shutdown: PhaseCost;
  settle_s: number;
  idle_s: number;
  /** Seconds from daemon start to the last "successfully established". */
  established_s: number;
}

/** The services bench/wire.ts publishes with hush. */
export const benchServices = (n: number): ServiceSpec[] =>
  Array.from({ length: n }, (_, i) => ({ name: `Service ${i}`, type: '_http._tcp', port: 8000 + i, txt: [`path=/s${i}`, 'v=1'] }));

/** Frames and DNS-message bytes per address family. */
function cost(frames: Frame[]): PhaseCost {
  const of = (family: 4 | 6): Traffic => {
    const fs = frames.filter((f) => f.family === family);
    return { frames: fs.length, bytes: fs.reduce((n, f) => n + f.payload, 0) };
  };
  return { v4: of(4), v6: of(6) };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * avahi in a namespace of its own publishes `n` services (host name
 * 'bench-host', IPv4 and IPv6) with nobody else on the link; a capture on
 * the link counts what it sends while publishing, while idle for `idleSeconds`
 * (no queries), and at shutdown.
 */
export async function avahiPublishCost(n: number, o: { idleSeconds?: number; settleSeconds?: number } = {}): Promise<PublishCost> {
  const idle_s = o.idleSeconds ?? 30, settle_s = o.settleSeconds ?? 5;
  const lab = new Lab('bench-avahi-pub');
  try {
    const [a] = lab.link(1, [{ ns: lab.netns('a') }]);
    const capture = await startCapture(lab, `${lab.prefix}-br1`, 'br0');
    const t0 = Date.now();
    const avahi = await startAvahi(lab, a.ns, { hostName: 'bench-host', services: benchServices(n) });
    await avahi.waitLog(/^Service ".*" \(.*\) successfully established\.$/, 30_000 + 500 * n, n);
    const established = Date.now();
    await sleep(settle_s * 1000);
    const t1 = Date.now();
    await sleep(idle_s * 1000);
    const t2 = Date.now();
    await avahi.stop();
    await sleep(1000);
    const { frames } = await capture.stop();
    return {
      services: n,
      publish: cost(frames.filter((f) => f.t >= t0 && f.t < t1)),
      idle: cost(frames.filter((f) => f.t >= t1 && f.t < t2)),
      shutdown: cost(frames.filter((f) => f.t >= t2)),
      settle_s, idle_s, established_s: (established - t0) / 1000,
    };
  } finally {
    lab.close();
  }
}

const fmt = (x: number, digits = 0): string => (Number.isFinite(x) ? x.toFixed(digits) : '-');

/** Both measurements as a `make bench` entry: tables and JSON (bench/results/avahi.json). */
export async function avahi(o: { seconds?: number; idleSeconds?: number; services?: number[] } = {}): Promise<Bench> {
  const t = await avahiLegacyThroughput({ seconds: o.seconds });
  const rows = [['avahi legacy rate/s', 'sent/s', 'answered %', 'p50 ms', 'p99 ms', 'avahi CPU µs/query']];
  for (const s of t.steps) rows.push([String(s.rate), String(s.sent_per_s), fmt(s.answered_ratio * 100, 2), fmt(s.p50_ms, 2), fmt(s.p99_ms, 2), fmt(s.cpu_us_per_query, 1)]);
  rows.push([`max ≥99%: ${t.qps}`, '', '', '', '', fmt(t.cpu_us_per_query, 1)]);
  rows.push(['services', 'phase', 'v4 frames', 'v4 bytes', 'v6 frames', 'v6 bytes']);
  const publish: PublishCost[] = [];
  for (const n of o.services ?? [1, 10, 100]) {
    const p = await avahiPublishCost(n, { idleSeconds: o.idleSeconds });
    publish.push(p);
    for (const phase of ['publish', 'idle', 'shutdown'] as const) {
      const c = p[phase];
      rows.push([String(n), phase === 'idle' ? `idle ${p.idle_s} s` : phase, String(c.v4.frames), String(c.v4.bytes), String(c.v6.frames), String(c.v6.bytes)]);
    }
  }
  return { rows, json: { legacy: t, publish }, ok: t.qps > 0 && publish.every((p) => p.publish.v4.frames > 0) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values: v } = parseArgs({ options: { seconds: { type: 'string' }, idle: { type: 'string' }, services: { type: 'string' } } });
  const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));
  const r = await avahi({ seconds: num(v.seconds), idleSeconds: num(v.idle), services: v.services?.split(',').map(Number) });
  console.log(r.rows.map((row) => row.join('\t')).join('\n'));
  console.log(JSON.stringify(r.json, null, 2));
}
