// The device build's input checks: rule tables generated from the TypeBox
// schemas (scripts/gen-checks.ts writes rules.gen.ts), read by this small
// checker. It answers with the first problem as '/json/path: reason', like
// the Node side's ConfigError, or undefined. It knows only what the
// generated rules use; gen-checks refuses a schema that needs more.

/** The JSON types a rule can ask for: how each is named in messages, and what its bounds count. */
const TYPES = {
  string: ['a string', ' characters'],
  integer: ['an integer', ''],
  array: ['a list', ' items'],
  object: ['an object', ''],
} as const;

/** A schema node reduced to what checking needs (short keys keep the device file small). */
export interface Rule {
  /** JSON type. */
  t?: keyof typeof TYPES;
  /** Values that pass whatever `t` says: a union of literals, or of literals and `t`. */
  c?: (string | number | boolean)[];
  /** At least, at most: of a string's length, an integer, a list's item count. */
  b?: [number, number?];
  /** Pattern, and what it means for messages. */
  re?: RegExp;
  d?: string;
  /** Every item of a list. */
  i?: Rule;
  /** Properties by name, those that must be there, properties by pattern. */
  p?: Record<string, Rule>;
  r?: string[];
  pp?: [RegExp, Rule][];
  /** Properties other than those listed pass too (JSON Schema's default; the schemas here close every object). */
  o?: 1;
}

export function check(rule: Rule, v: unknown, at = ''): string | undefined {
  const bad = (why: string): string => `${at || '/'}: ${why}`;
  const { t, c, b } = rule;
  if (c?.includes(v as string)) return undefined;
  // A string or an object is of that typeof, and neither null nor a list.
  const typed = t === 'integer' ? Number.isInteger(v) : t === 'array' ? Array.isArray(v) : typeof v === t && v !== null && !Array.isArray(v);
  if (!t || !typed) {
    return bad(`expected ${[...(t ? [TYPES[t][0]] : []), ...(c ?? []).map((x) => JSON.stringify(x))].join(' or ')}`);
  }
  if (b) {
    const n = typeof v === 'number' ? v : (v as string | unknown[]).length;
    if (n < b[0]) return bad(`expected at least ${b[0]}${TYPES[t][1]}`);
    if (n > (b[1] ?? Infinity)) return bad(`expected at most ${b[1]}${TYPES[t][1]}`);
  }
  if (rule.re?.test(v as string) === false) return bad(`expected ${rule.d ?? 'to match ' + rule.re.source}`);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of rule.r ?? []) if (o[k] === undefined) return `${at}/${k}: required`;
    // The items of a list, or the properties of an object.
    for (const k of Array.isArray(v) ? v.keys() : Object.keys(o)) {
      const sub = rule.i
        ?? (rule.p && Object.keys(rule.p).includes(k as string) ? rule.p[k] : rule.pp?.find(([re]) => re.test(k as string))?.[1]);
      const e = sub ? check(sub, o[k], `${at}/${k}`) : !rule.o && `${at}/${k}: unexpected property`;
      if (e) return e;
    }
  }
  return undefined;
}
