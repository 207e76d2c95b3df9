// The hand-built vectors of vectors.ts against the codec, both directions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decode, encode } from '../../src/wire/index.js';
import { bytes, hexOf, vectors } from './vectors.js';

for (const v of vectors) {
  test(`${v.name}: decodes to the expected message`, () => {
    assert.equal(decode(bytes(v.hex), v.opts), v.message);
  });

  test(`${v.name}: encodes to the hand-built bytes`, () => {
    assert.is(hexOf(encode(v.message, v.opts)), v.hex);
  });
}

test('draft-tllq-tsr-05: the TSR code is configuration; under the default code 65002 an option 65001 stays raw', () => {
  const v = vectors.find((x) => x.name === 'tsr draft layout')!;
  const opt = decode(bytes(v.hex)).additionals[0];
  assert.equal(opt.data, [
    { kind: 'raw', code: 65001, data: bytes('000006080a0c0000003c') },
    { kind: 'raw', code: 65001, data: bytes('000106080a0c0000003c') },
  ]);
});

test('draft-tllq-tsr-05: reading the Apple bytes with the draft layout swaps index and time', () => {
  const v = vectors.find((x) => x.name === 'tsr apple layout')!;
  const opt = decode(bytes(v.hex), { tsrLayout: 'draft' }).additionals[0];
  // Apple bytes 0000003c 06080a0c 0001 read as index(2) checksum(4) time(4).
  assert.equal((opt.data as unknown[])[1], { kind: 'tsr', code: 65002, index: 0, checksum: 0x003c0608, seconds: 0x0a0c0001 });
});

test.run();
