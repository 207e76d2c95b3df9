// One socket of the raw backend: the engine's port-5353 socket of a family,
// its datagrams read from the raw ports of the interfaces it joined and its
// packets written there as whole frames, with the metadata dgram cannot give
// (the receiving interface, the destination, the TTL) exact. What the raw
// path cannot send goes through the family's guard socket and the kernel,
// and the guard loops a local-only copy of each multicast datagram back to
// this host's own sockets.
import type { PacketMeta, SendTarget, Socket } from '../../src/platform.js';
import { formatIp, isLinkLocal6, isMulticast, onLink, parseIp, samePrefix } from '../../src/net.js';
import type { RawInterface } from './device.js';
import { multicastMac } from './ethernet.js';
import type { Mac } from './ethernet.js';
import type { Ports } from './ports.js';
import { build } from './stack.js';
import type { Received } from './stack.js';
import { codeOf, type Tally, why } from './tally.js';

/** An interface the raw path can use: up, with a MAC and an address. */
export type Usable = RawInterface & { mac: Mac };

/** What a socket asks of its platform. */
export interface RawHost {
  readonly tally: Tally;
  readonly ports: Ports;
  /** The usable interface with this index (the list is read again when the cached one lacks it). */
  iface(ifindex: number): Usable | undefined;
  /** The interface a zone names ('eth0' or '2'). */
  zone(zone: string): number | undefined;
  /** The MAC a peer last sent from on an interface. */
  neighbour(ifindex: number, ip: string): Mac | undefined;
  /** The next IPv4 identification. */
  nextId(): number;
  /** Called once, when the socket closes. */
  forget(s: RawSocket): void;
}

type Listener = (data: Uint8Array, meta: PacketMeta) => void;

/** The largest UDP payload one 1500-byte Ethernet frame carries: less the IPv4 (20) or IPv6 (40) and UDP (8) headers. */
const MAX_PAYLOAD = { 4: 1472, 6: 1452 } as const;

/**
 * The address a datagram to `dst` leaves from: for unicast, the interface's
 * address whose prefix holds `dst`; otherwise the first IPv4 address, or the
 * IPv6 link-local one (which every receiver takes as on-link, RFC 6762 §11)
 * else the first IPv6 address.
 */
function source(i: RawInterface, family: 4 | 6, dst: Uint8Array): string | undefined {
  const mine = i.addrs.filter((a) => a.family === family).map((a) => ({ a, bytes: parseIp(a.addr) }));
  const pick = (!isMulticast(dst) && mine.find((m) => m.bytes && samePrefix(m.bytes, dst, m.a.prefix)))
    || (family === 6 && mine.find((m) => m.bytes && isLinkLocal6(m.bytes)))
    || mine[0];
  return pick ? pick.a.addr : undefined;
}

export class RawSocket implements Socket {
  private readonly joined = new Set<number>();
  private readonly listeners: Listener[] = [];
  /** Whether this socket holds a use of the family's guard. */
  private readonly guarded: boolean;
  private closed = false;

  /** @param group the group in canonical form */
  constructor(readonly family: 4 | 6, readonly port: number, readonly group: string, private readonly host: RawHost) {
    this.guarded = host.ports.guardUp(family, port) !== undefined;
  }

  /** Opens (or shares) the interface's raw port and joins the group on the guard; trouble is counted and logged once, never thrown. */
  join(ifindex: number): void {
    if (this.closed || this.joined.has(ifindex)) return;
    if (!this.host.iface(ifindex)) {
      this.host.tally.problem('unknownInterface', 'warn', 'join: no usable interface (up, with a MAC and an address) has this index', { ifindex });
      return;
    }
    if (!this.host.ports.attach(ifindex)) return;
    this.host.ports.join(this.family, this.port, this.group, ifindex);
    this.joined.add(ifindex);
  }

  leave(ifindex: number): void { this.drop(ifindex, false); }

  /** The interface is no longer usable: its membership ends (`gone`: the kernel removed the device, and its memberships with it). */
  lost(ifindex: number, gone: boolean): void { this.drop(ifindex, gone); }

  /**
   * Multicast leaves as one frame on the named interface's port, unicast too
   * when the peer's MAC is known. The guard (and the kernel's ARP or ND) takes
   * a unicast destination whose MAC is not known or that names no interface,
   * a datagram too large for one frame, and a send on an interface without
   * an open port.
   */
  send(data: Uint8Array, to: SendTarget): void {
    const { tally, ports } = this.host;
    if (this.closed) return tally.count('sendClosed');
    const [text, zone] = to.addr.split('%');
    const dst = parseIp(text);
    if (!dst || dst.length !== (this.family === 4 ? 4 : 16)) throw new TypeError(`raw: send to.addr '${to.addr}' is not an IPv${this.family} address`);
    if (!Number.isInteger(to.port) || to.port < 1 || to.port > 65535) throw new TypeError(`raw: send to.port ${to.port} is not a port`);
    const addr = formatIp(dst);
    const multicast = isMulticast(dst);
    const ifindex = to.ifindex ?? (zone === undefined ? undefined : this.host.zone(zone));
    if (ifindex === undefined) {
      if (multicast) return tally.problem('noInterface', 'warn', 'multicast send names no interface', { to: addr });
      return this.viaGuard(data, addr, to.port, 0);
    }
    const i = this.host.iface(ifindex);
    if (!i) return tally.problem('unknownInterface', 'warn', 'send: no usable interface has this index', { ifindex, to: addr });
    const raw = ports.port(ifindex);
    const dstMac = multicast ? multicastMac(dst) : this.host.neighbour(ifindex, addr);
    const src = source(i, this.family, dst);
    // An off-link unicast destination (its MAC a router's) is routed by the kernel, with a source address it can route back to.
    const routed = !multicast && !onLink(i, addr);
    if (!raw || !dstMac || routed || data.length > MAX_PAYLOAD[this.family]) return this.viaGuard(data, addr, to.port, ifindex);
    if (src === undefined) return tally.problem('noAddress', 'warn', `send: the interface has no IPv${this.family} address`, { ifindex, to: addr });
    // RFC 6762 §11: TTL 255. A datagram that needs fragments went to the guard, so this one is sent don't-fragment, as Linux sends it.
    const frame = build({
      srcMac: i.mac, dstMac, src, dst: addr, srcPort: this.port, dstPort: to.port, payload: data,
      ttl: 255, id: this.host.nextId(), dontFragment: true,
    });
    try {
      raw.send(frame);
      tally.count('sent');
    } catch (e) {
      if (codeOf(e) === 'EMSGSIZE') return this.viaGuard(data, addr, to.port, ifindex);
      return tally.problem(`send.${codeOf(e)}`, 'warn', 'send on a raw port failed', { ifindex, to: addr, ...why(e) });
    }
    if (multicast) this.loop(data, addr, to.port, ifindex);
  }

  onMessage(fn: Listener): void { this.listeners.push(fn); }

  /** Whether a datagram is for this socket: its family and port, to the group on an interface it joined, or to the receiving interface's own address (`own`). */
  wants(r: Received, own: boolean): boolean {
    return !this.closed && r.family === this.family && r.dstPort === this.port && (r.dst === this.group ? this.joined.has(r.ifindex) : own);
  }

  /** Hands a datagram to every listener, each its own copy. */
  deliver(payload: Uint8Array, meta: PacketMeta): void {
    for (const fn of this.listeners) {
      try {
        fn(payload.slice(), { ...meta });
      } catch (e) {
        this.host.tally.problem('listenerError', 'error', 'message listener threw', why(e));
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const ifindex of [...this.joined]) this.drop(ifindex, false);
    if (this.guarded) this.host.ports.guardDown(this.family, this.port);
    this.listeners.length = 0;
    this.host.forget(this);
  }

  private drop(ifindex: number, gone: boolean): void {
    if (!this.joined.delete(ifindex)) return;
    this.host.ports.leave(this.family, this.port, this.group, ifindex, gone);
    this.host.ports.detach(ifindex);
  }

  /**
   * A frame a raw port writes goes to the wire only, so this host's own
   * sockets (avahi-daemon beside hush, hush on the dgram backend) would never
   * hear this multicast, where a kernel socket's is looped back to them
   * (IP_MULTICAST_LOOP). The guard hands the kernel a local-only copy: the
   * datagram with TTL / hop limit 0, which Linux loops back to the group's
   * local members and then drops before the device (net/ipv4/ip_output.c
   * ip_mc_output: "Multicasts with ttl 0 must not go beyond the host";
   * net/ipv6/ip6_output.c ip6_finish_output2 drops hop limit 0 after its
   * loopback clone). Both rules hold only where the host is a member of the
   * group, so only where the guard joined it; elsewhere the copy would leave
   * with TTL 0. The raw ports never hear the copy (PACKET_LOOPBACK).
   * Unicast needs none: a local destination already goes through the guard
   * and the kernel, as does multicast the guard sends itself.
   */
  private loop(data: Uint8Array, group: string, port: number, ifindex: number): void {
    const { tally, ports } = this.host;
    const guard = ports.guard(this.family, this.port);
    if (!guard || !ports.member(this.family, this.port, group, ifindex)) return tally.count('notLooped');
    try {
      guard.loop(data, group, port, ifindex);
      tally.count('looped');
    } catch (e) {
      tally.problem(`guardLoop.${codeOf(e)}`, 'warn', 'the local copy of a multicast datagram could not go through the guard', { ifindex, to: group, ...why(e) });
    }
  }

  private viaGuard(data: Uint8Array, addr: string, port: number, ifindex: number): void {
    const { tally } = this.host;
    const guard = this.host.ports.guard(this.family, this.port);
    if (!guard) return tally.problem('noGuard', 'warn', `no IPv${this.family} guard socket to send through`, { to: addr });
    try {
      guard.send(data, addr, port, ifindex);
      tally.count('viaGuard');
    } catch (e) {
      tally.problem(`guardSend.${codeOf(e)}`, 'warn', 'send through the guard socket failed', { ifindex, to: addr, ...why(e) });
    }
  }
}
