// The direct UDP/IP stack (platform/raw) on frames captured in the lab
// (test/raw/frames.ts): metadata read exactly, checksums of both families
// checked, extension headers walked, fragments and lies dropped with a typed
// reason, frames built back byte for byte.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { build, receive } from '../../platform/raw/stack.js';
import type { ReceiveOptions } from '../../platform/raw/stack.js';
import { finish, sum } from '../../platform/raw/checksum.js';
import { formatMac, multicastMac } from '../../platform/raw/ethernet.js';
import { FrameError } from '../../platform/raw/errors.js';
import type { FrameReason } from '../../platform/raw/errors.js';
import { parseIp } from '../../src/net.js';
import { decode } from '../../src/wire/index.js';
import { FRAMES } from './frames.js';

/** The reason receive() gives for a frame; any other exception fails the test. */
function dropped(frame: Uint8Array, opts: ReceiveOptions = {}): FrameReason | undefined {
  try {
    receive(frame, 1, opts);
    return undefined;
  } catch (e) {
    if (!(e instanceof FrameError)) throw e;
    return e.reason;
  }
}

/** A copy of `frame` with the byte at `at` changed by `f`. */
const edited = (frame: Uint8Array, at: number, f: (b: number) => number): Uint8Array => {
  const copy = frame.slice();
  copy[at] = f(copy[at]);
  return copy;
};

test('an IPv4 mDNS query: addresses, ports, TTL 255 and the DNS payload, checksums checked', () => {
  const r = receive(FRAMES.mdns4, 3);
  assert.equal([r.ifindex, r.family, r.src, r.dst, r.srcPort, r.dstPort, r.ttl], [3, 4, '10.9.0.1', '224.0.0.251', 5353, 5353, 255]);
  assert.is(decode(r.payload).questions[0].name, '_http._tcp.local');
  assert.is(formatMac(r.srcMac), '0a:be:c7:6e:a4:e7');
});

test('an IPv6 mDNS query: link-local source, ff02::fb, hop limit 255', () => {
  const r = receive(FRAMES.mdns6, 4);
  assert.equal([r.family, r.src, r.dst, r.srcPort, r.dstPort, r.ttl], [6, 'fe80::8be:c7ff:fe6e:a4e7', 'ff02::fb', 5353, 5353, 255]);
  assert.is(decode(r.payload).questions[0].name, '_http._tcp.local');
});

test('a changed byte anywhere in the IPv4 header or the UDP datagram fails a checksum', () => {
  for (const frame of [FRAMES.mdns4, FRAMES.mdns6]) {
    // From the IPv4 header (IPv6 has no header checksum) or the UDP header on.
    const first = frame === FRAMES.mdns4 ? 14 : 14 + 40;
    for (let at = first; at < frame.length; at++) {
      const reason = dropped(edited(frame, at, (b) => b ^ 0x01));
      assert.ok(reason !== undefined, `byte ${at} of the IPv${frame === FRAMES.mdns4 ? 4 : 6} frame changed and still accepted`);
    }
  }
  // The IPv4 header checksum itself, and the UDP checksum of each family.
  assert.is(dropped(edited(FRAMES.mdns4, 14 + 10, (b) => b ^ 0xff)), 'badChecksum');
  assert.is(dropped(edited(FRAMES.mdns4, 14 + 20 + 6, (b) => b ^ 0xff)), 'badChecksum');
  assert.is(dropped(edited(FRAMES.mdns6, 14 + 40 + 6, (b) => b ^ 0xff)), 'badChecksum');
});

test('UDP checksum zero: "none" over IPv4, refused over IPv6 (RFC 8200 §8.1)', () => {
  const zero = (frame: Uint8Array, at: number): Uint8Array => { const c = frame.slice(); c[at] = 0; c[at + 1] = 0; return c; };
  assert.is(receive(zero(FRAMES.mdns4, 14 + 20 + 6), 1).dstPort, 5353);
  assert.is(dropped(zero(FRAMES.mdns6, 14 + 40 + 6)), 'badChecksum');
});

/** Where the UDP header of a captured frame starts. */
const udpAt = (frame: Uint8Array): number => (frame === FRAMES.mdns4 ? 14 + 20 : 14 + 40);

/**
 * `frame` as Linux hands a packet socket a datagram made on this machine
 * before the device fills its checksum in (CHECKSUM_PARTIAL): the UDP
 * checksum field holds the pseudo-header's sum, folded, not complemented.
 */
function partial(frame: Uint8Array): Uint8Array {
  const copy = frame.slice();
  const at = udpAt(frame);
  const [src, dst] = frame === FRAMES.mdns4 ? [copy.subarray(26, 30), copy.subarray(30, 34)] : [copy.subarray(22, 38), copy.subarray(38, 54)];
  const length = (copy[at + 4] << 8) | copy[at + 5];
  const folded = ~finish(sum(dst, 0, dst.length, sum(src, 0, src.length)) + 17 + length) & 0xffff;
  [copy[at + 6], copy[at + 7]] = [folded >> 8, folded & 0xff];
  return copy;
}

test('a UDP checksum the device vouches for is not checked: a partial or garbage one passes with checksumTrusted, and only with it', () => {
  for (const frame of [FRAMES.mdns4, FRAMES.mdns6]) {
    const at = udpAt(frame);
    const want = receive(frame, 1);
    for (const odd of [partial(frame), edited(frame, at + 6, (b) => b ^ 0x5a)]) {
      assert.is(dropped(odd), 'badChecksum');
      const r = receive(odd, 1, { checksumTrusted: true });
      assert.equal([r.src, r.dst, r.srcPort, r.dstPort, r.ttl, r.payload], [want.src, want.dst, want.srcPort, want.dstPort, want.ttl, want.payload]);
    }
    // The vouching covers the checksum only: a lying UDP length is still caught.
    assert.is(dropped(edited(partial(frame), at + 5, (b) => b + 1), { checksumTrusted: true }), 'badLength');
  }
});

test('with checksumTrusted the IPv4 header checksum is still checked, and a zero UDP checksum over IPv6 still refused', () => {
  // The kernel computes the IPv4 header checksum in software: it is always there to check.
  assert.is(dropped(edited(partial(FRAMES.mdns4), 14 + 10, (b) => b ^ 0xff), { checksumTrusted: true }), 'badChecksum');
  assert.is(dropped(edited(partial(FRAMES.mdns4), 14 + 8, (b) => b - 1), { checksumTrusted: true }), 'badChecksum'); // TTL under the header checksum
  const zero6 = FRAMES.mdns6.slice();
  zero6[14 + 40 + 6] = zero6[14 + 40 + 7] = 0;
  assert.is(dropped(zero6, { checksumTrusted: true }), 'badChecksum');
});

test('IPv6 extension headers are walked: a hop-by-hop header before UDP is read through', () => {
  // The captured MLD report: hop-by-hop (router alert), then ICMPv6: walked, and not UDP.
  assert.is(dropped(FRAMES.mld6), 'notUdp');
  // The IPv6 query with an 8-byte hop-by-hop header (PadN) put before its UDP header.
  const q = FRAMES.mdns6;
  const hbh = Uint8Array.of(17, 0, 1, 4, 0, 0, 0, 0);
  const frame = Uint8Array.from([...q.subarray(0, 54), ...hbh, ...q.subarray(54)]);
  frame[14 + 6] = 0;
  const length = ((q[18] << 8) | q[19]) + 8;
  frame[18] = length >> 8;
  frame[19] = length & 0xff;
  const r = receive(frame, 1);
  assert.equal([r.src, r.dst, r.ttl], ['fe80::8be:c7ff:fe6e:a4e7', 'ff02::fb', 255]);
  assert.is(decode(r.payload).questions[0].name, '_http._tcp.local');
  // An extension header whose length runs past the payload.
  assert.is(dropped(edited(frame, 54 + 1, () => 200)), 'truncated');
});

test('fragments of either family are dropped, not reassembled', () => {
  assert.is(dropped(FRAMES.fragment4), 'fragment');
  assert.is(dropped(FRAMES.fragment6), 'fragment');
});

test('IPv4 options, other EtherTypes and protocols are dropped with their reason', () => {
  // IHL 6 with a recomputed header checksum: options, not a checksum error.
  const v4 = FRAMES.mdns4;
  const withOptions = Uint8Array.from([...v4.subarray(0, 34), 1, 1, 1, 0, ...v4.subarray(34)]);
  withOptions[14] = 0x46;
  const total = ((v4[16] << 8) | v4[17]) + 4;
  [withOptions[16], withOptions[17], withOptions[24], withOptions[25]] = [total >> 8, total & 0xff, 0, 0];
  let s = 0;
  for (let i = 14; i < 38; i += 2) s += (withOptions[i] << 8) | withOptions[i + 1];
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  [withOptions[24], withOptions[25]] = [(~s >> 8) & 0xff, ~s & 0xff];
  assert.is(dropped(withOptions), 'options');
  assert.is(dropped(edited(v4, 12, () => 0x81)), 'notUdp'); // a VLAN tag
  assert.is(dropped(Uint8Array.from([...v4.subarray(0, 12), 0x08, 0x06, ...v4.subarray(14)])), 'notUdp'); // ARP
});

test('lying lengths: IPv4 total length, IPv6 payload length and UDP length', () => {
  assert.is(dropped(edited(FRAMES.mdns4, 17, (b) => b + 1)), 'badChecksum'); // the header checksum covers it
  assert.is(dropped(FRAMES.mdns4.subarray(0, FRAMES.mdns4.length - 1)), 'truncated');
  assert.is(dropped(edited(FRAMES.mdns6, 19, (b) => b + 1)), 'truncated');
  assert.is(dropped(edited(FRAMES.mdns6, 14 + 40 + 5, (b) => b + 1)), 'badLength');
  assert.is(dropped(edited(FRAMES.mdns6, 14 + 40 + 5, () => 7)), 'badLength');
});

test('every truncation and 20,000 random corruptions end in a FrameError or a datagram, never another exception', () => {
  let seed = 7;
  const random = (n: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
  for (const frame of Object.values(FRAMES)) {
    for (let n = 0; n < frame.length; n++) assert.ok(dropped(frame.subarray(0, n)) !== undefined, `a ${n}-byte prefix was accepted`);
    for (let k = 0; k < 4000; k++) {
      const copy = frame.slice();
      for (let j = 0; j <= random(4); j++) copy[random(Math.min(copy.length, 80))] = random(256);
      dropped(copy);
    }
  }
});

test('frames are built back byte for byte, IPv4 and IPv6, checksums computed', () => {
  for (const [frame, extra] of [[FRAMES.mdns4, { id: 0xb3e5, dontFragment: true }], [FRAMES.mdns6, { flow: 0x06a51a }]] as const) {
    const r = receive(frame, 1);
    const built = build({ srcMac: r.srcMac, dstMac: frame.slice(0, 6), src: r.src, dst: r.dst, srcPort: r.srcPort, dstPort: r.dstPort, payload: r.payload, ...extra });
    assert.equal([...built], [...frame]);
  }
});

test('multicast groups map to their MACs; a reply goes to the MAC the query came from', () => {
  assert.is(formatMac(multicastMac(parseIp('224.0.0.251')!)), '01:00:5e:00:00:fb');
  assert.is(formatMac(multicastMac(parseIp('ff02::fb')!)), '33:33:00:00:00:fb');
  assert.is(formatMac(multicastMac(parseIp('239.255.128.1')!)), '01:00:5e:7f:80:01');
  const q = receive(FRAMES.mdns4, 1);
  const reply = build({ srcMac: Uint8Array.of(2, 0, 0, 0, 0, 1), dstMac: q.srcMac, src: '10.9.0.2', dst: q.src, srcPort: 5353, dstPort: q.srcPort, payload: q.payload });
  assert.is(formatMac(reply.subarray(0, 6)), formatMac(q.srcMac));
  const back = receive(reply, 2);
  assert.equal([back.src, back.dst, back.ttl], ['10.9.0.2', '10.9.0.1', 255]);
});

test('build refuses addresses that are not IP addresses of one family, naming the field', () => {
  const o = { srcMac: new Uint8Array(6), dstMac: new Uint8Array(6), srcPort: 1, dstPort: 2, payload: new Uint8Array(0) };
  assert.throws(() => build({ ...o, src: 'nope', dst: '10.0.0.1' }), /src 'nope'/);
  assert.throws(() => build({ ...o, src: '10.0.0.1', dst: 'ff02::fb' }), /dst 'ff02::fb' is not an IPv4 address/);
});

test.run();
