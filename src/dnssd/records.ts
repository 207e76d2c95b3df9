// DNS-SD records of a service instance (RFC 6763) and address records of a
// host (RFC 6762 §6.2, §14), as the responder publishes them.
import type { NetInterface } from '../platform.js';
import { T } from '../wire/types.js';
import { escapeLabel } from '../wire/name.js';
import { txtEncode } from '../wire/txt.js';
import type { TxtValue } from '../wire/txt.js';
import { reverseName } from '../mdns/names.js';
import { nsec, own } from '../mdns/record.js';
import type { Owned } from '../mdns/record.js';

export interface Ttls {
  /** RFC 6762 §10: records that carry a host name (A, AAAA, SRV, reverse PTR): 120 s. */
  host: number;
  /** Everything else: 4500 s. */
  other: number;
}

export const DEFAULT_TTLS: Ttls = { host: 120, other: 4500 };

export interface ServiceSpec {
  /** Instance name: any UTF-8, dots and spaces included (RFC 6763 §4.1.1). */
  name: string;
  /** Service type, '_http._tcp'. */
  type: string;
  port: number;
  txt?: Record<string, string | TxtValue>;
  /** Subtypes, '_printer' (RFC 6763 §7.1). */
  subtypes?: string[];
}

export const SERVICES = '_services._dns-sd._udp.local';

export function instanceName(spec: ServiceSpec, label: string): string {
  return `${escapeLabel(label)}.${spec.type}.local`;
}

/** PTR, subtype PTRs and the enumeration PTR are shared; SRV and TXT are unique to the instance. */
export function serviceRecords(spec: ServiceSpec, label: string, host: string, ttl: Ttls): Owned[] {
  const inst = instanceName(spec, label);
  const typeName = `${spec.type}.local`;
  const ptr = (owner: string, target: string): Owned => own(owner, T.PTR, ttl.other, target, false);
  return [
    ptr(typeName, inst),
    ptr(SERVICES, typeName),
    ...(spec.subtypes ?? []).map((sub) => ptr(`${sub}._sub.${typeName}`, inst)),
    own(inst, T.SRV, ttl.host, { priority: 0, weight: 0, port: spec.port, target: host }, true),
    own(inst, T.TXT, ttl.other, txtEncode(spec.txt ?? {}), true),
    nsec(inst, [T.TXT, T.SRV], ttl.host),
  ];
}

/**
 * One host name for the whole host; on each interface only that
 * interface's addresses (RFC 6762 §6.2), their reverse-mapping PTRs, and an
 * NSEC saying which address types exist there.
 */
export function hostRecords(host: string, ifaces: NetInterface[], ttl: Ttls): Owned[] {
  const list: Owned[] = [];
  for (const { addrs, index } of ifaces) {
    const types = new Set<number>();
    for (const { family, addr } of addrs) {
      const type = family === 4 ? T.A : T.AAAA;
      types.add(type);
      list.push(own(host, type, ttl.host, addr, true, index));
      const rev = reverseName(addr);
      if (rev) list.push(own(rev, T.PTR, ttl.host, host, true, index), nsec(rev, [T.PTR], ttl.host, index));
    }
    list.push(nsec(host, [...types], ttl.host, index));
  }
  return list;
}
