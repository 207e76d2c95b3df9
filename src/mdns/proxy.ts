// What an advertising proxy registers on behalf of a client (an SRP client on
// a Thread network): the client's host name with its addresses and its
// services, optionally with TSR data (draft-tllq-tsr-05 §9: "...a way for the
// proxy to specify an absolute time at which the registration was received,
// and the key checksum").
import { T } from '../wire/types.js';
import { parseIp } from '../net.js';
import { keyChecksum } from '../wire/edns.js';
import { serviceRecords } from '../dnssd/records.js';
import type { ServiceSpec, Ttls } from '../dnssd/records.js';
import { nsec, own } from './record.js';
import type { Owned } from './record.js';
import type { Tsr } from './tsr.js';

export interface ProxySpec {
  /** The client's host label, without '.local'. */
  hostName: string;
  /** The client's addresses, advertised on every link. */
  addresses: string[];
  services?: ServiceSpec[];
  /**
   * TSR conflict resolution: when the registration was received (platform
   * time, ms) and the client's public key or its checksum. Without it the
   * registration follows RFC 6762 alone (draft §8: no time of receipt is
   * recorded unless asked for).
   */
  tsr?: { received: number; key?: Uint8Array; checksum?: number };
  /** Secondary registrar (a replica): no probes, no announcements, and a query is answered only when it is asked again within 5 s. */
  secondary?: boolean;
}

/** 'probing' and 'established' as for any registration; 'stale' and 'conflict' end it (draft §3.1: they are told apart). */
export type ProxyState = 'probing' | 'established' | 'stale' | 'conflict' | 'withdrawn';

export type ProxyEvent = 'probing' | 'established' | 'renamed' | 'stale' | 'conflict' | 'error';

export interface ProxyHandle {
  readonly state: ProxyState;
  /** The host label now in use (a registration without TSR may be renamed, RFC 6762 §9). */
  readonly hostName: string;
  on(event: ProxyEvent, fn: (detail?: unknown) => void): ProxyHandle;
  /**
   * A renewal or change from the client. Unchanged records send nothing (a
   * new TSR time alone is only remembered); added records are announced
   * without probing; removed ones get goodbyes.
   */
  update(change: { addresses?: string[]; services?: ServiceSpec[]; received?: number }): void;
  /** Ends the registration; `goodbye: false` withdraws it without a goodbye. */
  withdraw(opts?: { goodbye?: boolean }): void;
}

/** A proxy registration's field is wrong: the TypeError names it. */
function wrong(what: string): never {
  throw new TypeError(`hush: proxy ${what}`);
}

/** Checks a proxy registration, naming the field that is wrong, and returns its TSR data. */
export function checkProxy(spec: ProxySpec): Tsr | undefined {
  if (typeof spec?.hostName !== 'string' || !/^[^.]+$/.test(spec.hostName)) wrong('hostName must be a host label without dots');
  checkAddresses(spec.addresses);
  if (spec.services !== undefined && !Array.isArray(spec.services)) wrong('services must be a list');
  const t = spec.tsr;
  if (t === undefined) return undefined;
  if (!Number.isFinite(t.received)) wrong('tsr.received must be a platform time in ms');
  if (t.key !== undefined && !(t.key instanceof Uint8Array)) wrong('tsr.key must be a Uint8Array');
  // A 32-bit unsigned integer is the same number after `>>> 0`.
  if (t.key === undefined && t.checksum !== t.checksum! >>> 0) wrong('tsr needs key (bytes) or checksum (uint32)');
  return { receivedAt: t.received, keySum: t.key ? keyChecksum(t.key) : t.checksum! };
}

export function checkAddresses(addresses: unknown): void {
  if (!Array.isArray(addresses) || addresses.length === 0) wrong('addresses must be a non-empty list');
  const bad = addresses.find((a) => typeof a !== 'string' || !parseIp(a));
  if (bad !== undefined) wrong(`addresses holds '${String(bad)}', not an IP address`);
}

/**
 * The client's records: A/AAAA on its host name with an NSEC for the
 * address types it has, and each service's records pointing at it. The
 * unique names (host and instances) are the ones TSR governs.
 */
export function proxyRecords(label: string, addresses: string[], services: { spec: ServiceSpec; label: string }[], ttl: Ttls): Owned[] {
  const host = `${label}.local`;
  const records = addresses.map((a) => own(host, a.includes(':') ? T.AAAA : T.A, ttl.host, a, true));
  records.push(nsec(host, [...new Set(records.map((o) => o.rec.type))], ttl.host), ...services.flatMap((s) => serviceRecords(s.spec, s.label, host, ttl)));
  return records;
}
