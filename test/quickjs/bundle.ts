// The QuickJS files, rebuilt with rollup when missing or older than anything
// they are built from, so the tests work on a clean checkout: dist/hush.mjs
// (the device program) and build/codec.mjs (the codec with its exports, for
// the engine comparison).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const devicePath = join(root, 'dist/hush.mjs');
export const codecPath = join(root, 'build/codec.mjs');

/** Newest modification time of the files the bundles depend on. */
function newestInput(): number {
  let newest = Math.max(statSync(join(root, 'rollup.config.js')).mtimeMs, statSync(join(root, 'tsconfig.json')).mtimeMs);
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(join(root, 'src'));
  walk(join(root, 'platform/quickjs'));
  for (const script of ['scripts/kept-names.mjs', 'scripts/post-terser.mjs']) newest = Math.max(newest, statSync(join(root, script)).mtimeMs);
  return newest;
}

/** The bytes of one of the two files, after rebuilding both if either is stale (rollup -c makes both). */
export function built(path: string): Uint8Array {
  const inputs = newestInput();
  if ([devicePath, codecPath].some((p) => !existsSync(p) || statSync(p).mtimeMs < inputs)) {
    const rollup = join(root, 'node_modules/rollup/dist/bin/rollup');
    const run = spawnSync(process.execPath, [rollup, '-c'], { cwd: root, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`rollup failed:\n${run.stdout}${run.stderr}`);
  }
  return readFileSync(path);
}

/** dist/hush.mjs, current. */
export const device = (): Uint8Array => built(devicePath);
