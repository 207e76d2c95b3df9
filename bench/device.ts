// The device target (issue 6): how big the QuickJS files are, and how much
// QuickJS heap the device program (dist/hush.mjs) uses on the sim,
// in both engines (test/quickjs/device.ts runs it): after start, after
// publishing 100 services through hush.publish, and with 1,000 records in the
// querier's cache. For scale, the same minified bundle size of three Node
// mDNS libraries, built in this run with rollup + terser. Results go to
// bench/results/device.json.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { gzipSync } from 'node:zlib';
import { rollup } from 'rollup';
import type { Plugin } from 'rollup';
import commonjsModule from '@rollup/plugin-commonjs';
import nodeResolveModule from '@rollup/plugin-node-resolve';
import terserModule from '@rollup/plugin-terser';
import { RELEASE_SYNC, type QuickJSSyncVariant } from 'quickjs-emscripten';
import ngModule from '@jitl/quickjs-ng-wasmfile-release-sync';
import { deviceCode, devicePath } from '../test/quickjs/device.js';
import { CACHED, measureHeap, SERVICES } from '../test/quickjs/heap.js';
import type { Bench } from './run.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab } from '../test/lab/netns.js';
import { startCapture } from '../test/lab/capture.js';
import { Proc } from '../test/lab/proc.js';

// These packages' exports give ESM importers their CommonJS typings, whose default is the module
// object; at run time the ESM default is the function itself (as in test/quickjs/engine.test.ts).
const NG = ngModule as unknown as QuickJSSyncVariant;
const commonjs = commonjsModule as unknown as typeof commonjsModule.default;
const nodeResolve = nodeResolveModule as unknown as typeof nodeResolveModule.default;
const terser = terserModule as unknown as typeof terserModule.default;
const KIB = 1024;
const MIB = 1024 * KIB;
/** test/size.test.ts fails dist/hush.mjs above this; the device program aims lower. */
const LIMIT = 48 * KIB;
const GOAL = 32 * KIB;
const HEAP_GOAL = MIB;
const HEAP_FAIL = 2 * MIB;

const gz = (b: Uint8Array): number => gzipSync(b, { level: 9 }).length;

/**
 * The minification of rollup.config.js, but for property names: hush's are
 * shortened where scripts/kept-names.mjs proves them internal, which cannot be
 * done safely to another project's code.
 */
const minify = (): Plugin => terser({ ecma: 2020, module: true, compress: { passes: 3 }, mangle: true, format: { comments: false } }) as Plugin;

/** One ES module of `source` (imports resolved from node_modules), Node builtins left out, minified. */
async function bundleOf(source: string): Promise<Uint8Array> {
  const entry: Plugin = {
    name: 'entry',
    resolveId: (id) => (id === 'entry' ? id : null),
    load: (id) => (id === 'entry' ? source : null),
  };
  // Some packages require their package.json (a version string); @rollup/plugin-json is not installed.
  const json: Plugin = {
    name: 'json',
    transform: (code, id) => (id.endsWith('.json') ? { code: `export default ${code};`, map: null } : null),
  };
  const builtins = new Set(builtinModules);
  const b = await rollup({
    input: 'entry',
    external: (id) => id.startsWith('node:') || builtins.has(id) || builtins.has(id.split('/')[0]),
    plugins: [entry, json, nodeResolve({ preferBuiltins: true }), commonjs(), minify()],
    onwarn: () => undefined,
  });
  const { output } = await b.generate({ format: 'es' });
  await b.close();
  return new TextEncoder().encode(output[0].code);
}

export async function device(): Promise<Bench> {
  const code = deviceCode();
  const files = { 'dist/hush.mjs': readFileSync(devicePath) };
  const peers = {
    '@homebridge/ciao': await bundleOf("export * from '@homebridge/ciao';"),
    'bonjour-service': await bundleOf("export * from 'bonjour-service';"),
    'multicast-dns + dns-packet': await bundleOf("export { default as mdns } from 'multicast-dns'; export * as packet from 'dns-packet';"),
  };
  const heaps = { bellard: await measureHeap(RELEASE_SYNC, code), 'quickjs-ng': await measureHeap(NG, code) };

  const kb = (n: number): string => (n / KIB).toFixed(1);
  const rows = [['what', 'bytes', 'gzipped', 'KiB', 'note']];
  const json: Record<string, unknown> = { limit_bytes: LIMIT, goal_bytes: GOAL, heap_goal_bytes: HEAP_GOAL, heap_fail_bytes: HEAP_FAIL };
  const sizes: Record<string, unknown> = {};
  for (const [name, b] of Object.entries(files)) {
    const over = b.length > LIMIT ? `over the 48 KiB limit by ${kb(b.length - LIMIT)} KiB` : `fits 48 KiB (${kb(LIMIT - b.length)} KiB left)`;
    const goal = b.length > GOAL ? `, ${kb(b.length - GOAL)} KiB over the 32 KiB goal` : ', within the 32 KiB goal';
    rows.push([name, String(b.length), String(gz(b)), kb(b.length), over + goal]);
    sizes[name] = { bytes: b.length, gzipped: gz(b), over_limit: b.length > LIMIT, over_goal: b.length > GOAL };
  }
  json.sizes = sizes;
  const peerJson: Record<string, unknown> = {};
  for (const [name, b] of Object.entries(peers)) {
    rows.push([name, String(b.length), String(gz(b)), kb(b.length), 'Node library (needs dgram, os): size only']);
    peerJson[name] = { bytes: b.length, gzipped: gz(b) };
  }
  json.peers = {
    note: 'Node libraries (they need Node\'s dgram, os, events, ...), bundled here only to compare code size: rollup + ' +
      '@rollup/plugin-node-resolve + @rollup/plugin-commonjs + terser (the options of rollup.config.js but for property names, ' +
      'which hush shortens only where scripts/kept-names.mjs proves them internal), Node builtins external, ' +
      'ES module output, every export of the package with its npm dependencies (ciao\'s include source-map-support, which its ' +
      'index registers; bonjour-service\'s include multicast-dns and dns-packet); they do not run in QuickJS.',
    ...peerJson,
  };
  let ok = true;
  const heapJson: Record<string, unknown> = {
    note: 'QuickJS memory_used_size (JS_ComputeMemoryUsage) of the runtime running dist/hush.mjs on the sim (one IPv4 link), ' +
      'as QuickJS counts it: its objects, strings, atoms, shapes and functions, including any cycles not yet collected; allocator ' +
      'overhead is not in it (malloc_usable_size is unavailable in these WebAssembly builds). "start": established, no services. ' +
      `"services": the same run after publishing ${SERVICES} services through hush.publish and running until all were established. ` +
      `"cached": another run, after start, a browse of _http._tcp and a peer's responses with ${CACHED} distinct PTR records for it, ` +
      'counted as cached through the browse callback (each add is told from the cache adding a record; the device API exposes no cache size).',
  };
  for (const [name, h] of Object.entries(heaps)) {
    const good = h.established === SERVICES && h.browsed === CACHED;
    for (const [what, n] of [['start', h.start], [`+ ${SERVICES} services`, h.services], [`start + ${CACHED} cached`, h.cached]] as const) {
      const note = n > HEAP_FAIL ? 'FAIL: over 2 MiB' : n > HEAP_GOAL ? 'over the 1 MiB goal' : 'within the 1 MiB goal';
      rows.push([`heap ${name}: ${what}`, String(n), '', kb(n), note]);
      if (n > HEAP_FAIL) ok = false;
    }
    rows.push([`  of start: bytecode functions`, String(h.parts.js_func_size), '', kb(h.parts.js_func_size),
      `${kb(h.parts.js_func_code_size)} KiB of it bytecode, ${kb(h.parts.js_func_pc2line_size)} KiB line tables`]);
    if (!good) ok = false;
    heapJson[name] = {
      start_bytes: h.start, services_bytes: h.services, cached_bytes: h.cached,
      services_established: h.established, records_cached: h.browsed, start_parts: h.parts,
    };
  }
  json.heap = heapJson;
  const start = await firstProbe();
  for (const [who, ms] of Object.entries(start)) rows.push([`start to first probe: ${who}`, String(ms), '', '', 'ms, lab namespace, capture on the link']);
  json.first_probe_ms = start;
  json.first_probe_note = 'wall time from spawning the program to the first probe frame on the link (a namespace lab, dumpcap on the bridge), ' +
    'publishing one service; the probe itself waits a random 0-250 ms (RFC 6762 §8.1). qjs: build/qjs/qjs dist/hush.mjs; ' +
    'node: the hush CLI (dist/node), for comparison';
  return { rows, json, ok };
}

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Start-up time in a namespace lab: spawn to the first probe on the link, for qjs running the device program and for the Node CLI. */
async function firstProbe(): Promise<Record<string, number>> {
  const made = spawnSync('make', ['-s', 'device', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
  if (made.status !== 0) throw new Error(`make device build failed: ${made.stdout}${made.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), 'hush-bench-device-'));
  const config = join(dir, 'box.json');
  writeFileSync(config, JSON.stringify({ hostName: 'box', families: [4], services: [{ name: 'Box', type: '_http._tcp', port: 80 }] }));
  const programs: Record<string, string[]> = {
    qjs: [join(ROOT, 'build/qjs/qjs'), join(ROOT, 'dist/hush.mjs'), config],
    node: [process.execPath, join(ROOT, 'dist/node/platform/node/cli.js'), 'publish', 'Box', '_http._tcp', '80', '--host', 'box'],
  };
  const out: Record<string, number> = {};
  try {
    for (const [who, [cmd, ...args]] of Object.entries(programs)) {
      const lab = new Lab(`bench-start-${who}`);
      try {
        const [dev] = lab.link(1, [{ ns: lab.netns('dev') }, { ns: lab.netns('peer') }]);
        const capture = await startCapture(lab, `${lab.prefix}-br1`, 'br0');
        const t0 = Date.now();
        const p = new Proc(lab, dev.ns, cmd, args, { cwd: ROOT });
        await new Promise((r) => setTimeout(r, 3000));
        await p.stop('SIGTERM');
        const probe = (await capture.stop()).frames.find((f) => f.src === dev.v4 && !f.response && f.counts.ns > 0);
        if (!probe) throw new Error(`${who}: no probe seen\n${p.output}`);
        out[who] = Math.round(probe.t - t0);
      } finally {
        lab.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
