// Address text <-> bytes for A and AAAA rdata. IPv6 text follows RFC 5952
// (lowercase, no leading zeros, the longest run of two or more zero groups as
// '::', the first one on a tie).
export function formatV4(b: Uint8Array, p: number): string {
  return b[p] + '.' + b[p + 1] + '.' + b[p + 2] + '.' + b[p + 3];
}

export function parseV4(s: string, out: Uint8Array, p: number): boolean {
  let part = 0, n = 0, digits = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || n > 255 || part > 3) return false;
      out[p + part++] = n;
      n = 0; digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      n = n * 10 + c - 48; digits++;
    } else return false;
  }
  return part === 4;
}

export function formatV6(b: Uint8Array, p: number): string {
  let bestAt = -1, bestLen = 1, runAt = -1;
  for (let g = 0; g <= 8; g++) {
    const zero = g < 8 && b[p + 2 * g] === 0 && b[p + 2 * g + 1] === 0;
    if (zero) { if (runAt < 0) runAt = g; continue; }
    if (runAt >= 0 && g - runAt > bestLen) { bestAt = runAt; bestLen = g - runAt; }
    runAt = -1;
  }
  let s = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestAt) { s += '::'; g += bestLen - 1; continue; }
    if (s !== '' && !s.endsWith(':')) s += ':';
    s += ((b[p + 2 * g] << 8) | b[p + 2 * g + 1]).toString(16);
  }
  return s;
}

function hex(c: number): number {
  return c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
}

/** RFC 4291 §2.2 text forms: hex groups, one '::', an IPv4 tail. */
export function parseV6(s: string, out: Uint8Array, p: number): boolean {
  const len = s.length;
  let n = 0, gap = -1, i = 0;
  if (s.charCodeAt(0) === 58 && s.charCodeAt(1) === 58) { gap = 0; i = 2; }
  while (i < len) {
    if (n === 8) return false;
    let v = 0, d = 0, j = i;
    for (let h; j < len && d < 5 && (h = hex(s.charCodeAt(j))) >= 0; j++, d++) v = v * 16 + h;
    if (s.charCodeAt(j) === 46) {
      if (n > 6 || !parseV4(s.slice(i), out, p + 2 * n)) return false;
      n += 2;
      break;
    }
    if (d === 0 || d > 4) return false;
    out[p + 2 * n] = v >> 8;
    out[p + 2 * n + 1] = v & 255;
    n++;
    i = j;
    if (i === len) break;
    if (s.charCodeAt(i++) !== 58 || i === len) return false;
    if (s.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i++;
    }
  }
  if (gap < 0) return n === 8;
  if (n > 7) return false;
  const tail = n - gap;
  out.copyWithin(p + 16 - 2 * tail, p + 2 * gap, p + 2 * n);
  out.fill(0, p + 2 * gap, p + 16 - 2 * tail);
  return true;
}
