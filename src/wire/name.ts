// Name helpers. DNS names compare case-insensitively for ASCII letters only
// (RFC 6762 §16: "...no other characters are case-folded"), keeping the
// original case on the wire.

const UPPER = /[A-Z]/;

/** Drops one trailing unescaped dot ('local.' -> 'local', 'a\\.' stays). */
export function trimDot(name: string): string {
  if (!name.endsWith('.')) return name;
  let k = name.length - 2;
  while (k >= 0 && name.charCodeAt(k) === 0x5c) k--;
  return (name.length - 2 - k) % 2 === 0 ? name.slice(0, -1) : name;
}

/** ASCII-lowercased form, the key for maps and compression. */
export function nameKey(name: string): string {
  name = trimDot(name);
  return UPPER.test(name) ? name.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : name;
}

export function nameEq(a: string, b: string): boolean {
  return a === b || nameKey(a) === nameKey(b);
}

/** Start indexes of the labels of a presentation name (no trailing dot, not root). */
export function labelStarts(name: string): number[] {
  const starts = [0];
  if (name.indexOf('\\') < 0) {
    for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) starts.push(i + 1);
    return starts;
  }
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x2e) starts.push(i + 1);
  }
  return starts;
}
