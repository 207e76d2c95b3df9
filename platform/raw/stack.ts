// The direct UDP/IP stack of the raw-socket backend (issue 7), in portable
// TypeScript: from an Ethernet frame to a UDP payload with the exact
// metadata the engines need, and back. It holds no state and knows no
// sockets: platform code feeds it frames per interface.
import { formatIp, parseIp } from '../../src/net.js';
import { ETHERNET_HEADER, ETHERTYPE_IPV4, ETHERTYPE_IPV6, readEthernet, writeEthernet } from './ethernet.js';
import type { Mac } from './ethernet.js';
import { FrameError } from './errors.js';
import { readIpv4, writeIpv4 } from './ipv4.js';
import { readIpv6, writeIpv6 } from './ipv6.js';
import { readUdp, writeUdp } from './udp.js';

/** A UDP datagram as it arrived: who sent it to which address, on which interface, with what IP TTL. */
export interface Received {
  ifindex: number;
  family: 4 | 6;
  /** The sender's MAC: a unicast reply goes back to it. */
  srcMac: Mac;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  /** IPv4 TTL or IPv6 hop limit (RFC 6762 §11). */
  ttl: number;
  payload: Uint8Array;
}

/** What the device said of a frame beside its bytes (platform/raw/device.ts FrameHandler). */
export interface ReceiveOptions {
  /** The machine vouches for the UDP checksum (made on this machine, or verified by the NIC): it is not checked. */
  checksumTrusted?: boolean;
}

/** Reads one frame received on interface `ifindex`; a frame that is not a whole, checked UDP datagram throws FrameError. */
export function receive(frame: Uint8Array, ifindex: number, opts: ReceiveOptions = {}): Received {
  const eth = readEthernet(frame);
  const ip = eth.type === ETHERTYPE_IPV4 ? readIpv4(frame, ETHERNET_HEADER)
    : eth.type === ETHERTYPE_IPV6 ? readIpv6(frame, ETHERNET_HEADER)
      : undefined;
  if (!ip) throw new FrameError('notUdp', 12, `EtherType ${eth.type.toString(16)}`);
  const udp = readUdp(frame, ip, opts.checksumTrusted ?? false);
  return { ifindex, family: ip.family, srcMac: eth.src, src: formatIp(ip.src), dst: formatIp(ip.dst), ttl: ip.ttl, ...udp };
}

/** A UDP datagram to send as one frame. */
export interface Outgoing {
  srcMac: Mac;
  /** The group's MAC (multicastMac) or the MAC the query came from. */
  dstMac: Mac;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
  /** IPv4 TTL or IPv6 hop limit; RFC 6762 §11: 255. */
  ttl?: number;
  /** IPv4 identification and don't-fragment flag; IPv6 flow label. */
  id?: number;
  dontFragment?: boolean;
  flow?: number;
}

/** Builds the frame for one datagram; throws TypeError naming the field when an address is not one of the same family. */
export function build(o: Outgoing): Uint8Array {
  const src = parseIp(o.src);
  const dst = parseIp(o.dst);
  if (!src) throw new TypeError(`raw: src '${o.src}' is not an IP address`);
  if (dst?.length !== src.length) throw new TypeError(`raw: dst '${o.dst}' is not an IPv${src.length === 4 ? 4 : 6} address`);
  const v4 = src.length === 4;
  const udp = { srcPort: o.srcPort, dstPort: o.dstPort, payload: o.payload };
  const frame = new Uint8Array(ETHERNET_HEADER + (v4 ? 20 : 40) + 8 + o.payload.length);
  writeEthernet(frame, { dst: o.dstMac, src: o.srcMac, type: v4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6 });
  const ttl = o.ttl ?? 255;
  const at = v4
    ? writeIpv4(frame, ETHERNET_HEADER, { src, dst, ttl, id: o.id ?? 0, dontFragment: o.dontFragment ?? false }, 8 + o.payload.length)
    : writeIpv6(frame, ETHERNET_HEADER, { src, dst, ttl, flow: o.flow ?? 0 }, 8 + o.payload.length);
  writeUdp(frame, at, src, dst, udp);
  return frame;
}
