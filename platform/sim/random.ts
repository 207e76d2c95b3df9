// Seeded randomness for the simulator. Every stream is a function of the sim
// seed and a name ('host:a', 'link:lan'), so adding a host or a link never
// shifts the numbers another one draws, and one seed replays one run.

/** Scrambles 32 bits so that nearby inputs give unrelated outputs (xor-shift-multiply rounds). */
function scramble(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** FNV-1a over the UTF-16 code units of `s`, started from `h`. */
function hashText(s: string, h: number): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * A generator of uniform numbers in [0, 1) for `name` under `seed`: a counter
 * stepping by the 32-bit golden ratio, scrambled (period 2^32).
 */
export function stream(seed: number, name: string): () => number {
  let state = scramble(hashText(name, scramble(seed >>> 0) ^ 0x811c9dc5));
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    return scramble(state) / 4294967296;
  };
}
