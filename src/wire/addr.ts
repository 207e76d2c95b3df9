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

export function parseV6(s: string, out: Uint8Array, p: number): boolean {
  const gap = s.indexOf('::');
  if (gap >= 0 && s.indexOf('::', gap + 1) >= 0) return false;
  const head = gap >= 0 ? s.slice(0, gap) : s;
  const tail = gap >= 0 ? s.slice(gap + 2) : '';
  const hs = head === '' ? [] : head.split(':');
  const ts = tail === '' ? [] : tail.split(':');
  const groups: number[] = [];
  const all = hs.concat(ts);
  for (let i = 0; i < all.length; i++) {
    const g = all[i];
    if (i === all.length - 1 && g.indexOf('.') >= 0) {
      const v4 = new Uint8Array(4);
      if (!parseV4(g, v4, 0)) return false;
      groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
    groups.push(parseInt(g, 16));
  }
  const headGroups = hs.length;
  const missing = 8 - groups.length;
  if (gap >= 0 ? missing < 1 : missing !== 0) return false;
  for (let g = 0, k = 0; g < 8; g++) {
    const v = g >= headGroups && g < headGroups + missing ? 0 : groups[k++];
    out[p + 2 * g] = v >> 8; out[p + 2 * g + 1] = v & 255;
  }
  return true;
}
