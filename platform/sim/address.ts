// Address text for the simulator, on top of the codec's A/AAAA text helpers:
// parse, canonical form, prefix match, scope tests.
import { formatIp, parseIp } from '../../src/net.js';

export { formatIp, isLinkLocal6, isMulticast, parseIp, samePrefix } from '../../src/net.js';

/** An address with its on-link prefix, as an interface holds it. */
export interface Address {
  family: 4 | 6;
  /** Canonical text: dotted quad, or RFC 5952 IPv6. */
  addr: string;
  bytes: Uint8Array;
  prefix: number;
}

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
