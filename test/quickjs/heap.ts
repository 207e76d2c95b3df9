// The device program's QuickJS heap (issue 6 budgets), shared by
// test/quickjs/heap.test.ts (fails above 2 MiB) and bench/device.ts: on the
// sim, after start; after publishing 100 services through hush.publish; and
// with 1,000 records in the querier's cache.
import type { QuickJSSyncVariant } from 'quickjs-emscripten';
import { Sim } from '../../platform/sim/index.js';
import { message, pack, T } from '../../src/wire/index.js';
import type { Message, Rec } from '../../src/wire/index.js';
import { startDevice } from './device.js';
import type { Device } from './device.js';

export const SERVICES = 100;
export const CACHED = 1000;

/** A sim LAN: the device on 'dev', a raw mDNS socket on 'peer'. */
function lan() {
  const sim = new Sim({ seed: 3 });
  const link = sim.link('lan');
  const dev = sim.host('dev', [{ name: 'eth0', link, v4: '192.168.1.10/24' }]);
  const peer = sim.host('peer', [{ name: 'eth0', link, v4: '192.168.1.20/24' }]);
  const sock = peer.platform.open({ family: 4, port: 5353, group: '224.0.0.251' });
  sock.join(1);
  return { sim, dev, sock };
}

/** The packets of a response carrying `answers`, split to fit 1,452 bytes each. */
function responses(answers: Rec[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let rest: Message = message({ qr: true, aa: true, answers });
  while (rest.answers.length > 0) {
    const p = pack(rest);
    out.push(p.data);
    rest = message({ ...p.rest, qr: true, aa: true });
  }
  return out;
}

export interface Heap {
  start: number; services: number; cached: number; established: number; browsed: number;
  /** What the start figure is made of (JS_ComputeMemoryUsage fields). */
  parts: Record<string, number>;
}

/** The JS_ComputeMemoryUsage sizes that make up most of the device program's heap. */
export const PARTS = ['js_func_size', 'js_func_code_size', 'js_func_pc2line_size', 'atom_size', 'str_size', 'obj_size', 'prop_size', 'shape_size'];

export async function measureHeap(variant: QuickJSSyncVariant, code: string): Promise<Heap> {
  const config = JSON.stringify({ hostName: 'dev' });
  const established = (d: Device): number => d.stderr.filter((l) => l.startsWith('hush info: established')).length;

  // Start, then 100 services published through hush.publish (one call, a loop).
  let w = lan();
  let d = await startDevice({ variant, host: w.dev, code, config });
  let start: number, services: number, done: number, parts: Record<string, number>;
  try {
    w.sim.run(5000);
    const m = d.memory();
    start = m.memory_used_size;
    parts = Object.fromEntries(PARTS.map((k) => [k, m[k]]));
    d.run(`for (let i = 0; i < ${SERVICES}; i++) hush.publish({ name: 'Service ' + i, type: '_http._tcp', port: 8000 + i, txt: { path: '/' + i } });`);
    w.sim.run(10_000);
    services = d.heap();
    done = established(d);
    if (d.errors.length) throw new Error(d.errors.join('\n'));
  } finally {
    d.dispose();
  }

  // A browse, and a peer's responses with 1,000 distinct PTR records for the browsed type: each
  // browse 'add' is told from the cache adding that record, so `added` counts records in the cache.
  w = lan();
  d = await startDevice({ variant, host: w.dev, code, config });
  let cached: number, browsed: number;
  try {
    w.sim.run(5000);
    d.run('globalThis.added = 0; hush.browse("_http._tcp", (e) => { if (e.kind === "add") added++; });');
    const ptrs = Array.from({ length: CACHED }, (_, i): Rec =>
      ({ name: '_http._tcp.local', type: T.PTR, class: 1, flush: false, ttl: 4500, data: `Peer Service ${i}._http._tcp.local` }));
    for (const data of responses(ptrs)) w.sock.send(data, { addr: '224.0.0.251', port: 5353 });
    w.sim.run(2000);
    browsed = d.json<number>('added');
    if (d.json<{ cached: number }>('hush.counters()').cached < CACHED) throw new Error('the device cache does not hold the records');
    cached = d.heap();
    if (d.errors.length) throw new Error(d.errors.join('\n'));
  } finally {
    d.dispose();
  }
  return { start, services, cached, established: done, browsed, parts };
}

