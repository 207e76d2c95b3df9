// Cache operations at 10,000 records (issue 4): insert, lookup, and expiry
// of all of them through the single expiry timer, on the sim's virtual clock
// (so only the cache's own work is timed). Results go to bench/results/cache.json.
import { Clock } from '../platform/sim/index.js';
import type { Platform } from '../src/platform.js';
import { Cache } from '../src/mdns/cache.js';
import { T } from '../src/wire/index.js';
import type { Rec } from '../src/wire/index.js';
import type { Bench } from './run.js';

const N = 10_000;
const ROUNDS = 5;

function records(): Rec[] {
  const out: Rec[] = [];
  for (let i = 0; i < N; i++) {
    out.push({ name: `Host-${i}.local`, type: T.A, class: 1, flush: true, ttl: 60 + (i % 600), data: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` });
  }
  return out;
}

function once(recs: Rec[]): { insert: number; lookup: number; expire: number; ok: boolean } {
  const clock = new Clock();
  const p = { now: () => clock.now, timer: (ms: number, fn: () => void) => clock.at(clock.now + ms, fn) } as unknown as Platform;
  const cache = new Cache(p, { max: N });
  let t = performance.now();
  for (const r of recs) cache.put('eth0/4', r);
  const insert = performance.now() - t;
  t = performance.now();
  let found = 0;
  for (const r of recs) found += cache.get(r.name, T.A, 'eth0/4').length;
  const lookup = performance.now() - t;
  t = performance.now();
  clock.runUntil(700_000);
  const expire = performance.now() - t;
  return { insert, lookup, expire, ok: found === N && cache.size === 0 };
}

export function cache(): Bench {
  const recs = records();
  const runs = Array.from({ length: ROUNDS }, () => once(recs));
  const best = (k: 'insert' | 'lookup' | 'expire'): number => Math.min(...runs.map((r) => r[k]));
  const ops = (ms: number): number => Math.round(N / (ms / 1000));
  const rows = [['operation (10,000 records)', 'ops/s', 'ms (best of 5)']];
  const json: Record<string, unknown> = { records: N, rounds: ROUNDS };
  for (const k of ['insert', 'lookup', 'expire'] as const) {
    rows.push([k, String(ops(best(k))), best(k).toFixed(2)]);
    json[`${k}_ops_per_s`] = ops(best(k));
    json[`${k}_ms`] = best(k);
  }
  return { rows, json, ok: runs.every((r) => r.ok) };
}
