// Packet capture on one interface of a lab namespace (dumpcap, the capture
// engine of tshark), read back with tshark's mDNS dissector: one summary per
// frame, with Wireshark's own verdict on malformed packets.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Lab } from './netns.js';
import { Proc, tempDir } from './proc.js';

/** Wireshark's PI_ERROR: an expert item at or above it means the dissector found the packet wrong. */
const PI_ERROR = 0x00800000;

export interface Frame {
  /** Capture time, milliseconds since the epoch (comparable with Date.now()). */
  t: number;
  family: 4 | 6;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** Frame length on the wire (Ethernet header included). */
  len: number;
  /** UDP payload: the DNS message's bytes. */
  payload: number;
  /** IPv4 TTL or IPv6 hop limit. */
  ipTtl: number;
  /** DNS header as tshark read it. */
  id: number;
  response: boolean;
  counts: { qd: number; an: number; ns: number; ar: number };
  /** TTL of every resource record, in order (a goodbye has only zeros). */
  ttls: number[];
  /** tshark marked the frame malformed or raised an error-level expert item. */
  malformed: boolean;
}

export interface CaptureResult {
  frames: Frame[];
  malformedCount: number;
  /** The pcap file (removed when the lab closes). */
  file: string;
}

export interface Capture {
  file: string;
  /** Stops capturing (the file is complete when this resolves) and dissects it. */
  stop(): Promise<CaptureResult>;
}

const FIELDS = [
  'frame.time_epoch', 'ip.src', 'ipv6.src', 'ip.dst', 'ipv6.dst', 'udp.srcport', 'udp.dstport', 'udp.length', 'frame.len', 'ip.ttl', 'ipv6.hlim',
  'dns.id', 'dns.flags.response', 'dns.count.queries', 'dns.count.answers', 'dns.count.auth_rr', 'dns.count.add_rr',
  'dns.resp.ttl', '_ws.malformed', '_ws.expert.severity',
];

/** Dissects a pcap file with tshark (no network involved). */
export function readCapture(file: string): CaptureResult {
  const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', ...FIELDS.flatMap((f) => ['-e', f])],
    { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`tshark -r ${file} failed (${r.status}): ${r.stderr}`);
  const frames = r.stdout.split('\n').filter(Boolean).map((line): Frame => {
    const all = line.split('\t').map((v) => v.split(','));
    const v = (name: string): string => all[FIELDS.indexOf(name)]?.[0] ?? '';
    const n = (name: string): number => Number(v(name));
    const family = v('ip.src') ? 4 : 6;
    const severities = all[FIELDS.indexOf('_ws.expert.severity')]?.filter(Boolean).map(Number) ?? [];
    return {
      t: Number(v('frame.time_epoch')) * 1000,
      family,
      src: family === 4 ? v('ip.src') : v('ipv6.src'),
      dst: family === 4 ? v('ip.dst') : v('ipv6.dst'),
      sport: n('udp.srcport'),
      dport: n('udp.dstport'),
      len: n('frame.len'),
      payload: n('udp.length') - 8,
      ipTtl: family === 4 ? n('ip.ttl') : n('ipv6.hlim'),
      id: n('dns.id'),
      response: v('dns.flags.response') === '1' || v('dns.flags.response') === 'True',
      counts: { qd: n('dns.count.queries'), an: n('dns.count.answers'), ns: n('dns.count.auth_rr'), ar: n('dns.count.add_rr') },
      ttls: all[FIELDS.indexOf('dns.resp.ttl')].filter(Boolean).map(Number),
      malformed: v('_ws.malformed') !== '' || severities.some((s) => s >= PI_ERROR),
    };
  });
  return { frames, malformedCount: frames.filter((f) => f.malformed).length, file };
}

/**
 * Captures `filter` (default: mDNS, which includes legacy unicast queries
 * and replies, as either port is 5353) on `ifname` inside `ns`; resolves once
 * dumpcap is capturing. Capture on a link's bridge in the hub namespace
 * (`${lab.prefix}-br<net>`, 'br0') to see every member.
 */
export async function startCapture(lab: Lab, ns: string, ifname: string, filter = 'udp port 5353'): Promise<Capture> {
  const file = join(tempDir(lab, 'pcap'), `${ifname}.pcap`);
  const p = new Proc(lab, ns, 'dumpcap', ['-q', '-i', ifname, '-f', filter, '-w', file]);
  await p.waitFor(/Capturing on/, 10_000);
  return {
    file,
    async stop() {
      // dumpcap may not have read the last frames yet when it gets SIGINT.
      await new Promise((r) => setTimeout(r, 500));
      await p.stop('SIGINT');
      return readCapture(file);
    },
  };
}

/** What tshark says of one frame's checksums, when asked to verify them. */
export interface Checked {
  src: string;
  /** IPv4 header checksum good; undefined for IPv6, which has none. */
  ip?: boolean;
  udp: boolean;
}

/**
 * Verifies the IPv4 and UDP checksums of every frame in a capture. Only
 * frames built in full by their sender can pass: veth hands on frames the
 * kernel sent with checksum offload carrying only the pseudo-header sum.
 */
export function readChecksums(file: string): Checked[] {
  const fields = ['ip.src', 'ipv6.src', 'ip.checksum.status', 'udp.checksum.status'];
  const r = spawnSync('tshark', ['-r', file, '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-T', 'fields', ...fields.flatMap((f) => ['-e', f])],
    { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`tshark -r ${file} failed (${r.status}): ${r.stderr}`);
  // Wireshark's checksum status: 0 bad, 1 good, 2 not verified.
  return r.stdout.split('\n').filter(Boolean).map((line) => {
    const [v4, v6, ip, udp] = line.split('\t');
    return { src: v4 || v6, ...(v4 ? { ip: ip === '1' } : {}), udp: udp === '1' };
  });
}
