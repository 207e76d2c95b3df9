// Ethernet II framing (IEEE 802.3 with an EtherType), and the multicast
// MAC addresses mDNS groups map to.
import { FrameError } from './errors.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERNET_HEADER = 14;

export type Mac = Uint8Array;

export interface EthernetHeader { dst: Mac; src: Mac; type: number }

export function readEthernet(frame: Uint8Array): EthernetHeader {
  if (frame.length < ETHERNET_HEADER) throw new FrameError('truncated', 0, `${frame.length}-byte frame has no Ethernet header`);
  return { dst: frame.slice(0, 6), src: frame.slice(6, 12), type: (frame[12] << 8) | frame[13] };
}

export function writeEthernet(frame: Uint8Array, h: EthernetHeader): void {
  frame.set(h.dst, 0);
  frame.set(h.src, 6);
  frame[12] = h.type >> 8;
  frame[13] = h.type & 0xff;
}

/**
 * The MAC address of an IP multicast group: 01:00:5e and the group's low 23
 * bits for IPv4 (RFC 1112 §6.4: 224.0.0.251 → 01:00:5e:00:00:fb), 33:33 and
 * its low 32 bits for IPv6 (RFC 2464 §7: ff02::fb → 33:33:00:00:00:fb).
 */
export function multicastMac(group: Uint8Array): Mac {
  return group.length === 4
    ? Uint8Array.of(0x01, 0x00, 0x5e, group[1] & 0x7f, group[2], group[3])
    : Uint8Array.of(0x33, 0x33, ...group.subarray(12, 16));
}

/** aa:bb:cc:dd:ee:ff */
export const formatMac = (mac: Mac): string => [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':');
