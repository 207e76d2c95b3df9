// Names the responder derives: reverse-mapping names for its addresses
// (RFC 1035 §3.5, RFC 3596 §2.5) and new names after a conflict (RFC 6762 §9,
// RFC 6763 §4.1 "Name (2)" for instances, "host-2" for host names).
import { parseV4, parseV6 } from '../wire/addr.js';

/** The address's bytes (IPv6: its nibbles in hex), last first, under in-addr.arpa or ip6.arpa. */
export function reverseName(addr: string): string | undefined {
  const v6 = addr.includes(':');
  const b = new Uint8Array(v6 ? 16 : 4);
  if (!(v6 ? parseV6 : parseV4)(addr, b, 0)) return undefined;
  const parts = v6 ? [...b].flatMap((x) => [(x >> 4).toString(16), (x & 15).toString(16)]) : [...b];
  return parts.reverse().join('.') + (v6 ? '.ip6.arpa' : '.in-addr.arpa');
}

/** The label with its number (found by `numbered`; none counts as 1) plus one, written between `before` and `after`. */
function renumber(label: string, numbered: RegExp, before: string, after = ''): string {
  const [, base, n] = numbered.exec(label) ?? ['', label, '1'];
  return `${base}${before}${Number(n) + 1}${after}`;
}

/** 'Name' -> 'Name (2)' -> 'Name (3)'. */
export function nextInstanceName(label: string): string {
  return renumber(label, /^(.*) \((\d+)\)$/, ' (', ')');
}

/** 'host' -> 'host-2' -> 'host-3'. */
export function nextHostLabel(label: string): string {
  return renumber(label, /^(.*)-(\d+)$/, '-');
}
