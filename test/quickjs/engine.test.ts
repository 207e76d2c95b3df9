// The codec, minified as in dist/hush.mjs (build/codec.mjs keeps its exports
// and property names), inside the real QuickJS engines (bellard and
// quickjs-ng, via quickjs-emscripten) must decode and encode exactly as the
// sources do on Node. The device program itself is replayed in device.test.ts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { newQuickJSWASMModuleFromVariant, RELEASE_SYNC, type QuickJSSyncVariant } from 'quickjs-emscripten';
import ngModule from '@jitl/quickjs-ng-wasmfile-release-sync';
import * as hush from '../../src/index.js';
import type { EdnsOption, EncodeOptions, Message, Rec, RData } from '../../src/wire/types.js';
import { Rng, hex, message as randomMessage, mutate } from '../wire/gen.js';
import { vectors } from '../wire/vectors.js';
import { built, codecPath } from './bundle.js';

const { T } = hush;
// The package's exports give ESM importers its CommonJS typings, whose default
// is the module object; at run time the ESM default is the variant itself.
const NG = ngModule as unknown as QuickJSSyncVariant;

/**
 * Decodes a hex packet, re-encodes it with the same options (JSON) and reports
 * the result or the error as JSON. It runs on Node as is and inside QuickJS
 * from its source text, so it may only use what both have.
 */
function probe(h: typeof hush, packet: string, options: string): string {
  const opts = JSON.parse(options) as EncodeOptions;
  const toHex = (b: Uint8Array) => Array.from(b, (x) => (x < 16 ? '0' : '') + x.toString(16)).join('');
  const bytes = new Uint8Array(packet.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(packet.slice(2 * i, 2 * i + 2), 16);
  let stage = 'decode';
  try {
    const msg = h.decode(bytes, opts);
    stage = 'encode';
    const out = toHex(h.encode(msg, opts));
    const json = JSON.stringify(msg, (_key, v) =>
      v instanceof Uint8Array ? { hex: toHex(v) } : typeof v === 'bigint' ? { bigint: String(v) } : v);
    return JSON.stringify({ out, msg: json });
  } catch (e) {
    const err = e as { name?: string; message?: string; offset?: number; reason?: string; field?: string };
    return JSON.stringify({
      stage, decodeError: e instanceof h.DecodeError, encodeError: e instanceof h.EncodeError,
      name: err.name, message: err.message, offset: err.offset, reason: err.reason, field: err.field,
    });
  }
}

interface Outcome {
  out?: string; msg?: string; stage?: string; decodeError?: boolean;
  offset?: number; reason?: string;
}

interface Engine { probe(hex: string, opts: string): string; dispose(): void }

/** A QuickJS context with the bundle loaded as a module and `probe` compiled. */
async function open(variant: QuickJSSyncVariant, code: string): Promise<Engine> {
  const rt = (await newQuickJSWASMModuleFromVariant(variant)).newRuntime();
  const ctx = rt.newContext();
  const exports = ctx.unwrapResult(ctx.evalCode(code, 'hush.mjs', { type: 'module' }));
  const fn = ctx.unwrapResult(ctx.evalCode(`(${probe})`, 'probe.js', { type: 'global' }));
  return {
    probe(hex, opts) {
      const args = [ctx.newString(hex), ctx.newString(opts)];
      const result = ctx.callFunction(fn, ctx.undefined, exports, ...args);
      for (const arg of args) arg.dispose();
      const out = ctx.unwrapResult(result);
      try {
        return ctx.getString(out);
      } finally {
        out.dispose();
      }
    },
    dispose() {
      fn.dispose();
      exports.dispose();
      ctx.dispose();
      rt.dispose();
    },
  };
}

const text = (s: string) => new TextEncoder().encode(s);
const rr = (name: string, type: number, data: RData, more: Partial<Rec> = {}): Rec =>
  ({ name, type, class: 1, flush: false, ttl: 120, data, ...more });
const opt = (data: EdnsOption[], more: Partial<Rec> = {}): Rec =>
  ({ name: '', type: T.OPT, class: 1440, flush: false, ttl: 0, data, ...more });

const key = { flags: 256, protocol: 3, algorithm: 13, key: Uint8Array.from({ length: 64 }, (_, i) => i * 3) };

const query: Message = hush.message({
  questions: [
    { name: '_http._tcp.local', type: T.PTR, class: 1, qu: true },
    { name: 'printer.local', type: T.ANY, class: 1, qu: false },
  ],
  answers: [rr('_http._tcp.local', T.PTR, 'Web Server._http._tcp.local', { ttl: 4500 })],
  authorities: [rr('printer.local', T.A, '192.0.2.7'), rr('printer.local', T.AAAA, 'fe80::1:2:3:4')],
});

const service = 'Café Printer._ipp._tcp.local';
const response: Message = hush.message({
  qr: true, aa: true,
  answers: [
    rr('_ipp._tcp.local', T.PTR, service, { ttl: 4500 }),
    rr('_ipp._tcp.local', T.PTR, 'my\\.printer\\\\2._ipp._tcp.local', { ttl: 4500 }),
    rr(service, T.SRV, { priority: 0, weight: 0, port: 631, target: 'printer.local' }, { flush: true }),
    rr(service, T.TXT, [text('txtvers=1'), text('path=/ipp/print'), text('color'), new Uint8Array(0)], { flush: true }),
  ],
  additionals: [
    rr('printer.local', T.A, '192.0.2.7', { flush: true }),
    rr('printer.local', T.AAAA, '2001:db8::7', { flush: true }),
    rr('printer.local', T.NSEC, { next: 'printer.local', types: [T.A, T.AAAA] }, { flush: true }),
    rr(service, T.NSEC, { next: service, types: [T.TXT, T.SRV] }, { flush: true }),
    rr('odd\\255byte.local', T.A, '198.51.100.1'),
    opt([{ kind: 'tsr', code: hush.TSR_APPLE, index: 2, checksum: 0xdeadbeef, seconds: 42 }]),
  ],
});

const unicast: Message = hush.message({
  id: 0xbeef, qr: true, rd: true, ra: true, ad: true, cd: true, rcode: 3,
  questions: [{ name: 'www.example.com', type: T.A, class: 1, qu: false }],
  answers: [
    rr('www.example.com', T.CNAME, 'example.com'),
    rr('example.com', T.NS, 'ns1.example.com'),
    rr('example.com', T.KEY, key),
    rr('example.com', T.SIG, {
      typeCovered: T.A, algorithm: 13, labels: 2, originalTtl: 3600, expiration: 0xffffffff,
      inception: 1700000000, keyTag: 12345, signer: 'example.com', signature: Uint8Array.from({ length: 64 }, (_, i) => 255 - i),
    }),
    rr('example.com', 65280, Uint8Array.of(1, 2, 3, 0, 255)),
    rr('version.bind', T.TXT, [text('hush')], { class: 3 }),
  ],
  authorities: [rr('example.com', T.SOA, {
    mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 2024010101,
    refresh: 7200, retry: 3600, expire: 1209600, minimum: 300,
  })],
  additionals: [opt([
    { kind: 'llq', code: 1, version: 1, opcode: 1, error: 0, id: 0xfedcba9876543210n, lease: 7200 },
    { kind: 'mqtype', code: 20, types: [T.A, T.AAAA] },
    { kind: 'mqtype', code: 21, types: [T.AAAA] },
    { kind: 'raw', code: 10, data: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) },
  ], { class: 4096, ttl: 0x8000 })],
});

const update: Message = hush.message({
  id: 7, opcode: 5, tc: true, z: true,
  questions: [{ name: 'default.service.arpa', type: T.SOA, class: 1, qu: false }],
  authorities: [
    rr('host.default.service.arpa', T.AAAA, '2001:db8::1'),
    rr('host.default.service.arpa', T.KEY, key),
  ],
  additionals: [opt([
    { kind: 'lease', code: 2, lease: 3600, keyLease: 86400 },
    { kind: 'lease', code: 2, lease: 60 },
  ])],
});

interface Packet { name: string; hex: string; opts?: EncodeOptions }

const sample = (name: string, msg: Message, opts?: EncodeOptions): Packet => ({ name, hex: hex(hush.encode(msg, opts)), opts });

/** Packets encoded on Node: every record type, EDNS option and flag, with and without compression. */
const samples: Packet[] = [
  sample('empty', hush.message({})),
  sample('mDNS query', query),
  sample('mDNS response', response),
  sample('mDNS response, SRV target uncompressed', response, { compressSrv: false }),
  sample('mDNS response, draft TSR layout', response, { tsrLayout: 'draft', tsrCode: 65001 }),
  { name: 'mDNS response, packed in 200 bytes', hex: hex(hush.pack(response, { budget: 200 }).data) },
  sample('unicast response', unicast),
  sample('update', update),
];

/** Packets the decoder must reject. */
const malformed: Packet[] = [
  { name: 'header cut short', hex: '0000840000' },
  { name: 'question count larger than the packet', hex: '0000000000ff000000000000' },
  { name: 'compression pointer to itself', hex: '000000000001000000000000c00c00010001' },
  { name: 'label running past the end', hex: '00000000000100000000000005ab' },
];

const code = Buffer.from(built(codecPath)).toString('utf8');

/** Probes `p` in QuickJS, asserts Node gives the very same answer, and returns it. */
function same(qjs: Engine, p: Packet): Outcome {
  const opts = JSON.stringify(p.opts ?? {});
  const got = qjs.probe(p.hex, opts);
  assert.is(got, probe(hush, p.hex, opts), `${p.name}: ${p.hex}`);
  return JSON.parse(got) as Outcome;
}

for (const [name, variant] of [['bellard', RELEASE_SYNC], ['quickjs-ng', NG]] as const) {
  const s = suite(`QuickJS ${name}`);
  let qjs: Engine;
  s.before(async () => {
    qjs = await open(variant, code);
  });
  s.after(() => qjs.dispose());

  s('sample packets decode to the same message as on Node and re-encode unchanged', () => {
    for (const p of samples) assert.is(same(qjs, p).out, p.hex, p.name);
  });

  s('test vectors decode and re-encode as on Node', () => {
    for (const v of vectors) same(qjs, v);
  });

  s('malformed packets raise DecodeError with the same offset and reason as on Node', () => {
    for (const p of malformed) {
      const got = same(qjs, p);
      assert.ok(got.stage === 'decode' && got.decodeError, `${p.name}: ${JSON.stringify(got)}`);
      assert.type(got.offset, 'number', p.name);
      assert.ok(got.reason, p.name);
    }
  });

  s('truncated samples, random messages and their mutations behave as on Node', () => {
    const rng = new Rng(0x5eed);
    const cuts = samples.flatMap((p) => Array.from({ length: p.hex.length / 2 }, (_, n) => ({ ...p, hex: p.hex.slice(0, 2 * n) })));
    const randoms = Array.from({ length: 200 }, () => hush.encode(randomMessage(rng)));
    const mutants = randoms.flatMap((p, i) => Array.from({ length: 10 }, () => mutate(rng, p, randoms[(i + 1) % randoms.length])));
    for (const p of [...cuts, ...[...randoms, ...mutants].map((b) => ({ name: 'random', hex: hex(b) }))]) {
      const got = same(qjs, p);
      assert.ok(got.stage !== 'decode' || got.decodeError, `decode threw something else than DecodeError: ${JSON.stringify(got)}`);
    }
  });

  s.run();
}
