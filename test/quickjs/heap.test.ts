// Issue 6 budget: the device program's QuickJS heap (memory_used_size) stays
// under 2 MiB after start, with 100 published services, and with 1,000
// cached records, in both engines. The figures themselves (and the 1 MiB
// goal) are reported by `make bench` (bench/device.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RELEASE_SYNC, type QuickJSSyncVariant } from 'quickjs-emscripten';
import ngModule from '@jitl/quickjs-ng-wasmfile-release-sync';
import { deviceCode } from './device.js';
import { CACHED, measureHeap, SERVICES } from './heap.js';

const NG = ngModule as unknown as QuickJSSyncVariant;
const LIMIT = 2 * 1024 * 1024;

for (const [name, variant] of [['bellard', RELEASE_SYNC], ['quickjs-ng', NG]] as const) {
  test(`${name}: heap under 2 MiB at start, with ${SERVICES} services and with ${CACHED} cached records`, async () => {
    const h = await measureHeap(variant, deviceCode());
    assert.is(h.established, SERVICES);
    assert.ok(h.browsed >= CACHED);
    for (const [what, n] of [['start', h.start], ['services', h.services], ['cached', h.cached]] as const) {
      assert.ok(n < LIMIT, `${what}: ${n} bytes`);
    }
  });
}

test.run();
