// Frames captured by test/raw/capture.sh on a veth pair between two network
// namespaces (whole frames as tshark saw them; a fragment's payload of
// repeated 'a' bytes is given by its length).
//   mdns4      an mDNS query (_http._tcp.local PTR) to 224.0.0.251 from Node's dgram, IP TTL 255
//   mdns6      the same to ff02::fb from fe80::, hop limit 255
//   mld6       the kernel's MLDv2 report on joining: a hop-by-hop header (router alert), then ICMPv6
//   fragment4  the first fragment of a 3000-byte UDP datagram over IPv4
//   fragment6  the same over IPv6 (a fragment header)

const frame = (hex: string, repeatedA = 0): Uint8Array =>
  Uint8Array.from([...(hex.match(/../g) ?? []).map((b) => parseInt(b, 16)), ...new Array<number>(repeatedA).fill(0x61)]);

export const FRAMES = {
  mdns4: frame('01005e0000fb0abec76ea4e708004500003eb3e54000ff11dcc30a090001e00000fb14e914e9002ae3d7000000000001000000000000055f68747470045f746370056c6f63616c00000c0001'),
  mdns6: frame('3333000000fb0abec76ea4e786dd6006a51a002a11fffe8000000000000008bec7fffe6ea4e7ff0200000000000000000000000000fb14e914e9002a5c4a000000000001000000000000055f68747470045f746370056c6f63616c00000c0001'),
  mld6: frame('3333000000160abec76ea4e786dd600000000038000100000000000000000000000000000000ff0200000000000000000000000000163a000502000001008f00c8190000000204000000ff0200000000000000000001ff6ea4e704000000ff0200000000000000000001ff000001'),
  fragment4: frame('8606538a844d0abec76ea4e70800450005dcae052000401192f70a0900010a09000214e9270f0bc001cb', 1472),
  fragment6: frame('8606538a844d0abec76ea4e786dd6005cfea05b02c40fd000009000000000000000000000001fd000009000000000000000000000002110000017371a33714e9270f0bc01bc9', 1440),
};
