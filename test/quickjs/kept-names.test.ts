// scripts/kept-names.mjs decides which property names the device bundle may
// shorten. A wrong "shortened" breaks the device silently, so each rule is
// shown on a small program (test/quickjs/kept/).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
// @ts-expect-error: a plain JS build script, without typings.
import { keptNames } from '../../scripts/kept-names.mjs';

const { kept, shortened } = keptNames({
  tsconfig: 'tsconfig.json',
  entry: 'test/quickjs/kept/main.ts',
  edge: { file: 'test/quickjs/kept/edge.ts', type: 'Edge' },
  sources: ['test/quickjs/kept'],
}) as { kept: string[]; shortened: string[] };

test('names only the program uses are shortened', () => {
  for (const name of ['depth', 'deepen', 'report', 'logged', 'has', 'bad', '_inner']) {
    assert.ok(shortened.includes(name), `${name} should be shortened`);
  }
});

test('the text of a thrown error names no key: those names are still shortened', () => {
  assert.ok(shortened.includes('depth') && shortened.includes('bad'));
});

test('the edge type is kept deep: methods, parameters, results', () => {
  for (const name of ['api', 'start', 'stats', 'port', 'accepted', 'hits']) assert.ok(kept.includes(name), `${name} kept`);
});

test('keys that Object.entries enumerates are kept', () => {
  assert.ok(kept.includes('index'));
});

test('a property of an object literal without a declared type for it is kept', () => {
  assert.ok(kept.includes('traced'));
});

test('a property named by a string literal is kept', () => {
  assert.ok(kept.includes('label'));
});

test('library names are kept, and no name is both', () => {
  for (const name of ['map', 'join', 'stringify', 'length']) assert.ok(kept.includes(name), `${name} kept`);
  assert.equal(shortened.filter((n) => kept.includes(n)), []);
});

test.run();
