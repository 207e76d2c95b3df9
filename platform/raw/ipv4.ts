// IPv4 (RFC 791) as the direct stack needs it: a checked header around one
// UDP datagram; options and fragments are dropped, not interpreted.
import { FrameError } from './errors.js';
import { finish, sum } from './checksum.js';

export const UDP_PROTOCOL = 17;
const HEADER = 20;

/** Where the UDP datagram of an IP packet lies in the frame, and what the IP layer said about it. */
export interface IpPacket {
  family: 4 | 6;
  src: Uint8Array;
  dst: Uint8Array;
  /** IPv4 TTL or IPv6 hop limit, for the RFC 6762 §11 check. */
  ttl: number;
  /** The datagram is frame[start, end). */
  start: number;
  end: number;
}

export function readIpv4(frame: Uint8Array, at: number): IpPacket {
  if (frame.length < at + HEADER) throw new FrameError('truncated', at, 'IPv4 header');
  const length = (frame[at] & 15) * 4;
  if (length < HEADER) throw new FrameError('badLength', at, `IPv4 header length ${length}`);
  if (frame.length < at + length) throw new FrameError('truncated', at, 'IPv4 options');
  if (finish(sum(frame, at, at + length)) !== 0) throw new FrameError('badChecksum', at + 10, 'IPv4 header checksum');
  if (length > HEADER) throw new FrameError('options', at + HEADER, `${length - HEADER} bytes of IPv4 options`);
  const total = (frame[at + 2] << 8) | frame[at + 3];
  if (total < length) throw new FrameError('badLength', at + 2, `IPv4 total length ${total}`);
  if (frame.length < at + total) throw new FrameError('truncated', at + 2, `IPv4 total length ${total}, ${frame.length - at} bytes`);
  // More-fragments flag or a fragment offset: a piece of a larger datagram.
  if (((frame[at + 6] << 8) | frame[at + 7]) & 0x3fff) throw new FrameError('fragment', at + 6, 'IPv4 fragment');
  if (frame[at + 9] !== UDP_PROTOCOL) throw new FrameError('notUdp', at + 9, `IP protocol ${frame[at + 9]}`);
  return { family: 4, src: frame.subarray(at + 12, at + 16), dst: frame.subarray(at + 16, at + 20), ttl: frame[at + 8], start: at + length, end: at + total };
}

export interface Ipv4Out { src: Uint8Array; dst: Uint8Array; ttl: number; id: number; dontFragment: boolean }

/** Writes a 20-byte header for `payload` bytes of UDP at `at`. */
export function writeIpv4(frame: Uint8Array, at: number, h: Ipv4Out, payload: number): number {
  const total = HEADER + payload;
  frame.set([0x45, 0, total >> 8, total & 0xff, h.id >> 8, h.id & 0xff, h.dontFragment ? 0x40 : 0, 0, h.ttl, UDP_PROTOCOL, 0, 0], at);
  frame.set(h.src, at + 12);
  frame.set(h.dst, at + 16);
  const check = finish(sum(frame, at, at + HEADER));
  frame[at + 10] = check >> 8;
  frame[at + 11] = check & 0xff;
  return at + HEADER;
}
