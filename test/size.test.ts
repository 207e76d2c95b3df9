// Every byte of src/ ends up on a device (DESIGN.md §3): the device program,
// dist/hush.mjs, has a budget of 48 KiB (issue 6). It is not met yet: until
// it is, this test holds the file at its present size, so it can only shrink;
// CEILING is lowered as it does and becomes BUDGET when the issue closes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gzipSync } from 'node:zlib';
import { device } from './quickjs/bundle.js';

const BUDGET = 48 * 1024;
const CEILING = 59 * 1024;

test(`dist/hush.mjs does not grow past ${CEILING} bytes (budget ${BUDGET}, not met yet)`, () => {
  const bytes = device();
  const over = bytes.length - BUDGET;
  console.log(`dist/hush.mjs: ${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped; ${over > 0 ? `${over} bytes over` : 'within'} the ${BUDGET}-byte budget`);
  assert.ok(bytes.length <= CEILING, `dist/hush.mjs is ${bytes.length} bytes, past the ${CEILING}-byte ceiling (budget ${BUDGET})`);
});

test.run();
