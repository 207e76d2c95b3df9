// The device build's input checks: rule tables generated from the TypeBox
// schemas (scripts/gen-checks.ts writes rules.gen.ts), read by this small
// checker. It answers with the first problem as '/json/path: reason', like
// the Node side's ConfigError, or undefined.

/** A schema node reduced to what checking needs (short keys keep the device file small). */
export interface Rule {
  /** JSON type. */
  t?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
  /** Exactly this value. */
  c?: string | number | boolean;
  /** One of these. */
  any?: Rule[];
  /** Pattern, and what it means for messages. */
  re?: string;
  d?: string;
  /** Minimum, maximum; length bounds; item-count bounds. */
  mn?: number; mx?: number; ln?: number; lx?: number; in?: number; ix?: number;
  i?: Rule;
  p?: Record<string, Rule>;
  r?: string[];
  pp?: [string, Rule][];
  /** No properties but those listed. */
  x?: 1;
}

export function check(rule: Rule, v: unknown, at = ''): string | undefined {
  const bad = (why: string): string => `${at || '/'}: ${why}`;
  /** Lower and upper bounds of a length, a value or an item count. */
  const within = (n: number, lo: number | undefined, hi: number | undefined, unit: string): string | undefined =>
    lo !== undefined && n < lo ? bad(`expected at least ${lo}${unit}`) : hi !== undefined && n > hi ? bad(`expected at most ${hi}${unit}`) : undefined;
  if (rule.any) {
    return rule.any.some((r) => check(r, v, at) === undefined) ? undefined : bad(`expected ${rule.any.map((r) => (r.c !== undefined ? JSON.stringify(r.c) : r.t)).join(' or ')}`);
  }
  if (rule.c !== undefined) return v === rule.c ? undefined : bad(`expected ${JSON.stringify(rule.c)}`);
  switch (rule.t) {
    case 'string':
      if (typeof v !== 'string') return bad('expected a string');
      return within(v.length, rule.ln, rule.lx, ' characters')
        ?? (rule.re !== undefined && !new RegExp(rule.re).test(v) ? bad(`expected ${rule.d ?? 'to match ' + rule.re}`) : undefined);
    case 'integer':
    case 'number':
      if (typeof v !== 'number' || !(rule.t === 'integer' ? Number.isInteger(v) : Number.isFinite(v))) return bad(`expected ${rule.t === 'integer' ? 'an integer' : 'a number'}`);
      return within(v, rule.mn, rule.mx, '');
    case 'boolean':
      return typeof v === 'boolean' ? undefined : bad('expected true or false');
    case 'array': {
      if (!Array.isArray(v)) return bad('expected a list');
      let e = within(v.length, rule.in, rule.ix, ' items');
      for (let n = 0; !e && rule.i && n < v.length; n++) e = check(rule.i, v[n], `${at}/${n}`);
      return e;
    }
    case 'object': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('expected an object');
      const o = v as Record<string, unknown>;
      for (const k of rule.r ?? []) if (o[k] === undefined) return `${at}/${k}: required`;
      for (const k of Object.keys(o)) {
        const own = rule.p !== undefined && Object.prototype.hasOwnProperty.call(rule.p, k);
        const sub = own ? rule.p![k] : rule.pp?.find(([re]) => new RegExp(re).test(k))?.[1];
        const e = sub ? check(sub, o[k], `${at}/${k}`) : rule.x ? `${at}/${k}: unexpected property` : undefined;
        if (e) return e;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
