// The Internet checksum (RFC 1071): the ones' complement of the ones'
// complement sum of 16-bit words, an odd last byte padded with zero.

/** Adds bytes [start, end) to a running sum (not yet folded). */
export function sum(bytes: Uint8Array, start: number, end: number, running = 0): number {
  let s = running;
  for (let i = start; i + 1 < end; i += 2) s += (bytes[i] << 8) | bytes[i + 1];
  if ((end - start) & 1) s += bytes[end - 1] << 8;
  return s;
}

/** Folds a running sum to 16 bits and complements it: 0 when a received header or datagram checks out. */
export function finish(running: number): number {
  let s = running;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}
