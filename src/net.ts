// Address arithmetic shared by the engine (RFC 6762 §11 on-link checks) and
// the platform backends: parse, format, prefix match, scope tests.
import type { NetInterface } from './platform.js';
import { formatV4, formatV6, parseV4, parseV6 } from './wire/addr.js';

/** 4 or 16 bytes, or undefined when `text` is not an address (a '%zone' suffix is not accepted here). */
export function parseIp(text: string): Uint8Array | undefined {
  const v6 = text.includes(':');
  const out = new Uint8Array(v6 ? 16 : 4);
  return (v6 ? parseV6 : parseV4)(text, out, 0) ? out : undefined;
}

export const formatIp = (b: Uint8Array): string => (b.length === 4 ? formatV4(b, 0) : formatV6(b, 0));

/** The canonical text of an address (so '2001:DB8::1' and '2001:db8::1' compare equal), or undefined when `text` is not one. */
export function canonicalIp(text: string): string | undefined {
  const b = parseIp(text);
  return b && formatIp(b);
}

/** True when the first `prefix` bits of `a` and `b` agree (and both are the same family). */
export function samePrefix(a: Uint8Array, b: Uint8Array, prefix: number): boolean {
  if (a.length !== b.length) return false;
  // Byte i holds bits 8i to 8i + 7; the mask keeps those of them inside the prefix.
  for (let i = 0; i * 8 < prefix; i++) if ((a[i] ^ b[i]) & (0xff00 >> Math.min(8, prefix - i * 8))) return false;
  return true;
}

/** 224.0.0.0/4 (RFC 5771) or ff00::/8 (RFC 4291 §2.7). */
export const isMulticast = (b: Uint8Array): boolean => (b.length === 4 ? (b[0] & 0xf0) === 0xe0 : b[0] === 0xff);

/** fe80::/10 (RFC 4291 §2.5.6). */
export const isLinkLocal6 = (b: Uint8Array): boolean => b.length === 16 && b[0] === 0xfe && (b[1] & 0xc0) === 0x80;

/** 169.254.0.0/16 (RFC 3927). */
export const isLinkLocal4 = (b: Uint8Array): boolean => b.length === 4 && b[0] === 169 && b[1] === 254;

/** RFC 6762 §11: a source is on the link when it is link-local or inside one of the interface's prefixes. */
export function onLink(iface: NetInterface, src: string): boolean {
  const b = parseIp(src);
  return !!b && (isLinkLocal6(b) || isLinkLocal4(b) || iface.addrs.some((a) => {
    const x = parseIp(a.addr);
    return !!x && samePrefix(x, b, a.prefix);
  }));
}
