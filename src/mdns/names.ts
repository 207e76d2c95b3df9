// Names the responder derives: reverse-mapping names for its addresses
// (RFC 1035 §3.5, RFC 3596 §2.5) and new names after a conflict (RFC 6762 §9,
// RFC 6763 §4.1 "Name (2)" for instances, "host-2" for host names).
import { parseV4, parseV6 } from '../wire/addr.js';

export function reverseName(addr: string): string | undefined {
  if (addr.indexOf(':') < 0) {
    const b = new Uint8Array(4);
    return parseV4(addr, b, 0) ? `${b[3]}.${b[2]}.${b[1]}.${b[0]}.in-addr.arpa` : undefined;
  }
  const b = new Uint8Array(16);
  if (!parseV6(addr, b, 0)) return undefined;
  let s = '';
  for (let i = 15; i >= 0; i--) s += (b[i] & 15).toString(16) + '.' + (b[i] >> 4).toString(16) + '.';
  return s + 'ip6.arpa';
}

/** 'Name' -> 'Name (2)' -> 'Name (3)'. */
export function nextInstanceName(label: string): string {
  const m = /^(.*) \((\d+)\)$/.exec(label);
  return m ? `${m[1]} (${Number(m[2]) + 1})` : `${label} (2)`;
}

/** 'host' -> 'host-2' -> 'host-3'. */
export function nextHostLabel(label: string): string {
  const m = /^(.*)-(\d+)$/.exec(label);
  return m ? `${m[1]}-${Number(m[2]) + 1}` : `${label}-2`;
}
