// Address text <-> bytes for A and AAAA rdata. IPv6 text follows RFC 5952
// (lowercase, no leading zeros, the longest run of two or more zero groups as
// '::', the first one on a tie).
export function formatV4(b: Uint8Array, p: number): string {
  return b[p] + '.' + b[p + 1] + '.' + b[p + 2] + '.' + b[p + 3];
}

/** Four decimal parts of one to three digits, each at most 255. */
const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseV4(s: string, out: Uint8Array, p: number): boolean {
  const parts = V4.exec(s);
  if (!parts) return false;
  for (let i = 0; i < 4; i++) {
    const n = +parts[i + 1];
    if (n > 255) return false;
    out[p + i] = n;
  }
  return true;
}

export function formatV6(b: Uint8Array, p: number): string {
  let at = -1, best = 1, run = 0;
  for (let g = 0; g < 8; g++) {
    run = b[p + 2 * g] | b[p + 2 * g + 1] ? 0 : run + 1;
    if (run > best) { best = run; at = g + 1 - run; }
  }
  let s = '';
  for (let g = 0; g < 8; g++) {
    if (g === at) {
      s += '::';
      g += best - 1;
    } else s += (g && g !== at + best ? ':' : '') + ((b[p + 2 * g] << 8) | b[p + 2 * g + 1]).toString(16);
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
