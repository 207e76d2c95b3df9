// A million hostile decodes (issue 2, "Robustness"): mutated valid packets,
// random bytes and pointer-chain packets, seeded. Counts the outcomes (any
// exception other than DecodeError fails the bench), and reports the mean and
// the slowest single decode, re-measured so a GC pause is not mistaken for it.
import { decode, encode, DecodeError } from '../src/wire/index.js';
import { Rng, hex, message, mutate, noise, pointerChain } from '../test/wire/gen.js';
import type { Bench } from './run.js';

const SEED = 0x2f1e55;
const CASES = 1_000_000;
const KEEP = 200;
const REPEAT = 20;
const CHAIN_SIZES = [1000, 2000, 4500, 9000];

/** A timed decode; `case` is its index in the run. */
interface Slow { us: number; packet: Uint8Array; case: number }

/** Outcome of one decode: 0 a Message, 1 a DecodeError within contract, 2 anything else. */
function outcome(p: Uint8Array): 0 | 1 | 2 {
  try {
    decode(p);
    return 0;
  } catch (e) {
    const fine = e instanceof DecodeError && Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= p.length && e.reason !== '';
    return fine ? 1 : 2;
  }
}

/** Best of `n` timed decodes of `p`, in microseconds. */
function best(p: Uint8Array, n: number): number {
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    outcome(p);
    min = Math.min(min, performance.now() - t0);
  }
  return min * 1000;
}

export function fuzz(): Bench {
  const rng = new Rng(SEED);
  const pool: Uint8Array[] = [];
  for (let i = 0; i < 500; i++) pool.push(encode(message(new Rng(SEED + i))));
  const chains = CHAIN_SIZES.map(pointerChain);

  const counts = [0, 0, 0];
  const SOURCES = ['mutated', 'random', 'pointer chain'];
  const bySource = SOURCES.map(() => ({ n: 0, us: 0 }));
  const others: { case: number; hex: string; error: string }[] = [];
  const slow: Slow[] = [];
  let total = 0;
  let bytes = 0;
  const started = performance.now();
  for (let i = 0; i < CASES; i++) {
    const roll = rng.int(100);
    const source = roll < 70 ? 0 : roll < 99 ? 1 : 2;
    const p = source === 0 ? mutate(rng, rng.pick(pool), rng.pick(pool)) : source === 1 ? noise(rng) : rng.pick(chains);
    const t0 = performance.now();
    const o = outcome(p);
    const us = (performance.now() - t0) * 1000;
    counts[o]++;
    total += us;
    bySource[source].n++;
    bySource[source].us += us;
    bytes += p.length;
    if (o === 2 && others.length < 10) {
      let error = '';
      try { decode(p); } catch (e) { error = String(e); }
      others.push({ case: i, hex: hex(p), error });
    }
    if (source !== 2 && (slow.length < KEEP || us > slow[slow.length - 1].us)) {
      slow.push({ us, packet: p, case: i });
      slow.sort((a, b) => b.us - a.us);
      slow.length = Math.min(slow.length, KEEP);
    }
  }
  const seconds = (performance.now() - started) / 1000;

  // Chains are timed apart (their sizes are fixed); the slow list holds the fuzzed inputs.
  const observed = slow[0];
  const fuzzed = slow.map((s) => ({ ...s, us: best(s.packet, REPEAT) })).sort((a, b) => b.us - a.us)[0];
  const chainUs = chains.map((p) => best(p, REPEAT));
  const longest = chains.length - 1;
  const slowest = chainUs[longest] > fuzzed.us ? { us: chainUs[longest], packet: chains[longest], case: -1 } : fuzzed;
  const mean = total / CASES;
  const ok = counts[2] === 0;

  const short = (p: Uint8Array) => (p.length > 24 ? hex(p.subarray(0, 24)) + '…' : hex(p));
  const rows = [
    ['measure', 'value'],
    ['decodes', CASES.toLocaleString('en')],
    ['message', counts[0].toLocaleString('en')],
    ['DecodeError', counts[1].toLocaleString('en')],
    ['other exception', String(counts[2])],
    ['mean decode', `${mean.toFixed(2)} µs (mean size ${(bytes / CASES).toFixed(0)} B)`],
    ...SOURCES.map((name, i) => [`  of ${bySource[i].n.toLocaleString('en')} ${name}`, `${(bySource[i].us / bySource[i].n).toFixed(2)} µs`]),
    [`slowest decode (best of ${REPEAT})`, `${slowest.us.toFixed(1)} µs, ${slowest.packet.length} B, ${short(slowest.packet)}`],
    [`slowest fuzzed (best of ${REPEAT})`, `${fuzzed.us.toFixed(1)} µs, ${fuzzed.packet.length} B, case ${fuzzed.case}, ${short(fuzzed.packet)}`],
    ['slowest fuzzed, once', `${observed.us.toFixed(1)} µs, ${observed.packet.length} B (may include a GC pause)`],
    ...chains.map((p, i) => [`pointer chain ${p.length} B`, `${chainUs[i].toFixed(1)} µs (best of ${REPEAT})`]),
    ['chain time ratio 9000/1000 B', `${(chainUs[longest] / chainUs[0]).toFixed(1)} (linear ≈ ${(chains[longest].length / chains[0].length).toFixed(1)})`],
    ['wall time', `${seconds.toFixed(1)} s`],
  ];
  for (const o of others) rows.push([`OTHER case ${o.case}`, `${o.error} ${o.hex}`]);
  return {
    rows,
    ok,
    json: {
      seed: SEED, decodes: CASES, ok: counts[0], decode_error: counts[1], other: counts[2], others,
      mean_us: mean, mean_bytes: bytes / CASES,
      mean_us_by_source: Object.fromEntries(SOURCES.map((name, i) => [name, { decodes: bySource[i].n, mean_us: bySource[i].us / bySource[i].n }])),
      slowest: { us: slowest.us, bytes: slowest.packet.length, hex: hex(slowest.packet) },
      slowest_fuzzed: { us: fuzzed.us, bytes: fuzzed.packet.length, case: fuzzed.case, hex: hex(fuzzed.packet) },
      slowest_fuzzed_once: { us: observed.us, bytes: observed.packet.length, case: observed.case, hex: hex(observed.packet) },
      pointer_chain: CHAIN_SIZES.map((_, i) => ({ bytes: chains[i].length, us: chainUs[i] })),
      seconds,
    },
  };
}
