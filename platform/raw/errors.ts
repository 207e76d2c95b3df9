// Why a frame was dropped: every check of the direct stack fails with one of
// these, so the backend can count drops by reason and log each reason once.

export type FrameReason =
  /** Shorter than a header or than a length field says. */
  | 'truncated'
  /** A length field that contradicts the frame (IPv4 total length, UDP length). */
  | 'badLength'
  /** IPv4 header, or UDP over either family. */
  | 'badChecksum'
  /** IPv4 with options, or an IPv6 extension header chain too long to walk. */
  | 'options'
  /** An IPv4 or IPv6 fragment: mDNS never needs one (RFC 6762 §17), and none is reassembled. */
  | 'fragment'
  /** Not IPv4 or IPv6 (ARP, VLAN-tagged, ...), or not UDP inside. */
  | 'notUdp';

export class FrameError extends Error {
  constructor(readonly reason: FrameReason, readonly offset: number, detail: string) {
    super(`${reason} at byte ${offset}: ${detail}`);
    this.name = 'FrameError';
  }
}
