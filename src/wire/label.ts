// One DNS label: wire bytes <-> presentation text. Labels are UTF-8 (RFC 6762
// §16); a byte that is not part of valid UTF-8, a control character, '.' and
// '\' are escaped ('\DDD', '\.', '\\') so any label round-trips exactly.

/** Bytes in the UTF-8 form of code point c (RFC 3629 §3). */
const utf8Size = (c: number): number => (c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4);

/** UTF-8 lead-byte marker by the number of continuation bytes. */
const LEAD = [0, 0xc0, 0xe0, 0xf0];

/** Writes code point c as UTF-8 (RFC 3629 §3) at b[p]; returns the index after it. */
export function putUtf8(c: number, b: { [i: number]: number }, p: number): number {
  // n continuation bytes of 6 bits each; the lead byte carries the rest after its length marker.
  const n = utf8Size(c) - 1;
  b[p++] = LEAD[n] | (c >> (6 * n));
  for (let k = n - 1; k >= 0; k--) b[p++] = 0x80 | ((c >> (6 * k)) & 63);
  return p;
}

export function readLabel(b: Uint8Array, p: number, end: number): string {
  let s = '';
  while (p < end) {
    const c = b[p];
    if (c >= 0x20 && c < 0x7f) {
      s += c === 0x2e ? '\\.' : c === 0x5c ? '\\\\' : String.fromCharCode(c);
      p++;
      continue;
    }
    // RFC 3629 §4: a lead byte of n bytes, then n - 1 continuation bytes; the
    // code point must not be overlong, a surrogate, or past U+10FFFF.
    const n = c > 0xf4 ? 0 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    let cp = c & (0x7f >> n);
    let k = 1;
    for (; k < n && p + k < end && (b[p + k] & 0xc0) === 0x80; k++) cp = (cp << 6) | (b[p + k] & 0x3f);
    if (n && k === n && utf8Size(cp) === n && (cp < 0xd800 || cp > 0xdfff) && cp <= 0x10ffff) {
      s += String.fromCodePoint(cp);
      p += n;
    } else {
      s += '\\' + String(c).padStart(3, '0');
      p++;
    }
  }
  return s;
}

/**
 * Writes the label text `s` from index `i` up to the next unescaped '.' into
 * b at p. Returns the number of bytes written, or -1 on a bad escape or a
 * lone surrogate. Writes at most 67 bytes past p before the caller's 63-byte
 * check can trip (it stops as soon as 64 are written).
 */
export function writeLabel(s: string, i: number, b: Uint8Array, p: number): number {
  const start = p;
  for (; i < s.length && p - start < 64; i++) {
    let c = s.codePointAt(i)!;
    if (c === 0x2e) break;
    if (c === 0x5c) {
      const ddd = s.slice(i + 1, i + 4);
      if (/^\d/.test(ddd)) {
        if (!/^\d{3}$/.test(ddd) || +ddd > 255) return -1;
        b[p++] = +ddd;
        i += 3;
        continue;
      }
      if (++i >= s.length) return -1;
      c = s.codePointAt(i)!;
    }
    if (c < 0x80) b[p++] = c;
    else if (c >= 0xd800 && c <= 0xdfff) return -1;
    else {
      // A code point past U+FFFF took two UTF-16 units.
      if (c > 0xffff) i++;
      p = putUtf8(c, b, p);
    }
  }
  return p - start;
}
