// platform/native/device.ts without its addon: loadDevice() answers why
// there is no raw device instead of throwing, so hush can fall back to the
// dgram backend.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDevice } from '../../platform/native/device.js';

const linux = process.platform === 'linux';

function why(path: string): string {
  const r = loadDevice(path);
  assert.ok('why' in r, `no device from ${path}`);
  return r.why;
}

test('a missing addon makes loadDevice() answer why, not throw', () => {
  assert.match(why('/nonexistent/hush_native.node'),
    linux ? /^the native addon did not load \(Cannot find module '\/nonexistent\/hush_native\.node'/ : /Linux only/);
});

test('a file that is no shared object, or a module that is not the addon, makes loadDevice() answer why', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hush-native-'));
  try {
    writeFileSync(join(dir, 'hush_native.node'), 'not an ELF file');
    writeFileSync(join(dir, 'other.cjs'), 'module.exports = { probe() {} };');
    assert.match(why(join(dir, 'hush_native.node')), linux ? /^the native addon did not load \(.*hush_native\.node: (file too short|invalid ELF header)/ : /Linux only/);
    assert.match(why(join(dir, 'other.cjs')), linux ? /other\.cjs is not the hush_native addon \(no interfaces, watch, openPort, openGuard\)$/ : /Linux only/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
