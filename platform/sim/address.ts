// Address text for the simulator, on top of the codec's A/AAAA text helpers:
// parse, canonical form, prefix match, scope tests.
import { formatV4, formatV6, parseV4, parseV6 } from '../../src/wire/addr.js';

/** An address with its on-link prefix, as an interface holds it. */
export interface Address {
  family: 4 | 6;
  /** Canonical text: dotted quad, or RFC 5952 IPv6. */
  addr: string;
  bytes: Uint8Array;
  prefix: number;
}

/** 4 or 16 bytes, or undefined when `text` is not an address (a '%zone' suffix is not accepted here). */
export function parseIp(text: string): Uint8Array | undefined {
  const v6 = text.includes(':');
  const out = new Uint8Array(v6 ? 16 : 4);
  return (v6 ? parseV6(text, out, 0) : parseV4(text, out, 0)) ? out : undefined;
}

export const formatIp = (b: Uint8Array): string => (b.length === 4 ? formatV4(b, 0) : formatV6(b, 0));

/** 'addr/prefix'; without a prefix, /24 for IPv4 and /64 for IPv6. Throws on bad text. */
export function parseCidr(text: string, family: 4 | 6): Address {
  const [addr, len] = text.split('/');
  const bytes = parseIp(addr);
  const bits = family === 4 ? 32 : 128;
  const prefix = len === undefined ? (family === 4 ? 24 : 64) : Number(len);
  if (!bytes || bytes.length * 8 !== bits || !Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
    throw new Error(`sim: bad IPv${family} address '${text}'`);
  }
  return { family, addr: formatIp(bytes), bytes, prefix };
}

/** True when the first `prefix` bits of `a` and `b` agree (and both are the same family). */
export function samePrefix(a: Uint8Array, b: Uint8Array, prefix: number): boolean {
  if (a.length !== b.length) return false;
  for (let bit = 0; bit < prefix; bit += 8) {
    const mask = (0xff00 >> Math.min(8, prefix - bit)) & 0xff;
    if ((a[bit >> 3] ^ b[bit >> 3]) & mask) return false;
  }
  return true;
}

/** 224.0.0.0/4 (RFC 5771) or ff00::/8 (RFC 4291 §2.7). */
export const isMulticast = (b: Uint8Array): boolean => (b.length === 4 ? (b[0] & 0xf0) === 0xe0 : b[0] === 0xff);

/** fe80::/10 (RFC 4291 §2.5.6). */
export const isLinkLocal6 = (b: Uint8Array): boolean => b.length === 16 && b[0] === 0xfe && (b[1] & 0xc0) === 0x80;
