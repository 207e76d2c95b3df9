// One DNS label: wire bytes <-> presentation text. Labels are UTF-8 (RFC 6762
// §16); a byte that is not part of valid UTF-8, a control character, '.' and
// '\' are escaped ('\DDD', '\.', '\\') so any label round-trips exactly.

function esc(c: number): string {
  return '\\' + (c < 10 ? '00' : c < 100 ? '0' : '') + c;
}

/** Length of the valid UTF-8 sequence at p (2..4), or 0. */
function utf8Len(b: Uint8Array, p: number, end: number): number {
  const c = b[p];
  const n = c >= 0xf0 ? (c <= 0xf4 ? 4 : 0) : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
  if (n === 0 || p + n > end) return 0;
  for (let i = 1; i < n; i++) if ((b[p + i] & 0xc0) !== 0x80) return 0;
  const c1 = b[p + 1];
  if (n === 3 && ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 >= 0xa0))) return 0;
  if (n === 4 && ((c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 >= 0x90))) return 0;
  return n;
}

export function readLabel(b: Uint8Array, p: number, end: number): string {
  let s = '';
  while (p < end) {
    const c = b[p];
    if (c > 0x20 && c < 0x7f) {
      s += c === 0x2e ? '\\.' : c === 0x5c ? '\\\\' : String.fromCharCode(c);
      p++;
    } else if (c === 0x20) {
      s += ' '; p++;
    } else {
      const n = c < 0x80 ? 0 : utf8Len(b, p, end);
      if (n === 0) { s += esc(c); p++; continue; }
      let cp = n === 2 ? c & 0x1f : n === 3 ? c & 0x0f : c & 0x07;
      for (let i = 1; i < n; i++) cp = (cp << 6) | (b[p + i] & 0x3f);
      s += String.fromCodePoint(cp);
      p += n;
    }
  }
  return s;
}

/**
 * Writes the label text `s` from index `i` up to the next unescaped '.' into
 * b at p. Returns the index after the label (at the '.' or the end); the
 * number of bytes written is reported through `out[0]`. Returns -1 on a bad
 * escape. Writes at most 64 bytes past p before the caller's 63-byte check
 * can trip (it stops as soon as 64 are written).
 */
export function writeLabel(s: string, i: number, b: Uint8Array, p: number, out: number[]): number {
  const start = p;
  for (; i < s.length && p - start < 64; i++) {
    let c = s.charCodeAt(i);
    if (c === 0x2e) break;
    if (c === 0x5c) {
      const d = s.charCodeAt(i + 1);
      if (d >= 48 && d <= 57) {
        const v = Number(s.slice(i + 1, i + 4));
        if (!/^\d{3}$/.test(s.slice(i + 1, i + 4)) || v > 255) return -1;
        b[p++] = v; i += 3; continue;
      }
      if (i + 1 >= s.length) return -1;
      c = d; i++;
    }
    if (c < 0x80) { b[p++] = c; continue; }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        b[p++] = 0xf0 | (cp >> 18); b[p++] = 0x80 | ((cp >> 12) & 63);
        b[p++] = 0x80 | ((cp >> 6) & 63); b[p++] = 0x80 | (cp & 63);
        i++; continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) return -1;
    if (c < 0x800) { b[p++] = 0xc0 | (c >> 6); b[p++] = 0x80 | (c & 63); continue; }
    b[p++] = 0xe0 | (c >> 12); b[p++] = 0x80 | ((c >> 6) & 63); b[p++] = 0x80 | (c & 63);
  }
  out[0] = p - start;
  return i;
}
