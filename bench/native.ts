// The raw-socket backend against dgram (issue 7), in a lab of two
// namespaces on one link: datagrams per second received and sent through
// each backend (bounded: at most COUNT datagrams and 10 s per run), and CPU
// time per mDNS datagram received through the raw backend with and without
// its kernel filter while the link carries as much other UDP. Both sides
// are Node processes running bench/lab/native-peer.ts.
import { fileURLToPath } from 'node:url';
import { Lab } from '../test/lab/netns.js';
import { Proc } from '../test/lab/proc.js';
import type { Bench } from './run.js';

const COUNT = 200_000;
const MS = 10_000;
const PEER = fileURLToPath(new URL('./lab/native-peer.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../', import.meta.url));

interface Recv { received: number; seconds: number; cpu_us: number; counters: Record<string, number> }
interface Send { sent: number; seconds: number; cpu_us: number }

function peer(lab: Lab, ns: string, opts: object): Proc {
  return new Proc(lab, ns, process.execPath, ['--no-warnings', '--loader', 'ts-node/esm', PEER, JSON.stringify(opts)], { cwd: ROOT });
}

async function result<T>(p: Proc): Promise<T> {
  const line = await p.waitFor(/^\{"(received|sent)"/, MS + 30_000);
  return JSON.parse(line) as T;
}

export async function native(): Promise<Bench> {
  const lab = new Lab('native');
  try {
    const s = lab.netns('send'), r = lab.netns('recv');
    const [ms, mr] = lab.link(1, [{ ns: s }, { ns: r }]);
    const receive = async (backend: 'raw' | 'dgram', filter: boolean, noise: boolean): Promise<Recv & { offered: number }> => {
      const rx = peer(lab, r, { backend, mode: 'recv', ifname: mr.ifname, count: COUNT, ms: MS, filter });
      await rx.waitFor(/"ready"/, 30_000);
      const tx = await result<Send>(peer(lab, s, { backend: 'dgram', mode: 'send', ifname: ms.ifname, count: COUNT, ms: MS, noise }));
      return { ...(await result<Recv>(rx)), offered: tx.sent };
    };
    const send = (backend: 'raw' | 'dgram'): Promise<Send> =>
      result<Send>(peer(lab, r, { backend, mode: 'send', ifname: mr.ifname, count: COUNT, ms: MS }));

    const rx = { dgram: await receive('dgram', true, false), raw: await receive('raw', true, false) };
    const tx = { dgram: await send('dgram'), raw: await send('raw') };
    const bpf = { on: await receive('raw', true, true), off: await receive('raw', false, true) };

    const pps = (n: number, sec: number): number => Math.round(n / Math.max(sec, 1e-6));
    const perPacket = (x: { cpu_us: number }, n: number): number => Number((x.cpu_us / Math.max(n, 1)).toFixed(2));
    const json = {
      count: COUNT,
      bound_ms: MS,
      note: 'receive rates are bounded by the one dgram sender on the other side; CPU µs per datagram is the receiver\'s own cost',
      receive: Object.fromEntries(Object.entries(rx).map(([k, v]) => [k, { offered: v.offered, received: v.received, pps: pps(v.received, v.seconds), cpu_us_per_packet: perPacket(v, v.received) }])),
      send: Object.fromEntries(Object.entries(tx).map(([k, v]) => [k, { sent: v.sent, pps: pps(v.sent, v.seconds), cpu_us_per_packet: perPacket(v, v.sent) }])),
      filter: Object.fromEntries(Object.entries(bpf).map(([k, v]) => [k, {
        mdns_received: v.received, other_offered: v.offered, cpu_us_per_mdns_packet: perPacket(v, v.received), raw_counters: v.counters,
      }])),
      ratios: {
        receive_raw_vs_dgram: Number((pps(rx.raw.received, rx.raw.seconds) / pps(rx.dgram.received, rx.dgram.seconds)).toFixed(2)),
        send_raw_vs_dgram: Number((pps(tx.raw.sent, tx.raw.seconds) / pps(tx.dgram.sent, tx.dgram.seconds)).toFixed(2)),
        cpu_filter_off_vs_on: Number((perPacket(bpf.off, bpf.off.received) / perPacket(bpf.on, bpf.on.received)).toFixed(2)),
      },
    };
    const rows = [
      ['run', 'datagrams', 'per second', 'CPU µs per datagram'],
      ['receive dgram', String(rx.dgram.received), String(json.receive.dgram.pps), String(json.receive.dgram.cpu_us_per_packet)],
      ['receive raw', String(rx.raw.received), String(json.receive.raw.pps), String(json.receive.raw.cpu_us_per_packet)],
      ['send dgram', String(tx.dgram.sent), String(json.send.dgram.pps), String(json.send.dgram.cpu_us_per_packet)],
      ['send raw', String(tx.raw.sent), String(json.send.raw.pps), String(json.send.raw.cpu_us_per_packet)],
      ['raw + other UDP, filter on', String(bpf.on.received), '', String(json.filter.on.cpu_us_per_mdns_packet)],
      ['raw + other UDP, filter off', String(bpf.off.received), '', String(json.filter.off.cpu_us_per_mdns_packet)],
    ];
    // Every run moved datagrams; the filter's worth is reported, not assumed.
    const ok = [rx.dgram.received, rx.raw.received, tx.dgram.sent, tx.raw.sent, bpf.on.received, bpf.off.received].every((n) => n > 0);
    return { rows, json, ok };
  } finally {
    lab.close();
  }
}
