// The platform contract over raw Ethernet (issue 7): the port-5353 sockets
// of the engines read and write whole frames on a RawDevice's ports through
// the direct stack; the clock, timers, randomness, TCP, the log and every
// other UDP socket (the stub resolver's unicast DNS) come from `base`.
import type { Cancel, NetInterface, Platform } from '../../src/platform.js';
import { canonicalIp, formatIp, isMulticast, parseIp } from '../../src/net.js';
import { sameInterfaces, tellInterfaces } from '../interfaces.js';
import type { RawDevice, RawInterface } from './device.js';
import { FrameError } from './errors.js';
import { Neighbours } from './neighbours.js';
import { Ports } from './ports.js';
import { RawSocket } from './socket.js';
import type { RawHost, Usable } from './socket.js';
import { receive } from './stack.js';
import type { Received } from './stack.js';
import { codeOf, type Log, Tally, why } from './tally.js';

export interface RawPlatformOptions {
  /** Only these interfaces (by name); default every up, non-loopback interface with a MAC and an address. */
  interfaces?: string[];
  /** The raw ports' kernel filter, only UDP to or from port 5353 (default true). */
  filter?: boolean;
  /** Peers whose MAC is remembered for unicast replies (default 256). */
  neighbours?: number;
  /** How long a burst of change signals is gathered before the list is read again, in ms (default 50). */
  settleMs?: number;
  /** Where the backend's own messages go (default base.log). */
  log?: Log;
}

export type RawPlatform = Platform & {
  onInterfaces(fn: (list: NetInterface[]) => void): Cancel;
  /**
   * A copy of the counts: `frames` read from the ports, `delivered` datagrams,
   * `sent` frames, `viaGuard` datagrams the guard sent, `looped` local-only
   * copies of sent multicast the guard handed this host's sockets
   * (`notLooped`: no guard membership of the group on the interface);
   * drops `frame.<reason>` (FrameReason), `unknownInterface`, `noAddress`,
   * `noInterface`, `noGuard`, `sendClosed`; `portsLost` (an interface went
   * away); failed calls `<call>.<errno name>` (openPort, openGuard,
   * guardJoin, guardLeave, guardSend, guardLoop, send, closePort,
   * closeGuard, interfaces, watch); listeners that
   * threw, `listenerError` and `watcherError`.
   */
  readonly counters: Readonly<Record<string, number>>;
  /** Closes every raw socket, port, guard and the change watch, then `base`. */
  close(): Promise<void>;
};

/** RFC 6762 §3: the port whose group sockets the raw path serves. */
const MDNS_PORT = 5353;

/**
 * Up, with a MAC and an address, and not loopback even when named: a packet
 * socket on loopback hears each frame twice and its own frames too.
 */
const usable = (i: RawInterface, only: readonly string[] | undefined): i is Usable =>
  i.up && !i.loopback && i.mac !== undefined && i.addrs.length > 0 && (!only || only.includes(i.name));

const netInterface = (i: RawInterface): NetInterface =>
  ({ index: i.index, name: i.name, up: i.up, multicast: i.multicast, addrs: i.addrs.map((a) => ({ ...a })) });

export function createRawPlatform(
  device: RawDevice,
  base: Platform & { close?(): void | Promise<void> },
  opts: RawPlatformOptions = {},
): RawPlatform {
  const log: Log = opts.log ?? ((level, msg, data) => base.log?.(level, msg, data));
  const tally = new Tally(log);
  const neighbours = new Neighbours(opts.neighbours);
  const sockets = new Set<RawSocket>();
  const watchers = new Set<(list: NetInterface[]) => void>();
  /** Every interface the device reported last, and the usable ones among them. */
  let all: RawInterface[] = [];
  let list: Usable[] = [];
  let id = 0;
  let settling: Cancel | undefined;
  let unwatch: Cancel | undefined;
  let done: Promise<void> | undefined;

  const refresh = (): Usable[] => {
    try {
      all = device.interfaces();
      list = all.filter((i): i is Usable => usable(i, opts.interfaces));
    } catch (e) {
      tally.problem(`interfaces.${codeOf(e)}`, 'error', 'cannot read the interface list', why(e));
    }
    return list;
  };

  /** One frame from a port; checksumTrusted: the device vouches for its UDP checksum (device.ts FrameHandler), which is then not checked. */
  const frame = (ifindex: number, data: Uint8Array, outgoing: boolean, checksumTrusted: boolean): void => {
    tally.count('frames');
    let r: Received;
    try {
      r = receive(data, ifindex, { checksumTrusted });
    } catch (e) {
      if (!(e instanceof FrameError)) throw e;
      return tally.problem(`frame.${e.reason}`, 'info', `frame dropped: ${e.message}`, { ifindex });
    }
    // A frame this host sent (ours or another local sender's) says nothing about a peer's MAC; nor does a group source MAC.
    if (!outgoing && (r.srcMac[0] & 1) === 0) neighbours.learn(ifindex, r.src, r.srcMac);
    const own = list.find((i) => i.index === ifindex)?.addrs.some((a) => canonicalIp(a.addr) === r.dst) ?? false;
    const meta = { src: r.src, srcPort: r.srcPort, ifindex, dst: r.dst, ttl: r.ttl };
    for (const s of [...sockets]) {
      if (!s.wants(r, own)) continue;
      tally.count('delivered');
      s.deliver(r.payload, meta);
    }
  };

  const ports = new Ports(device, opts.filter ?? true, tally, frame);

  const host: RawHost = {
    tally,
    ports,
    iface: (ifindex) => list.find((i) => i.index === ifindex) ?? refresh().find((i) => i.index === ifindex),
    zone: (zone) => list.find((i) => i.name === zone || String(i.index) === zone)?.index,
    neighbour: (ifindex, ip) => neighbours.get(ifindex, ip),
    nextId: () => (id = (id + 1) & 0xffff),
    forget: (s) => { sockets.delete(s as RawSocket); },
  };

  let seen = refresh().map(netInterface);

  /** After a burst of change signals: ports of interfaces no longer usable close, then listeners hear of a changed list. */
  const changed = (): void => {
    settling = undefined;
    if (done) return;
    refresh();
    for (const ifindex of ports.indexes) {
      if (list.some((i) => i.index === ifindex)) continue;
      const gone = !all.some((i) => i.index === ifindex);
      for (const s of [...sockets]) s.lost(ifindex, gone);
      ports.closePort(ifindex);
      neighbours.forget(ifindex);
      tally.count('portsLost');
    }
    const now = list.map(netInterface);
    if (sameInterfaces(seen, now)) return;
    seen = now;
    tellInterfaces(watchers, now, (e) => tally.problem('watcherError', 'error', 'interface listener threw', why(e)));
  };

  try {
    unwatch = device.watch(() => { if (!done && !settling) settling = base.timer(opts.settleMs ?? 50, changed); });
  } catch (e) {
    tally.problem(`watch.${codeOf(e)}`, 'error', 'cannot watch the interfaces', why(e));
  }

  return {
    now: () => base.now(),
    timer: (ms, fn) => base.timer(ms, fn),
    random: () => base.random(),
    interfaces: () => refresh().map(netInterface),
    onInterfaces(fn) {
      watchers.add(fn);
      return () => { watchers.delete(fn); };
    },
    open(o) {
      if (o.port !== MDNS_PORT || o.group === undefined) return base.open(o);
      if (o.family !== 4 && o.family !== 6) throw new TypeError(`raw: open family ${String(o.family)} is not 4 or 6`);
      const g = parseIp(o.group);
      if (!g || g.length !== (o.family === 4 ? 4 : 16) || !isMulticast(g)) throw new TypeError(`raw: open group '${o.group}' is not an IPv${o.family} multicast address`);
      const s = new RawSocket(o.family, o.port, formatIp(g), host);
      sockets.add(s);
      return s;
    },
    ...(base.connect && { connect: base.connect.bind(base) }),
    ...(base.log && { log: base.log.bind(base) }),
    get counters() { return { ...tally.counters }; },
    close() {
      done ??= (async () => {
        settling?.();
        unwatch?.();
        watchers.clear();
        for (const s of [...sockets]) s.close();
        ports.closeAll();
        await base.close?.();
      })();
      return done;
    },
  };
}
