// src/ is the portable core (DESIGN.md §1): it may import only from src/ and
// may not touch Node, QuickJS or browser globals, the clock or randomness;
// the platform hands those in.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../src', import.meta.url));

/** Globals and members that only a platform may provide, with the reason. */
const banned: [RegExp, string][] = [
  [/\b(?:Buffer|process|require|__dirname|__filename|global|globalThis|window|document|navigator)\b/g, 'host global'],
  [/\b(?:setTimeout|setInterval|setImmediate|clearTimeout|clearInterval|clearImmediate|queueMicrotask)\b/g, 'timers come from platform.timer()'],
  [/\b(?:TextEncoder|TextDecoder)\b/g, 'not in QuickJS 2021'],
  [/\b(?:console|fetch|std|os|scriptArgs)\b/g, 'I/O comes from the platform'],
  [/\b(?:performance|Date\s*\.\s*now|new\s+Date)\b/g, 'time comes from platform.now()'],
  [/\b(?:crypto|Math\s*\.\s*random)\b/g, 'randomness comes from platform.random()'],
];

interface Stripped {
  /** The source with comments, string, template and regex text blanked (same length, same lines). */
  code: string;
  strings: { at: number; value: string }[];
}

/** Blanks comments and literals so only code is matched. */
function strip(source: string): Stripped {
  const out = source.split('');
  const strings: Stripped['strings'] = [];
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  /** Brace depths at which a template's `${` opened. */
  const templates: number[] = [];
  let depth = 0;
  let i = 0;
  /** Scans template text from i up to its closing backtick or the next `${`. */
  const templateText = () => {
    const start = i;
    while (i < source.length && source[i] !== '`' && !(source[i] === '$' && source[i + 1] === '{')) i += source[i] === '\\' ? 2 : 1;
    blank(start, i);
    if (source[i] === '$') {
      templates.push(depth);
      i += 2;
    } else i++;
  };
  while (i < source.length) {
    const c = source[i];
    const start = i;
    if (c === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') i++;
      blank(start, i);
    } else if (c === '/' && source[i + 1] === '*') {
      i = source.indexOf('*/', i + 2);
      i = i < 0 ? source.length : i + 2;
      blank(start, i);
    } else if (c === '"' || c === "'") {
      for (i++; i < source.length && source[i] !== c; ) i += source[i] === '\\' ? 2 : 1;
      strings.push({ at: start, value: source.slice(start + 1, i) });
      blank(start + 1, i);
      i++;
    } else if (c === '`') {
      i++;
      templateText();
    } else if (c === '}' && templates.length > 0 && templates[templates.length - 1] === depth) {
      templates.pop();
      i++;
      templateText();
    } else if (c === '/' && /(?:^|[(,=:[!&|?{};+\-*%<>~^]|\breturn|\btypeof)\s*$/.test(out.slice(Math.max(0, i - 20), i).join(''))) {
      let inClass = false;
      for (i++; i < source.length && (inClass || source[i] !== '/'); i++) {
        if (source[i] === '\\') i++;
        else if (source[i] === '[') inClass = true;
        else if (source[i] === ']') inClass = false;
      }
      blank(start + 1, i);
      i++;
    } else {
      if (c === '{') depth++;
      if (c === '}') depth--;
      i++;
    }
  }
  return { code: out.join(''), strings };
}

/** Every rule `source` (the file `file` under src/) breaks, as "file:line: what". */
function violations(file: string, source: string): string[] {
  const { code, strings } = strip(source);
  const where = (at: number) => `${relative(src, file)}:${code.slice(0, at).split('\n').length}`;
  const found: string[] = [];
  for (const s of strings) {
    if (!/\b(?:from|import|require)\s*\(?\s*$/.test(code.slice(Math.max(0, s.at - 20), s.at))) continue;
    const target = resolve(dirname(file), s.value);
    const inside = /^\.\.?\//.test(s.value) && (target + sep).startsWith(src + sep);
    if (!inside) found.push(`${where(s.at)}: imports '${s.value}' from outside src/`);
  }
  for (const [pattern, why] of banned) {
    for (const m of code.matchAll(pattern)) {
      const at = m.index ?? 0;
      const member = /\.\s*$/.test(code.slice(Math.max(0, at - 10), at));
      const key = /^\s*\??\s*:/.test(code.slice(at + m[0].length)) && /[{,;]\s*$/.test(code.slice(0, at));
      if (!member && !key) found.push(`${where(at)}: ${m[0].replace(/\s+/g, ' ')} (${why})`);
    }
  }
  return found;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

test('the checker flags host imports and globals in code', () => {
  const snippet = [
    "import { readFileSync } from 'node:fs';",
    "import * as std from 'std';",
    "export * from '../../platform/node/index.js';",
    'const b = Buffer.from([1]);',
    'setTimeout(() => console.log(b), 1);',
    'const t = Date.now() + performance.now();',
    'const r = Math.random();',
    'const d = new TextDecoder();',
    'const g = globalThis;',
    'const x = `${process.env.HOME}`;',
  ].join('\n');
  const found = violations(join(src, 'wire/fake.ts'), snippet);
  for (const what of ["'node:fs'", "'std'", "'../../platform/node/index.js'", 'Buffer', 'setTimeout', 'console',
    'Date.now', 'performance', 'Math.random', 'TextDecoder', 'globalThis', 'process']) {
    assert.ok(found.some((f) => f.includes(what)), `${what} not flagged: ${found.join('; ')}`);
  }
  // Twelve findings plus `std` both as an import and as a name.
  assert.is(found.length, 13, found.join('\n'));
});

test('the checker ignores comments, strings, regexes, members and keys', () => {
  const snippet = [
    "import { decode } from './wire/index.js';",
    "import type { Platform } from '../platform.js';",
    '// Buffer and process are not used here; setTimeout neither.',
    '/* console.log(Date.now()) */',
    "const s = 'Buffer' + \"process\" + `console ${decode.name} fetch`;",
    'const re = /Buffer|process/g;',
    'const o = { process: 1, console: 2 };',
    'const m = platform.random() + o.process + platform.os?.std;',
  ].join('\n');
  assert.equal(violations(join(src, 'mdns/fake.ts'), snippet), []);
});

test('src/ imports only from src/ and uses no host globals, clock or randomness', () => {
  const files = sources(src);
  assert.ok(files.length > 0, 'no sources found');
  const found = files.flatMap((f) => violations(f, readFileSync(f, 'utf8')));
  assert.equal(found, []);
});

test.run();
