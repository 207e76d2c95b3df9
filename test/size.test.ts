// Every byte of src/ ends up on a device (DESIGN.md §3): the device program,
// dist/hush.mjs, has a hard budget.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gzipSync } from 'node:zlib';
import { device } from './quickjs/bundle.js';

const LIMIT = 48 * 1024;

test(`dist/hush.mjs fits in ${LIMIT} bytes`, () => {
  const bytes = device();
  console.log(`dist/hush.mjs: ${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped (limit ${LIMIT})`);
  assert.ok(bytes.length <= LIMIT, `dist/hush.mjs is ${bytes.length} bytes, over the ${LIMIT} byte budget`);
});

test.run();
