// IPv6 (RFC 8200) as the direct stack needs it: the fixed header, then the
// extension headers walked to the UDP header; a fragment is dropped.
import { FrameError } from './errors.js';
import { UDP_PROTOCOL } from './ipv4.js';
import type { IpPacket } from './ipv4.js';

const HEADER = 40;
const FRAGMENT = 44;
/** Hop-by-hop options, routing, destination options: skipped by their length (RFC 8200 §4). */
const SKIPPED = [0, 43, 60];
/** More extension headers than this before UDP is no packet hush needs (RFC 8200 §4.1 lists six kinds). */
const MAX_HEADERS = 8;

export function readIpv6(frame: Uint8Array, at: number): IpPacket {
  if (frame.length < at + HEADER) throw new FrameError('truncated', at, 'IPv6 header');
  const end = at + HEADER + ((frame[at + 4] << 8) | frame[at + 5]);
  if (frame.length < end) throw new FrameError('truncated', at + 4, `IPv6 payload length ${end - at - HEADER}, ${frame.length - at - HEADER} bytes`);
  let next = frame[at + 6];
  let p = at + HEADER;
  for (let n = 0; next !== UDP_PROTOCOL; n++) {
    if (next === FRAGMENT) throw new FrameError('fragment', p, 'IPv6 fragment header');
    if (!SKIPPED.includes(next)) throw new FrameError('notUdp', p, `IPv6 next header ${next}`);
    if (n === MAX_HEADERS) throw new FrameError('options', p, `more than ${MAX_HEADERS} IPv6 extension headers`);
    if (end < p + 2) throw new FrameError('truncated', p, 'IPv6 extension header');
    next = frame[p];
    p += (frame[p + 1] + 1) * 8;
    if (end < p) throw new FrameError('truncated', p, 'IPv6 extension header length');
  }
  return { family: 6, src: frame.subarray(at + 8, at + 24), dst: frame.subarray(at + 24, at + 40), ttl: frame[at + 7], start: p, end };
}

export interface Ipv6Out { src: Uint8Array; dst: Uint8Array; ttl: number; flow: number }

/** Writes a 40-byte header (no extension headers) for `payload` bytes of UDP at `at`. */
export function writeIpv6(frame: Uint8Array, at: number, h: Ipv6Out, payload: number): number {
  frame.set([0x60, (h.flow >> 16) & 15, (h.flow >> 8) & 0xff, h.flow & 0xff, payload >> 8, payload & 0xff, UDP_PROTOCOL, h.ttl], at);
  frame.set(h.src, at + 8);
  frame.set(h.dst, at + 24);
  return at + HEADER;
}
