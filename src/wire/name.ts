// Name helpers. DNS names compare case-insensitively for ASCII letters only
// (RFC 6762 §16: "...no other characters are case-folded"), keeping the
// original case on the wire.

/** Drops one trailing unescaped dot ('local.' -> 'local', 'a\\.' stays): one preceded by an even run of backslashes. */
export function trimDot(name: string): string {
  return name.endsWith('.') && /(?:^|[^\\])(?:\\\\)*\.$/.test(name) ? name.slice(0, -1) : name;
}

/** ASCII-lowercased form, the key for maps and compression. */
export function nameKey(name: string): string {
  return trimDot(name).replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

export function nameEq(a: string, b: string): boolean {
  return a === b || nameKey(a) === nameKey(b);
}

/** Index of the label after the one starting at `i` (past the next unescaped '.'), or 0 at the end. */
export function nextLabel(name: string, i: number): number {
  for (; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x2e) return i + 1;
  }
  return 0;
}

/** One raw label (e.g. an instance name with dots and spaces) in presentation form. */
export function escapeLabel(label: string): string {
  return label.replace(/[\\.]/g, (c) => '\\' + c);
}

/**
 * A presentation-form label as text: '\.' and '\\' become '.' and '\'. A
 * '\DDD' stays as written: it stands for a byte that is not valid UTF-8 text
 * (or a control character), which no string can carry without loss.
 */
export function unescapeLabel(label: string): string {
  return label.replace(/\\(\d{3}|.)/g, (all, c: string) => (c.length === 3 ? all : c));
}
