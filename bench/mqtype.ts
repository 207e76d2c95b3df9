// MQTYPE on the sim (issue 4): virtual time and packets to get A+AAAA for a
// name over a link with a 10 ms one-way delay, asked in one MQTYPE query
// versus two separate queries (sent at once, or one after the other as a
// stub that serialises them does), and against a server that ignores the
// option (the fallback path); plus host CPU per lookup.
import { performance } from 'node:perf_hooks';
import { T } from '../src/wire/index.js';
import { Resolver } from '../src/resolver/index.js';
import type { ResolverOptions, Result } from '../src/resolver/index.js';
import { ADDR, lab, rr } from '../test/resolver/server.js';
import type { Mode } from '../test/resolver/server.js';
import type { Bench } from './run.js';

const DELAY = 10;
const LOOKUPS = 2000;
const HOST = 'www.example';

interface Row { name: string; ms: number; packets: number; bytes: number; ok: boolean; cpu_us: number }

function scenario(name: string, mode: Mode, ropts: Partial<ResolverOptions>, sequential: boolean): Row {
  const l = lab({ mode, records: [rr(HOST, T.A, '192.0.2.1'), rr(HOST, T.AAAA, '2001:db8::1')] }, DELAY);
  // No cache, so every lookup goes to the server.
  const r = new Resolver(l.client.platform, { servers: [{ addr: ADDR.server }], cache: { max: 0 }, ...ropts });
  /** Resolves HOST, calling `done` when both types are in. */
  const get = (done: (rs: Result[]) => void): void => {
    if (!sequential) return r.lookup(HOST, [T.A, T.AAAA], done);
    r.lookup(HOST, [T.A], (a) => r.lookup(HOST, [T.AAAA], (b) => done([...a, ...b])));
  };
  // The first lookup, measured in virtual time and packets on the link.
  let first: { at: number; rs: Result[] } | undefined;
  const t0 = l.sim.now;
  get((rs) => { first = { at: l.sim.now, rs }; });
  l.sim.run(5000);
  const packets = l.sim.capture.length;
  const bytes = l.sim.capture.reduce((n, c) => n + c.data.length, 0);
  const ok = first !== undefined && first.rs.every((x) => x.status === 'ok');
  // Host CPU for a whole exchange on the sim (client, link, test server), lookups one after another.
  const start = performance.now();
  for (let i = 1; i < LOOKUPS; i++) {
    get(() => {});
    l.sim.run(100);
  }
  const cpu_us = ((performance.now() - start) * 1000) / (LOOKUPS - 1);
  return { name, ms: first ? first.at - t0 : NaN, packets, bytes, ok, cpu_us };
}

const scenarios = (): Row[] => [
  scenario('MQTYPE (server supports it)', 'mqtype', {}, false),
  scenario('MQTYPE, server ignores it (first ask, fallback)', 'ignore', {}, false),
  scenario('two queries at once (MQTYPE off)', 'mqtype', { mqtype: false }, false),
  scenario('two queries one after the other', 'mqtype', { mqtype: false }, true),
];

export function mqtype(): Bench {
  scenarios(); // JIT warm-up, so the CPU column does not favour the later rows
  const rows = scenarios();
  const [mq, , parallel, serial] = rows;
  const table = [['A+AAAA lookup, 10 ms link delay', 'virtual ms', 'packets', 'bytes', 'sim CPU µs/lookup']];
  for (const x of rows) table.push([x.name, x.ms.toFixed(0), String(x.packets), String(x.bytes), x.cpu_us.toFixed(1)]);
  const good = rows.every((x) => x.ok) && mq.ms === 2 * DELAY && mq.packets === 2 && serial.ms === 4 * DELAY && parallel.packets === 4;
  return {
    rows: table,
    json: { delay_ms: DELAY, lookups_for_cpu: LOOKUPS, scenarios: rows, packets_ratio_vs_separate: mq.packets / parallel.packets, time_ratio_vs_serial: mq.ms / serial.ms },
    ok: good,
  };
}
