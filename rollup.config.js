// The QuickJS target: dist/hush.mjs, the whole device program
// (platform/quickjs/main.ts) in one minified ES2020 module whose only imports
// are QuickJS's std and os and the native module ./hush_udp.so.
// build/codec.mjs is for tests only: the codec with its exports, minified the
// same way but keeping its property names, so the QuickJS engines can be
// compared with Node on the codec's own objects (test/quickjs/engine.test.ts).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import typescript from '@rollup/plugin-typescript';
import terser from '@rollup/plugin-terser';
import { keptNames } from './scripts/kept-names.mjs';
import { constToLet, functionsToArrows, globalAlias, joinLets, propertyAlias, shortNames, thisAlias, throwCalls } from './scripts/post-terser.mjs';

/** Prints the bundle's raw and gzipped size after it is written. */
const size = () => ({
  name: 'size',
  writeBundle(options) {
    const bytes = readFileSync(options.file);
    console.log(`${options.file}: ${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped`);
  },
});

/**
 * How terser may shorten property names. Private and protected members are
 * named _x (TypeScript checks that nothing outside their class uses them). In
 * the device program every other name that never leaves it is shortened too:
 * scripts/kept-names.mjs proves which ones those are, and the most used get
 * the shortest replacements (terser's name cache carries the choice).
 */
const shortening = (device) => {
  if (!device) return { mangle: { properties: { regex: /^_/ } } };
  const { kept, shortened, uses } = keptNames({
    tsconfig: 'tsconfig.json',
    entry: 'platform/quickjs/main.ts',
    edge: { file: 'platform/quickjs/edge.ts', type: 'Edge' },
    sources: ['src', 'platform/quickjs'],
  });
  const names = shortened.filter((n) => /^[A-Za-z_$][\w$]*$/.test(n)).sort((a, b) => uses[b] - uses[a] || (a < b ? -1 : 1));
  const taken = new Set([...kept, ...shortened.filter((n) => !names.includes(n))]);
  const pick = shortNames();
  const props = {};
  for (const name of names) {
    let short = pick.next().value;
    while (taken.has(short)) short = pick.next().value;
    props[`$${name}`] = short;
  }
  return {
    mangle: { properties: { regex: new RegExp(`^(?:${names.join('|')})$`), reserved: kept, builtins: true } },
    nameCache: { props: { props } },
  };
};

/** A rewrite of scripts/post-terser.mjs as a rollup plugin. */
const after = (rewrite) => ({ name: rewrite.name, renderChunk: (code) => ({ code: rewrite(code), map: null }) });

const plugins = (include, device) => [
  typescript({
    tsconfig: './tsconfig.json',
    include,
    compilerOptions: { noEmit: false, declaration: false, outDir: device ? 'dist' : 'build' },
  }),
  terser({
    ecma: 2020,
    module: true,
    compress: { passes: 3, unsafe_arrows: true },
    format: { comments: false },
    ...shortening(device),
  }),
  ...(device ? [after(throwCalls), after(globalAlias), after(propertyAlias), after(thisAlias), after(functionsToArrows)] : []),
  after(constToLet),
  after(joinLets),
  size(),
];

export default [
  {
    input: 'platform/quickjs/main.ts',
    output: { file: 'dist/hush.mjs', format: 'es' },
    external: ['std', 'os', /hush_udp\.so$/],
    plugins: plugins(['src/**/*.ts', 'platform/quickjs/*.ts'], true),
  },
  {
    input: 'src/wire/index.ts',
    output: { file: 'build/codec.mjs', format: 'es' },
    plugins: plugins(['src/**/*.ts'], false),
  },
];
