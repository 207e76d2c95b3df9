#!/usr/bin/env bash
# Captures the frames test/raw/frames.ts holds, on a veth pair between two
# network namespaces this script creates and removes (nothing leaves the host):
# an mDNS query over IPv4 and IPv6 from Node's dgram, the MLD report the
# kernel sends on joining ff02::fb (an IPv6 hop-by-hop extension header), and
# an IPv4 and an IPv6 datagram too large for one frame (fragments).
# Needs root, tshark and ethtool. Prints one line per frame: a label, then the hex.
set -euo pipefail
A=hushcapA$$ B=hushcapB$$ PCAP=$(mktemp -u /tmp/hushcap.XXXXXX.pcap)
cleanup() { ip netns del "$A" 2>/dev/null || true; ip netns del "$B" 2>/dev/null || true; rm -f "$PCAP"; }
trap cleanup EXIT
ip netns add "$A"; ip netns add "$B"
ip link add cap0 netns "$A" type veth peer name cap1 netns "$B"
ip -n "$A" addr add 10.9.0.1/24 dev cap0; ip -n "$B" addr add 10.9.0.2/24 dev cap1
ip -n "$A" addr add fd00:9::1/64 dev cap0 nodad; ip -n "$B" addr add fd00:9::2/64 dev cap1 nodad
ip -n "$A" link set cap0 up; ip -n "$B" link set cap1 up
# Checksums computed in software: with offload, veth frames carry only the pseudo-header sum.
ip netns exec "$A" ethtool -K cap0 tx off >/dev/null
ip -n "$A" route add 224.0.0.0/4 dev cap0
ip netns exec "$B" tshark -q -i cap1 -w "$PCAP" 2>/dev/null &
CAP=$!
sleep 2
ip netns exec "$A" node -e '
const dgram = require("node:dgram");
// A query for _http._tcp.local PTR, QU bit clear.
const q = Buffer.from("000000000001000000000000055f68747470045f746370056c6f63616c00000c0001", "hex");
const big = Buffer.alloc(3000, 0x61);
const s4 = dgram.createSocket({ type: "udp4", reuseAddr: true });
const s6 = dgram.createSocket({ type: "udp6", reuseAddr: true });
s4.bind(5353, () => {
  s4.setMulticastTTL(255);
  s4.send(q, 5353, "224.0.0.251", () => s4.send(big, 9999, "10.9.0.2", () => s4.close()));
});
s6.bind(5353, "::", () => {
  s6.addMembership("ff02::fb", "::%cap0");
  s6.setMulticastInterface("::%cap0");
  s6.setMulticastTTL(255);
  setTimeout(() => s6.send(q, 5353, "ff02::fb%cap0", () => s6.send(big, 9999, "fd00:9::2", () => s6.close())), 500);
});
'
sleep 2
kill $CAP 2>/dev/null || true; wait $CAP 2>/dev/null || true
# One line per frame: protocols, then the whole frame as hex.
tshark -r "$PCAP" -T ek -x 2>/dev/null | node -e '
let n = 0;
for (const line of require("node:fs").readFileSync(0, "utf8").split("\n")) {
  if (!line.includes("frame_raw")) continue;
  const f = JSON.parse(line).layers;
  console.log(`${f.frame.frame_frame_protocols}\t${f.frame_raw}`);
}'
