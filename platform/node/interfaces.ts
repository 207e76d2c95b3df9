// The host's interfaces as the platform contract describes them, built from
// Node's os.networkInterfaces() and what Linux's /sys/class/net adds (the
// ifindex and the IFF_MULTICAST flag, which Node does not report); and the
// reverse question for a received datagram: which interface did it come in on.
import { readFileSync } from 'node:fs';
import type { NetworkInterfaceInfo } from 'node:os';
import type { NetAddress, NetInterface } from '../../src/platform.js';
import { formatIp, parseIp, samePrefix } from '../../src/net.js';

/** What the OS knows about a device beyond its addresses; undefined where it cannot tell. */
export interface DeviceInfo {
  ifindex(dev: string): number | undefined;
  flags(dev: string): number | undefined;
}

/** <linux/if.h> */
const IFF_MULTICAST = 0x1000;

function readNumber(path: string): number | undefined {
  try {
    // ifindex is decimal, flags hexadecimal with a 0x prefix; Number() reads both.
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Linux sysfs (inside `ip netns exec`, the namespace's own). Elsewhere every answer is undefined. */
export const sysfs: DeviceInfo = {
  ifindex: (dev) => readNumber(`/sys/class/net/${dev}/ifindex`),
  flags: (dev) => readNumber(`/sys/class/net/${dev}/flags`),
};

/** A stable index for a device the OS gives no number for: FNV-1a of its name, above any real ifindex seen in practice. */
export function syntheticIndex(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return 0x100000 + (h % 0x7fe00000);
}

/** Leading one bits of a netmask, for an address whose mask Node could not turn into a cidr. */
function maskBits(mask: string): number {
  const b = parseIp(mask) ?? new Uint8Array(0);
  let n = 0;
  for (const byte of b) {
    for (let bit = 0x80; bit && byte & bit; bit >>= 1) n++;
    if (byte !== 0xff) break;
  }
  return n;
}

function address(info: NetworkInterfaceInfo): NetAddress | undefined {
  const bytes = parseIp(info.address.split('%')[0]);
  if (!bytes) return undefined;
  const cidr = info.cidr?.split('/')[1];
  return { family: bytes.length === 4 ? 4 : 6, addr: formatIp(bytes), prefix: cidr === undefined ? maskBits(info.netmask) : Number(cidr) };
}

/**
 * The interface list from os.networkInterfaces() output (which holds only
 * interfaces that are up and running, and only those with addresses): the
 * non-internal ones, or exactly the named ones. Linux address labels
 * ('eth0:1') belong to their device ('eth0'). The index is the OS ifindex,
 * else an IPv6 address's scope id (the ifindex on BSD and macOS), else a
 * stable synthetic one.
 */
export function readInterfaces(raw: NodeJS.Dict<NetworkInterfaceInfo[]>, dev: DeviceInfo, only?: readonly string[]): NetInterface[] {
  const found = new Map<string, { addrs: NetAddress[]; internal: boolean; scope?: number }>();
  for (const [label, infos] of Object.entries(raw)) {
    const name = label.split(':')[0];
    for (const info of infos ?? []) {
      if (only ? !only.includes(name) : info.internal) continue;
      const a = address(info);
      if (!a) continue;
      const entry = found.get(name) ?? { addrs: [], internal: info.internal };
      if (info.family === 'IPv6' && info.scopeid) entry.scope = info.scopeid;
      entry.addrs.push(a);
      found.set(name, entry);
    }
  }
  const list: NetInterface[] = [];
  for (const [name, e] of found) {
    const flags = dev.flags(name);
    list.push({
      index: dev.ifindex(name) ?? e.scope ?? syntheticIndex(name),
      name,
      up: true,
      multicast: flags === undefined ? !e.internal : (flags & IFF_MULTICAST) !== 0,
      addrs: e.addrs,
    });
  }
  return list.sort((a, b) => a.index - b.index);
}

/**
 * Where a datagram came from, as far as its source address tells (dgram does
 * not report the receiving interface): a '%zone' (Node appends one to IPv6
 * link-local sources) names the interface; otherwise the one interface whose
 * subnet holds the source. Several or none leave `ifindex` undefined. `src`
 * comes back without the zone, in canonical form.
 */
export function arrival(from: string, list: NetInterface[]): { src: string; ifindex?: number } {
  const [text, zone] = from.split('%');
  const bytes = parseIp(text);
  const src = bytes ? formatIp(bytes) : text;
  if (zone !== undefined) {
    const i = list.find((x) => x.name === zone || String(x.index) === zone);
    return i ? { src, ifindex: i.index } : { src };
  }
  if (!bytes) return { src };
  const on = list.filter((i) => i.addrs.some((a) => {
    const mine = parseIp(a.addr);
    return mine !== undefined && samePrefix(mine, bytes, a.prefix);
  }));
  return on.length === 1 ? { src, ifindex: on[0].index } : { src };
}
