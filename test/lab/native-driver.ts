// The native addon inside a lab namespace, for test/lab/native.test.ts: the
// test process stays in the host's namespace, so it runs this script under
// `ip netns exec` and reads '<tag> <JSON>' lines. The one argument is JSON:
//   { mode: 'load' }                       what loadDevice() says
//   { mode: 'interfaces' }                 the device's interface list (MACs as text)
//   { mode: 'errors' }                     openPort of an unknown index, a bad argument
//   { mode: 'port', ifname, filter, throwFirst?, closeFirst? }
//       prints each frame the port hears with what the device said of it
//       (outgoing, checksumTrusted), read by the stack as the raw platform
//       reads it, trusting the checksum when the device does, and `ownCheck`:
//       what the stack says without that word ('ok' or the drop reason); of a
//       frame the stack drops, its family and reason. stdin lines 'send <Outgoing JSON>'
//       (payload as text, MACs as text) send a frame through the port and
//       'dgram <{ addr, port, payload }>' a datagram through the host's stack;
//       throwFirst: onFrame throws on the first datagram; closeFirst: it closes
//       the port there (twice) and tries to send through it
//   { mode: 'guard', family, port, ifname }
//       holds a guard open; stdin lines 'join <{ group }>', 'leave <{ group }>',
//       'send <{ addr, port, payload }>' and 'loop <{ group, port, payload }>'
//       use it on ifname, each answered 'done <{ cmd, error?, code? }>'
//   { mode: 'watch' }                      prints 'change <{ addrs }>' per onChange, with
//       every address the interfaces then have; stdin 'hold <{ until }>' prints
//       'holding' and blocks the event loop until the file `until` exists, so
//       netlink messages pile up unread
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadDevice } from '../../platform/native/device.js';
import type { DeviceError, RawDevice, RawInterface } from '../../platform/raw/device.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, formatMac, multicastMac } from '../../platform/raw/ethernet.js';
import { FrameError } from '../../platform/raw/errors.js';
import { build, receive } from '../../platform/raw/stack.js';
import { parseIp } from '../../src/net.js';

interface Config { mode: string; ifname?: string; filter?: boolean; throwFirst?: boolean; closeFirst?: boolean; family?: 4 | 6; port?: number }

const say = (tag: string, value: unknown = {}): void => void process.stdout.write(`${tag} ${JSON.stringify(value)}\n`);
const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const parseMac = (s: string): Uint8Array => Uint8Array.from(s.split(':').map((x) => parseInt(x, 16)));

function device(): RawDevice {
  const r = loadDevice();
  if ('why' in r) throw new Error(r.why);
  return r.device;
}

function iface(dev: RawDevice, name: string | undefined): RawInterface {
  const i = dev.interfaces().find((x) => x.name === name);
  if (!i) throw new Error(`no interface ${name}`);
  return i;
}

/** The FrameError reason f throws, or undefined when it returns. */
function reason(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (e instanceof FrameError) return e.reason;
    throw e;
  }
}

function port(cfg: Config): void {
  const dev = device();
  const i = iface(dev, cfg.ifname);
  const memberships = [multicastMac(parseIp('224.0.0.251')!), multicastMac(parseIp('ff02::fb')!)];
  let first = true;
  process.on('uncaughtException', (e) => say('uncaught', { message: e.message }));
  const p = dev.openPort(i.index, { memberships, filter: cfg.filter }, (frame, outgoing, checksumTrusted) => {
    let datagram = false;
    try {
      const r = receive(frame, i.index, { checksumTrusted });
      const ownCheck = reason(() => receive(frame, i.index)) ?? 'ok';
      say('frame', { outgoing, checksumTrusted, ownCheck, src: r.src, dst: r.dst, dstPort: r.dstPort, ttl: r.ttl, payload: text(r.payload) });
      datagram = true;
    } catch (e) {
      const type = (frame[12] << 8) | frame[13];
      const family = type === ETHERTYPE_IPV4 ? 4 : type === ETHERTYPE_IPV6 ? 6 : undefined;
      say('frame', { outgoing, checksumTrusted, family, error: e instanceof FrameError ? e.reason : String(e) });
    }
    const wasFirst = first && datagram;
    first &&= !datagram;
    if (cfg.closeFirst && wasFirst) {
      p.close();
      p.close();
      try {
        p.send(frame);
      } catch (e) {
        const err = e as Error & { code?: string };
        say('afterClose', { message: err.message, code: err.code });
      }
    }
    if (cfg.throwFirst && wasFirst) throw new Error('onFrame threw');
  });
  const sock = createSocket('udp4');
  createInterface({ input: process.stdin }).on('line', (line) => {
    const [cmd, json] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
    const o = JSON.parse(json) as Record<string, string | number>;
    if (cmd === 'send') {
      p.send(build({
        srcMac: i.mac!, dstMac: parseMac(String(o.dstMac)), src: String(o.src), dst: String(o.dst),
        srcPort: Number(o.srcPort), dstPort: Number(o.dstPort), payload: Buffer.from(String(o.payload)),
      }));
      say('sent');
    } else if (cmd === 'dgram') {
      sock.send(String(o.payload), Number(o.port), String(o.addr), (e) => say('sent', { error: e?.message }));
    }
  }).on('close', () => { p.close(); sock.close(); });
  say('ready', { ifindex: i.index });
}

function guard(cfg: Config): void {
  const dev = device();
  const i = iface(dev, cfg.ifname);
  const g = dev.openGuard(cfg.family ?? 4, cfg.port ?? 5353);
  createInterface({ input: process.stdin }).on('line', (line) => {
    const [cmd, json] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
    const o = JSON.parse(json) as Record<string, string | number>;
    try {
      if (cmd === 'join') g.join(String(o.group), i.index);
      else if (cmd === 'leave') g.leave(String(o.group), i.index);
      else if (cmd === 'send') g.send(Buffer.from(String(o.payload)), String(o.addr), Number(o.port), i.index);
      else if (cmd === 'loop') g.loop(Buffer.from(String(o.payload)), String(o.group), Number(o.port), i.index);
      say('done', { cmd });
    } catch (e) {
      const err = e as DeviceError;
      say('done', { cmd, error: err.message, code: err.code });
    }
  }).on('close', () => g.close());
  say('ready');
}

/** Blocks the thread (no event loop turn) until the file exists, for at most HOLD_MS. */
const HOLD_MS = 30_000;
function hold(until: string): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const end = Date.now() + HOLD_MS;
  while (!existsSync(until) && Date.now() < end) Atomics.wait(cell, 0, 0, 10);
}

function watch(): void {
  const dev = device();
  const stop = dev.watch(() => say('change', { addrs: dev.interfaces().flatMap((i) => i.addrs.map((x) => x.addr)) }));
  createInterface({ input: process.stdin }).on('line', (line) => {
    const [cmd, json] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
    if (cmd === 'hold') {
      say('holding');
      hold(String((JSON.parse(json) as { until: string }).until));
    }
  }).on('close', stop);
  say('ready');
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as Config;
switch (cfg.mode) {
  case 'load': {
    const r = loadDevice();
    say('load', 'why' in r ? { why: r.why } : { ok: true });
    break;
  }
  case 'interfaces':
    say('interfaces', device().interfaces().map((i) => ({ ...i, mac: i.mac && formatMac(i.mac) })));
    break;
  case 'errors': {
    const dev = device();
    for (const f of [() => dev.openPort(999999, { memberships: [] }, () => {}), () => dev.openGuard(5 as 4, 5353)]) {
      try {
        f();
        say('error', { none: true });
      } catch (e) {
        const err = e as Error & { code?: string; errno?: number };
        say('error', { name: err.name, message: err.message, code: err.code, errno: err.errno });
      }
    }
    break;
  }
  case 'port':
    port(cfg);
    break;
  case 'guard':
    guard(cfg);
    break;
  case 'watch':
    watch();
    break;
  default:
    throw new Error(`unknown mode ${cfg.mode}`);
}
