// `make bench`: runs every benchmark in turn, prints its table and writes
// bench/results/<name>.json. Name benchmarks as arguments to run only those.
import { mkdirSync, writeFileSync } from 'node:fs';
import { codec } from './codec.js';
import { fuzz } from './fuzz.js';
import { wire } from './wire.js';
import { responder } from './responder.js';
import { mqtype } from './mqtype.js';
import { cache } from './cache.js';
import { tsr } from './tsr.js';
import { device } from './device.js';
import { native } from './native.js';

export interface Bench {
  /** Table rows, the first one the header; all-number columns are right-aligned. */
  rows: string[][];
  json: Record<string, unknown>;
  /** False fails `make bench`. */
  ok: boolean;
}

/** Lab benches need root and Debian's peers (`make bench` installs them); they run in namespaces of their own. */
const BENCHES: [string, () => Bench | Promise<Bench>][] = [
  ['codec', codec],
  ['fuzz', fuzz],
  ['wire', wire],
  ['responder', responder],
  ['mqtype', mqtype],
  ['cache', cache],
  ['tsr', tsr],
  ['device', device],
  ['native', native],
];

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const right = widths.map((_, i) => i > 0 && rows.slice(1).every((r) => /^[\d,.]*$/.test(r[i] ?? '')));
  return rows.map((r) => r.map((cell, i) => (right[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

const only = process.argv.slice(2);
const dir = new URL('./results/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const [name, run] of BENCHES) {
  if (only.length > 0 && !only.includes(name)) continue;
  const result = await run();
  console.log(`\n== ${name}${result.ok ? '' : '  FAILED'}\n${table(result.rows)}`);
  writeFileSync(new URL(`${name}.json`, dir), JSON.stringify(result.json, null, 2) + '\n');
  if (!result.ok) process.exitCode = 1;
}
