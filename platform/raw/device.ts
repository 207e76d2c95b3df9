// What the raw-socket backend asks of the machine (issue 7): raw Ethernet
// ports per interface, the interface list with MAC addresses, a change
// signal, and one plain UDP socket per family. platform/native provides it
// over AF_PACKET and netlink (an N-API addon); tests provide it in memory.
// Nothing here is Node-specific, so QuickJS bindings can provide it too.
import type { NetAddress } from '../../src/platform.js';
import type { Mac } from './ethernet.js';

export interface RawInterface {
  index: number;
  name: string;
  up: boolean;
  multicast: boolean;
  loopback: boolean;
  /** The hardware address frames leave with; undefined for a device without one (a tunnel). */
  mac?: Mac;
  addrs: NetAddress[];
}

/** An error from the machine: the call that failed and its errno name ('EPERM', 'ENXIO', ...). */
export interface DeviceError extends Error {
  code?: string;
}

/** One raw socket bound to one interface. */
export interface RawPort {
  /** Sends one whole Ethernet frame out of this interface; throws DeviceError. */
  send(frame: Uint8Array): void;
  close(): void;
}

export interface PortOptions {
  /** Multicast MAC addresses to receive (PACKET_ADD_MEMBERSHIP). */
  memberships: Mac[];
  /** The kernel filter: only UDP to or from port 5353 reaches JavaScript (default true; off for measuring it). */
  filter?: boolean;
}

/**
 * A plain UDP socket bound to a port: it keeps the kernel from answering
 * datagrams to that port with ICMP port unreachable, joins groups so the
 * switches and the NIC pass them, sends what the raw path cannot (a
 * unicast destination whose MAC is not known) out of exactly one interface
 * with TTL 255, and hands this host's own sockets a copy of the multicast
 * the raw path sent (`loop`). It delivers nothing: the raw ports hear
 * everything. (On Linux, IPv4: beside another socket of the port it is
 * bound to the mDNS group instead of the wildcard address and leaves that
 * socket the port's unicast, which then needs no guard against ICMP.)
 */
export interface Guard {
  join(group: string, ifindex: number): void;
  leave(group: string, ifindex: number): void;
  send(data: Uint8Array, addr: string, port: number, ifindex: number): void;
  /**
   * The datagram to `group` out of `ifindex` with TTL / hop limit 0, from
   * the guard's port (on Linux, IPv4: a second socket of the guard, bound to
   * the mDNS group and the same port, whose multicast TTL is 0 for good;
   * IPv6: the guard itself, hop limit 0 for that datagram alone; the guard's
   * own sends keep 255): the kernel's multicast loopback gives it to this host's sockets
   * that joined the group there, and nothing reaches the link (Linux drops
   * multicast with TTL 0 after looping it back; a frame a raw port writes
   * goes to the wire only). Only for a group this guard joined on
   * `ifindex`: without the membership Linux neither loops the datagram back
   * nor drops it. Throws DeviceError.
   */
  loop(data: Uint8Array, group: string, port: number, ifindex: number): void;
  close(): void;
}

/**
 * One frame a port heard. `outgoing`: this host sent it (another local
 * sender's frame, never the port's own). `checksumTrusted`: the machine says
 * its UDP checksum needs no check, because the checksum is not filled in yet
 * (the frame was made on this machine, by its own stack or by another
 * namespace or container across a veth, with transmit checksum offload:
 * Linux TP_STATUS_CSUMNOTREADY) or because the NIC verified it
 * (TP_STATUS_CSUM_VALID). A device that cannot tell says false.
 */
export type FrameHandler = (frame: Uint8Array, outgoing: boolean, checksumTrusted: boolean) => void;

export interface RawDevice {
  interfaces(): RawInterface[];
  /** Called (possibly in bursts) when links or addresses change; returns the cancel. */
  watch(fn: () => void): () => void;
  /** Throws DeviceError (code 'EPERM' without CAP_NET_RAW, 'ENODEV' for an unknown index). */
  openPort(ifindex: number, opts: PortOptions, onFrame: FrameHandler): RawPort;
  openGuard(family: 4 | 6, port: number): Guard;
}
