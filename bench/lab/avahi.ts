// avahi-daemon measured in the lab, as the peer hush is compared with:
//  - legacy unicast throughput: the highest query rate answered ≥ 99%, and
//    avahi's CPU time per answered query (from /proc/PID/stat);
//  - publishing cost: frames and bytes on the link to publish N services,
//    during an idle window, and at shutdown (SIGTERM: goodbyes).
// Everything runs in namespaces of its own Lab; bench/wire.ts and
// bench/responder.ts put the figures beside hush's.
import { Lab } from '../../test/lab/netns.js';
import { startAvahi, startCapture } from '../../test/lab/peers.js';
import type { Frame, ServiceSpec } from '../../test/lab/peers.js';
import { legacyThroughput } from './legacy-load.js';
import type { Throughput } from './legacy-load.js';

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
