// UDP (RFC 768) with its checksum over the pseudo-header of either family
// (RFC 768 for IPv4, RFC 8200 §8.1 for IPv6).
import { FrameError } from './errors.js';
import { finish, sum } from './checksum.js';
import { UDP_PROTOCOL } from './ipv4.js';
import type { IpPacket } from './ipv4.js';

const HEADER = 8;

/**
 * The pseudo-header's sum. Both families add the addresses, the protocol
 * and the UDP length; the IPv6 length is 32 bits, whose upper half is zero here.
 */
const pseudo = (src: Uint8Array, dst: Uint8Array, length: number): number => sum(dst, 0, dst.length, sum(src, 0, src.length)) + UDP_PROTOCOL + length;

export interface UdpDatagram { srcPort: number; dstPort: number; payload: Uint8Array }

/**
 * The datagram of `ip`, its checksum verified unless `trusted`: the device
 * said the machine vouches for it. Linux hands a packet socket the frames
 * made on this machine (the host's own, and those of other namespaces across
 * a veth) before the checksum is filled in, the field holding only the
 * pseudo-header's sum, and trusts them itself: include/linux/skbuff.h,
 * CHECKSUM_PARTIAL on input: "This may occur on a packet received directly
 * from another Linux OS, e.g., a virtualized Linux kernel on the same host
 * [...] For the purposes of checksum verification, the checksum referred to
 * by skb->csum_start + skb->csum_offset and any preceding checksums in the
 * packet are considered verified." packet(7) reports that state as
 * TP_STATUS_CSUMNOTREADY, and a checksum the NIC verified as
 * TP_STATUS_CSUM_VALID. The IPv4 header checksum is always computed in
 * software, so readIpv4 checks it whatever the device says; a zero UDP
 * checksum over IPv6 is refused either way.
 */
export function readUdp(frame: Uint8Array, ip: IpPacket, trusted = false): UdpDatagram {
  const at = ip.start;
  if (ip.end < at + HEADER) throw new FrameError('truncated', at, 'UDP header');
  const length = (frame[at + 4] << 8) | frame[at + 5];
  if (length < HEADER || ip.end < at + length) throw new FrameError('badLength', at + 4, `UDP length ${length}, ${ip.end - at} bytes`);
  const check = (frame[at + 6] << 8) | frame[at + 7];
  // RFC 768: zero is "no checksum" over IPv4; RFC 8200 §8.1: IPv6 receivers drop it.
  if (check === 0 ? ip.family === 6 : !trusted && finish(sum(frame, at, at + length, pseudo(ip.src, ip.dst, length))) !== 0) {
    throw new FrameError('badChecksum', at + 6, `UDP checksum ${check.toString(16)}`);
  }
  return { srcPort: (frame[at] << 8) | frame[at + 1], dstPort: (frame[at + 2] << 8) | frame[at + 3], payload: frame.slice(at + HEADER, at + length) };
}

/** Writes the UDP header and payload at `at`, checksum included. */
export function writeUdp(frame: Uint8Array, at: number, src: Uint8Array, dst: Uint8Array, d: UdpDatagram): void {
  const length = HEADER + d.payload.length;
  frame.set([d.srcPort >> 8, d.srcPort & 0xff, d.dstPort >> 8, d.dstPort & 0xff, length >> 8, length & 0xff, 0, 0], at);
  frame.set(d.payload, at + HEADER);
  // A computed zero is sent as all ones: zero means "none" (RFC 768).
  const check = finish(sum(frame, at, at + length, pseudo(src, dst, length))) || 0xffff;
  frame[at + 6] = check >> 8;
  frame[at + 7] = check & 0xff;
}
