// The QuickJS bundle, rebuilt with rollup when it is missing or older than
// anything it is built from, so the tests work on a clean checkout.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const bundlePath = join(root, 'dist/hush.mjs');

/** Newest modification time of the files the bundle depends on. */
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
  return newest;
}

/** The bundle's bytes, after rebuilding it if it is stale. */
export function bundle(): Uint8Array {
  if (!existsSync(bundlePath) || statSync(bundlePath).mtimeMs < newestInput()) {
    const rollup = join(root, 'node_modules/rollup/dist/bin/rollup');
    const run = spawnSync(process.execPath, [rollup, '-c'], { cwd: root, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`rollup failed:\n${run.stdout}${run.stderr}`);
  }
  return readFileSync(bundlePath);
}
