// Build step (DESIGN.md §3): reduces the TypeBox schemas the Node side
// checks with to compact rule tables for the QuickJS build, read by the
// small checker in platform/quickjs/checks.ts, so the device file does not
// carry the validator. Writes platform/quickjs/rules.gen.ts;
// test/quickjs/checks.test.ts fails when that file is stale. A schema
// keyword or type the checker does not know stops the build here.
//   node --loader ts-node/esm scripts/gen-checks.ts [--print]
import { writeFileSync } from 'node:fs';
import { DeviceConfig, Service } from '../platform/schema.js';
import type { Rule } from '../platform/quickjs/checks.js';

type Schema = Record<string, unknown>;

/** Per checked type, the schema keywords that bound it, as [at least, at most]. */
const BOUNDS: Record<NonNullable<Rule['t']>, [string, string] | undefined> = {
  string: ['minLength', 'maxLength'],
  integer: ['minimum', 'maximum'],
  array: ['minItems', 'maxItems'],
  object: undefined,
};

/** What the checker reads; description only says what a pattern means. */
const KNOWN = new Set([
  'type', 'const', 'anyOf', 'pattern', 'description', 'items', 'properties', 'required', 'patternProperties', 'additionalProperties',
  ...Object.values(BOUNDS).flatMap((b) => b ?? []),
]);

function refuse(at: string, why: string): never {
  throw new Error(`gen-checks: ${at || '/'}: ${why}, which platform/quickjs/checks.ts does not check`);
}

/** One schema node as a Rule: only what checking needs, under short keys. */
export function rule(s: Schema, at = ''): Rule {
  for (const k of Object.keys(s)) if (!KNOWN.has(k)) refuse(at, `schema keyword '${k}'`);
  if (s.const !== undefined) return { c: [s.const as string | number | boolean] };
  // A union: literals, and at most one other type, whose rule then also lets the literals pass.
  if (Array.isArray(s.anyOf)) {
    const alts = (s.anyOf as Schema[]).map((a) => rule(a, at));
    const typed = alts.filter((a) => a.t);
    if (typed.length > 1) refuse(at, 'a union of two types');
    const c = alts.flatMap((a) => a.c ?? []);
    return c.length ? { ...typed[0], c } : typed[0];
  }
  const t = s.type as NonNullable<Rule['t']>;
  if (!Object.keys(BOUNDS).includes(t)) refuse(at, `type '${String(s.type)}'`);
  const r: Rule = { t };
  const [lo, hi] = (BOUNDS[t] ?? []).map((k) => s[k] as number | undefined);
  if (lo !== undefined || hi !== undefined) {
    // A length or a count is never below 0; an integer's lower bound must be given.
    if (t === 'integer' && lo === undefined) refuse(at, 'an integer without a minimum');
    r.b = hi === undefined ? [lo ?? 0] : [lo ?? 0, hi];
  }
  if (typeof s.pattern === 'string') {
    if (t !== 'string') refuse(at, `a pattern on type '${t}'`);
    r.re = new RegExp(s.pattern);
    if (typeof s.description === 'string') r.d = s.description;
  }
  if (t === 'array' && !s.items) refuse(at, 'a list without an item schema');
  if (s.items) r.i = rule(s.items as Schema, `${at}/*`);
  if (s.properties) r.p = Object.fromEntries(Object.entries(s.properties as Record<string, Schema>).map(([k, v]) => [k, rule(v, `${at}/${k}`)]));
  if (Array.isArray(s.required) && s.required.length) r.r = s.required as string[];
  if (s.patternProperties) r.pp = Object.entries(s.patternProperties as Record<string, Schema>).map(([k, v]) => [new RegExp(k), rule(v, `${at}/${k}`)]);
  if (t === 'object' && s.additionalProperties === undefined) r.o = 1;
  else if (s.additionalProperties !== undefined && s.additionalProperties !== false) refuse(at, 'additionalProperties other than false');
  return r;
}

/** A const of the generated file, where a rule would be written. */
class Ref {
  constructor(readonly name: string) {}
  toString(): string { return this.name; }
}

/** A rule as TypeScript: JSON, but patterns as RegExp literals (so the device compiles none) and consts by name. */
function emit(v: unknown): string {
  if (v instanceof RegExp || v instanceof Ref) return String(v);
  if (Array.isArray(v)) return `[${v.map(emit).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => `${JSON.stringify(k)}:${emit(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The rules a rule holds: for its items, its properties by name and by pattern. */
function parts(r: Rule): Rule[] {
  return [...(r.i ? [r.i] : []), ...Object.values(r.p ?? {}), ...(r.pp ?? []).map(([, x]) => x)];
}

export function generate(): string {
  const roots: [string, Rule][] = [['SERVICE', rule(Service as unknown as Schema)], ['DEVICE_CONFIG', rule(DeviceConfig as unknown as Schema)]];
  // How often each rule is written; the parts of one written before are not counted again.
  const count = new Map<string, number>();
  const tally = (r: Rule): void => {
    const text = emit(r);
    count.set(text, (count.get(text) ?? 0) + 1);
    if (count.get(text) === 1) parts(r).forEach(tally);
  };
  for (const [, r] of roots) tally(r);
  // A rule written more than once (the config's service list holds Service) becomes a const, defined before its first use.
  const names = new Map(roots.map(([name, r]) => [emit(r), name]));
  const refs = new Map<string, Ref>();
  let shared = 0;
  const lines = ['// Generated by scripts/gen-checks.ts from platform/schema.ts: do not edit.', "import type { Rule } from './checks.js';"];
  const share = (r: Rule): Rule | Ref => {
    const text = emit(r);
    const known = refs.get(text);
    if (known) return known;
    const own = { ...r, i: r.i && share(r.i), p: r.p && Object.fromEntries(Object.entries(r.p).map(([k, x]) => [k, share(x)])), pp: r.pp?.map(([re, x]) => [re, share(x)]) };
    const name = names.get(text) ?? (count.get(text)! > 1 ? `SHARED_${++shared}` : undefined);
    if (name === undefined) return own as Rule;
    lines.push(`${names.has(text) ? 'export ' : ''}const ${name}: Rule = ${emit(own)};`);
    refs.set(text, new Ref(name));
    return refs.get(text)!;
  };
  for (const [, r] of roots) share(r);
  return [...lines, ''].join('\n');
}

if (process.argv[1]?.endsWith('gen-checks.ts')) {
  const out = generate();
  if (process.argv.includes('--print')) process.stdout.write(out);
  else writeFileSync(new URL('../platform/quickjs/rules.gen.ts', import.meta.url), out);
}
