// A simulated host: interfaces on links, sockets, and the Platform it hands
// to the code under test (timers and randomness in virtual time, a log kept
// in memory).
import type {
  Cancel, LogLevel, NetInterface, OpenOptions, PacketMeta, Platform, SendTarget, Socket, Stream,
} from '../../src/platform.js';
import { type Address, formatIp, isLinkLocal6, isMulticast, parseCidr, parseIp, samePrefix } from './address.js';
import { pushCapped } from './capture.js';
import type { Clock } from './clock.js';
import type { Frame, Link } from './link.js';
import { connectPair, SimStream } from './tcp.js';
import type { Accept } from './tcp.js';

export interface IfaceSpec {
  name: string;
  link: Link;
  /** 'addr/prefix' text, one or several; the prefix defaults to /24 (IPv4) and /64 (IPv6). */
  v4?: string | string[];
  v6?: string | string[];
  /** Default true. */
  up?: boolean;
  /** Whether the interface sends and receives multicast; default true. */
  multicast?: boolean;
}

/** A live interface of a host. */
export interface Iface {
  host: Host;
  index: number;
  name: string;
  link: Link;
  up: boolean;
  multicast: boolean;
  addrs: Address[];
}

export interface LogEntry { t: number; level: LogLevel; msg: string; data?: object }

export interface SimSendTarget extends SendTarget {
  /** IP TTL / hop limit of this packet (default 255), e.g. 1 to look like a routed packet. */
  ttl?: number;
}

export interface SimSocket extends Socket {
  /** The bound port (the allocated one when opened with port 0). */
  readonly port: number;
  send(data: Uint8Array, to: SimSendTarget): void;
}

export interface SimPlatform extends Platform {
  open(opts: OpenOptions): SimSocket;
  onInterfaces(fn: (list: NetInterface[]) => void): Cancel;
  connect(to: { addr: string; port: number }): Stream;
  log(level: LogLevel, msg: string, data?: object): void;
}

type Listener = (data: Uint8Array, meta: PacketMeta) => void;

const EPHEMERAL = 49152;

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : v);

class Sock implements SimSocket {
  readonly joined = new Set<number>();
  readonly listeners: Listener[] = [];
  closed = false;

  constructor(private readonly host: Host, readonly family: 4 | 6, readonly port: number, readonly group: string | undefined) {}

  join(ifindex: number): void {
    this.check();
    if (this.group === undefined) throw new Error('sim: join on a socket opened without a group');
    this.joined.add(ifindex);
  }

  leave(ifindex: number): void { this.joined.delete(ifindex); }

  send(data: Uint8Array, to: SimSendTarget): void {
    this.check();
    this.host.send(this, data, to);
  }

  onMessage(fn: Listener): void { this.listeners.push(fn); }

  close(): void {
    this.closed = true;
    this.host.forget(this);
  }

  private check(): void {
    if (this.closed) throw new Error('sim: socket is closed');
  }
}

export class Host {
  readonly platform: SimPlatform;
  /** What the code under test logged, newest last (the older half is dropped past the limit). */
  readonly logs: LogEntry[] = [];
  private ifaces: Iface[] = [];
  /** ifindex by interface name, kept when an interface goes away and comes back. */
  private readonly indexes = new Map<string, number>();
  private sockets: Sock[] = [];
  private readonly watchers = new Set<(list: NetInterface[]) => void>();
  private notifying = false;
  private nextPort = EPHEMERAL;
  /** TCP listeners by port. */
  private readonly accepting = new Map<number, Accept>();

  constructor(readonly name: string, private readonly clock: Clock, random: () => number, logLimit: number, specs: IfaceSpec[]) {
    this.platform = {
      now: () => clock.now,
      timer: (ms, fn) => clock.at(clock.now + (ms > 0 ? ms : 0), fn),
      random,
      interfaces: () => this.interfaces(),
      onInterfaces: (fn) => {
        this.watchers.add(fn);
        return () => { this.watchers.delete(fn); };
      },
      open: (opts) => this.open(opts),
      connect: (to) => this.connect(to),
      log: (level, msg, data) => pushCapped(this.logs, data === undefined ? { t: clock.now, level, msg } : { t: clock.now, level, msg, data }, logLimit),
    };
    this.build(specs);
  }

  /** The interface list as the platform reports it (fresh copies). */
  interfaces(): NetInterface[] {
    return this.ifaces.map((i) => ({
      index: i.index, name: i.name, up: i.up, multicast: i.multicast,
      addrs: i.addrs.map((a) => ({ family: a.family, addr: a.addr, prefix: a.prefix })),
    }));
  }

  /** Replaces all interfaces; one with a name seen before keeps its ifindex. */
  setInterfaces(specs: IfaceSpec[]): void {
    const old = this.ifaces;
    this.build(specs);
    for (const i of old) i.link.detach(i);
    this.changed();
  }

  ifDown(name: string): void { this.iface(name).up = false; this.changed(); }
  ifUp(name: string): void { this.iface(name).up = true; this.changed(); }

  /** Adds 'addr/prefix' (IPv6 when it contains ':') to an interface. */
  addAddress(ifname: string, cidr: string): void {
    const i = this.iface(ifname);
    i.addrs.push(parseCidr(cidr, cidr.includes(':') ? 6 : 4));
    i.link.changed();
    this.changed();
  }

  removeAddress(ifname: string, addr: string): void {
    const i = this.iface(ifname);
    const bytes = parseIp(addr);
    const key = bytes && formatIp(bytes);
    const kept = i.addrs.filter((a) => a.addr !== key);
    if (kept.length === i.addrs.length) throw new Error(`sim: ${this.name}/${ifname} has no address ${addr}`);
    i.addrs = kept;
    i.link.changed();
    this.changed();
  }

  /** Called by a link: hands the packet to every socket of this host that wants it. */
  receive(i: Iface, f: Frame): void {
    if (!i.addrs.some((a) => a.family === f.family)) return;
    let takers = this.sockets.filter((s) => s.family === f.family && s.port === f.to.port &&
      (!f.multicast || (s.group === f.to.addr && s.joined.has(i.index))));
    // As on Linux with SO_REUSEADDR: every socket on the port gets a multicast
    // packet, but a unicast one goes to only one of them, the newest.
    if (!f.multicast) takers = takers.slice(-1);
    const meta: PacketMeta = { src: f.from.addr, srcPort: f.from.port, ifindex: i.index, dst: f.to.addr, ttl: f.ttl };
    for (const s of takers) {
      for (const fn of s.listeners) if (!s.closed) fn(f.data.slice(), { ...meta });
    }
  }

  /** Called by a socket. */
  send(s: Sock, data: Uint8Array, to: SimSendTarget): void {
    const [text, zone] = to.addr.split('%');
    const dst = parseIp(text);
    if (!dst || dst.length !== (s.family === 4 ? 4 : 16)) throw new Error(`sim: '${to.addr}' is not an IPv${s.family} address`);
    const multicast = isMulticast(dst);
    const out = this.route(s.family, dst, multicast, to.ifindex ?? (zone === undefined ? undefined : this.zone(zone)));
    const src = out && source(out, s.family, dst);
    if (!out || !src) {
      this.platform.log('debug', `sim: no interface to send to ${to.addr}`, { ifindex: to.ifindex });
      return;
    }
    out.link.transmit({
      family: s.family,
      from: { host: this.name, ifname: out.name, addr: src.addr, port: s.port },
      to: { addr: formatIp(dst), port: to.port },
      multicast,
      ttl: to.ttl ?? 255,
      data: data.slice(),
    });
  }

  /** Accepts TCP connections to `port` on every address of the host until the returned function is called. */
  listen(port: number, accept: Accept): Cancel {
    if (this.accepting.has(port)) throw new Error(`sim: ${this.name} already listens on TCP ${port}`);
    this.accepting.set(port, accept);
    return () => { this.accepting.delete(port); };
  }

  /**
   * A TCP connection (see tcp.ts): to a host on the link the route chooses
   * that listens on the port; otherwise the stream ends with an error after
   * the link's delay, as a refused or unroutable connection would.
   */
  private connect(to: { addr: string; port: number }): Stream {
    const dst = parseIp(to.addr);
    const family = dst?.length === 16 ? 6 : 4;
    const out = dst && this.route(family, dst, false, undefined);
    const src = out && dst && source(out, family, dst);
    const delay = out?.link.delay ?? 0;
    const holder = out && dst && out.link.owner(formatIp(dst)).find((i) => i.up);
    const accept = holder?.host.accepting.get(to.port);
    if (!src || !accept) {
      const s = new SimStream(this.clock, delay);
      s.fail(!src ? 'no route to host' : 'connection refused');
      return s;
    }
    return connectPair(this.clock, delay, accept, { addr: src.addr, port: this.ephemeral(family) });
  }

  /** Called by a socket on close. */
  forget(s: Sock): void {
    this.sockets = this.sockets.filter((x) => x !== s);
  }

  private open(opts: OpenOptions): SimSocket {
    if (opts.family !== 4 && opts.family !== 6) throw new Error(`sim: bad family ${String(opts.family)}`);
    if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error(`sim: bad port ${opts.port}`);
    let group: string | undefined;
    if (opts.group !== undefined) {
      const g = parseIp(opts.group);
      if (!g || g.length !== (opts.family === 4 ? 4 : 16) || !isMulticast(g)) throw new Error(`sim: bad IPv${opts.family} group ${opts.group}`);
      group = formatIp(g);
    }
    const s = new Sock(this, opts.family, opts.port || this.ephemeral(opts.family), group);
    this.sockets.push(s);
    return s;
  }

  private ephemeral(family: 4 | 6): number {
    for (;;) {
      const port = this.nextPort;
      this.nextPort = port === 65535 ? EPHEMERAL : port + 1;
      if (!this.sockets.some((s) => s.family === family && s.port === port)) return port;
    }
  }

  /**
   * The interface a packet leaves on: the one asked for; else, for unicast,
   * the first whose subnet holds the destination; else the first usable one
   * (up, with an address of the family, multicast-capable for multicast).
   */
  private route(family: 4 | 6, dst: Uint8Array, multicast: boolean, ifindex: number | undefined): Iface | undefined {
    const usable = (i: Iface): boolean => i.up && (i.multicast || !multicast) && i.addrs.some((a) => a.family === family);
    if (ifindex !== undefined) return this.ifaces.find((i) => i.index === ifindex && usable(i));
    const onLink = multicast ? undefined : this.ifaces.find((i) => usable(i) && i.addrs.some((a) => samePrefix(dst, a.bytes, a.prefix)));
    return onLink ?? this.ifaces.find(usable);
  }

  /** A '%zone' suffix: an interface index or name. */
  private zone(zone: string): number {
    const index = /^\d+$/.test(zone) ? Number(zone) : this.indexes.get(zone);
    if (index === undefined) throw new Error(`sim: ${this.name} has no interface '${zone}'`);
    return index;
  }

  private iface(name: string): Iface {
    const i = this.ifaces.find((x) => x.name === name);
    if (!i) throw new Error(`sim: ${this.name} has no interface '${name}'`);
    return i;
  }

  /** Parses every spec before attaching any, so a bad one leaves nothing half-built. */
  private build(specs: IfaceSpec[]): void {
    const made = specs.map((spec, n): Iface => {
      if (specs.findIndex((x) => x.name === spec.name) !== n) throw new Error(`sim: ${this.name} has two interfaces '${spec.name}'`);
      const addrs = [...list(spec.v4).map((a) => parseCidr(a, 4)), ...list(spec.v6).map((a) => parseCidr(a, 6))];
      return { host: this, index: 0, name: spec.name, link: spec.link, up: spec.up ?? true, multicast: spec.multicast ?? true, addrs };
    });
    for (const i of made) {
      let index = this.indexes.get(i.name);
      if (index === undefined) this.indexes.set(i.name, index = this.indexes.size + 1);
      i.index = index;
      i.link.attach(i);
    }
    this.ifaces = made;
  }

  /** Tells onInterfaces watchers once per instant, from the event queue (as an OS notification would arrive). */
  private changed(): void {
    if (this.notifying) return;
    this.notifying = true;
    this.clock.at(this.clock.now, () => {
      this.notifying = false;
      for (const fn of [...this.watchers]) fn(this.interfaces());
    });
  }
}

/**
 * The source address for `dst` on `out`: one on the destination's subnet;
 * else, for IPv6, a link-local one (the scope of ff02::/16 groups); else the first.
 */
function source(out: Iface, family: 4 | 6, dst: Uint8Array): Address | undefined {
  const mine = out.addrs.filter((a) => a.family === family);
  return mine.find((a) => samePrefix(dst, a.bytes, a.prefix)) ?? (family === 6 ? mine.find((a) => isLinkLocal6(a.bytes)) : undefined) ?? mine[0];
}
