// Quietness on the wire (issue 3): packets and bytes a host spends to publish
// N services until established, during one idle virtual hour with no
// queries, and at shutdown, on one simulated IPv4 link, beside the RFC 6762
// minimum: 3 probe rounds (§8.1), 2 announcement rounds (§8.3), nothing when
// idle, one goodbye round (§10.1), each round in as few full packets as its
// bytes need.
import { Sim } from '../platform/sim/index.js';
import { createResponder } from '../src/mdns/responder.js';
import { decode, MTU_BUDGET } from '../src/wire/index.js';
import { avahiPublishCost } from './lab/avahi.js';
import type { Bench } from './run.js';

interface Phase { packets: number; bytes: number; minimum: number }

function phase(packets: Uint8Array[], rounds: number): Phase {
  const bytes = packets.reduce((n, p) => n + p.length, 0);
  // Each round repeats the same content; the fewest packets a round can take is its bytes over the budget.
  const perRound = bytes / Math.max(1, rounds);
  return { packets: packets.length, bytes, minimum: packets.length ? rounds * Math.ceil(perRound / MTU_BUDGET) : 0 };
}

function run(n: number): { publish: Phase; probes: Phase; announcements: Phase; idle: Phase; shutdown: Phase } {
  const sim = new Sim({ seed: 42 });
  const lan = sim.link('lan');
  const host = sim.host('h', [{ name: 'eth0', link: lan, v4: '192.168.7.2/24' }]);
  const r = createResponder(host.platform, { hostName: 'bench-host' });
  let established = 0;
  for (let i = 0; i < n; i++) {
    r.publish({ name: `Service ${i}`, type: '_http._tcp', port: 8000 + i, txt: { path: `/s${i}`, v: '1' } }).on('established', () => established++);
  }
  let t = 0;
  while (established < n && t < 60_000) { sim.run(100); t += 100; }
  // Announcements go on for a second after probing ends.
  sim.run(2000);
  const published = sim.capture.map((c) => c.data);
  const probes = published.filter((d) => !decode(d).qr);
  const announcements = published.filter((d) => decode(d).qr);
  sim.capture.length = 0;
  sim.run(3_600_000);
  const idle = sim.capture.map((c) => c.data);
  sim.capture.length = 0;
  void r.close();
  sim.run(1000);
  const shutdown = sim.capture.map((c) => c.data);
  const p = phase(probes, 3), a = phase(announcements, 2);
  return {
    publish: { packets: p.packets + a.packets, bytes: p.bytes + a.bytes, minimum: p.minimum + a.minimum },
    probes: p, announcements: a,
    idle: { packets: idle.length, bytes: idle.reduce((x, d) => x + d.length, 0), minimum: 0 },
    shutdown: phase(shutdown, 1),
  };
}

/** hush on the sim, then avahi-daemon publishing the same services in the lab, counted with tshark (IPv4 frames). */
export async function wire(): Promise<Bench> {
  const rows = [['who', 'services', 'phase', 'packets', 'bytes', 'RFC minimum packets']];
  const json: Record<string, unknown> = { link: 'one IPv4 link, MTU budget ' + MTU_BUDGET, hush_idle_seconds: 3600 };
  let ok = true;
  for (const n of [1, 10, 100]) {
    const r = run(n);
    json[`hush_n${n}`] = r;
    for (const [name, ph] of Object.entries(r)) rows.push(['hush (sim)', String(n), name, String(ph.packets), String(ph.bytes), String(ph.minimum)]);
    // Quiet means nothing at all while idle.
    if (r.idle.packets !== 0) ok = false;
  }
  for (const n of [1, 10, 100]) {
    const a = await avahiPublishCost(n);
    json[`avahi_n${n}`] = a;
    for (const phase of ['publish', 'idle', 'shutdown'] as const) {
      const label = phase === 'idle' ? `idle (${a.idle_s} s)` : phase;
      rows.push(['avahi (lab, IPv4)', String(n), label, String(a[phase].v4.frames), String(a[phase].v4.bytes), '']);
    }
  }
  return { rows, json, ok };
}
