// One side of the native bench, run inside a lab namespace, never on the
// host's interfaces:
//   ip netns exec NS node --no-warnings --loader ts-node/esm bench/lab/native-peer.ts '{options}'
// recv: listens on the mDNS group through one backend, prints "ready", then
//   counts what reaches the engine's socket until `count` datagrams came or
//   `ms` passed since the first, and prints
//   {"received","seconds" (first to last datagram),"cpu_us","counters"}.
// send: sends `count` mDNS queries through one backend out of `ifname` (with
//   `noise`, as many datagrams to port 9999 besides) and prints
//   {"sent","seconds","cpu_us"} once the platform has let them all go.
import { createPlatform } from '../../platform/node/backend.js';
import { encode, message, T } from '../../src/wire/index.js';

interface Options {
  backend: 'raw' | 'dgram';
  mode: 'recv' | 'send';
  ifname: string;
  count: number;
  ms: number;
  /** Raw backend: the kernel filter (default on). */
  filter?: boolean;
  /** send: after each query, one datagram of the same size to the group's port 9999 (traffic the filter keeps out). */
  noise?: boolean;
}

/** Hard caps: the run is bounded whatever the caller asks. */
const MAX_COUNT = 1_000_000;
const MAX_MS = 15_000;

const o = JSON.parse(process.argv[2] ?? '{}') as Options;
const count = Math.min(o.count, MAX_COUNT);
const ms = Math.min(o.ms, MAX_MS);
const p = createPlatform({ backend: o.backend, interfaces: [o.ifname], filter: o.filter ?? true, log: () => undefined });
const ifc = p.interfaces().find((i) => i.name === o.ifname);
if (!ifc) throw new Error(`no interface ${o.ifname}`);
const sock = p.open({ family: 4, port: 5353, group: '224.0.0.251' });
sock.join(ifc.index);

const out = (x: object): void => { process.stdout.write(`${JSON.stringify(x)}\n`); };

if (o.mode === 'recv') {
  let received = 0;
  let start = 0;
  let last = 0;
  let cpu0 = process.cpuUsage();
  const finish = (): void => {
    const cpu = process.cpuUsage(cpu0);
    out({ received, seconds: (last - start) / 1000, cpu_us: cpu.user + cpu.system, counters: 'counters' in p ? p.counters : {} });
    void p.close().then(() => process.exit(0));
  };
  sock.onMessage(() => {
    last = performance.now();
    if (received++ === 0) {
      start = performance.now();
      cpu0 = process.cpuUsage();
      setTimeout(finish, ms);
    }
    if (received === count) finish();
  });
  // Nothing at all: give up after the bound.
  setTimeout(finish, ms + 5000).unref();
  setTimeout(() => out({ ready: true }), 200);
} else {
  const q = encode(message({ questions: [{ name: 'bench.local', type: T.A, class: 1, qu: false }] }));
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const other = o.noise ? p.open({ family: 4, port: 0 }) : undefined;
  let sent = 0;
  const batch = (): void => {
    for (let i = 0; i < 500 && sent < count; i++, sent++) {
      sock.send(q, { addr: '224.0.0.251', port: 5353, ifindex: ifc.index });
      other?.send(q, { addr: '224.0.0.251', port: 9999, ifindex: ifc.index });
    }
    if (sent < count && performance.now() - start < ms) setImmediate(batch);
    else void p.close().then(() => {
      const cpu = process.cpuUsage(cpu0);
      out({ sent, seconds: (performance.now() - start) / 1000, cpu_us: cpu.user + cpu.system });
      process.exit(0);
    });
  };
  setTimeout(batch, 200);
}
