// The QuickJS target: src/ as one minified ES2020 module, dist/hush.mjs.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import typescript from '@rollup/plugin-typescript';
import terser from '@rollup/plugin-terser';

/** Prints the bundle's raw and gzipped size after it is written. */
const size = () => ({
  name: 'size',
  writeBundle(options) {
    const bytes = readFileSync(options.file);
    console.log(`${options.file}: ${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped`);
  },
});

export default {
  input: 'src/device.ts',
  output: { file: 'dist/hush.mjs', format: 'es' },
  plugins: [
    typescript({
      tsconfig: './tsconfig.json',
      include: ['src/**/*.ts'],
      compilerOptions: { noEmit: false, declaration: false, outDir: 'dist' },
    }),
    terser({
      ecma: 2020,
      module: true,
      compress: { passes: 2 },
      mangle: true,
      format: { comments: false },
    }),
    size(),
  ],
};
