// What one response says about one (name, type): the typed result the
// resolver hands out, and how long it may be cached.
import { T, nameEq } from '../wire/index.js';
import type { Message, Rec, Soa } from '../wire/index.js';
import { RCODE } from './client.js';

export type Status = 'ok' | 'nxdomain' | 'nodata' | 'servfail' | 'refused' | 'timeout' | 'truncated';

export interface Result {
  type: number;
  status: Status;
  /** The records of `type` at the end of any CNAME chain; empty unless status is 'ok'. */
  records: Rec[];
  /** Seconds the answer may be cached (RFC 1035 §3.2.1 / RFC 2308 §5); absent when it must not be. */
  ttl?: number;
}

/** Longest CNAME chain followed inside one response. */
const MAX_CHAIN = 8;

export const failed = (type: number, status: 'servfail' | 'refused' | 'timeout' | 'truncated'): Result => ({ type, status, records: [] });

/** RFC 2308 §5: a negative answer lives for the lesser of the SOA's TTL and its MINIMUM field. */
function negativeTtl(m: Message): number | undefined {
  const soa = m.authorities.find((r) => r.type === T.SOA);
  return soa && Math.min(soa.ttl, (soa.data as Soa).minimum);
}

export function classify(m: Message, name: string, type: number): Result {
  // RFC 2181 §9: a truncated reply is not used as it stands; it ends here only when TCP was not possible or failed.
  const nx = m.rcode === RCODE.NXDOMAIN;
  // Past REFUSED, every rcode other than NOERROR and NXDOMAIN is a server failure.
  const failure = m.tc ? 'truncated' : m.rcode === RCODE.REFUSED ? 'refused' : m.rcode !== RCODE.NOERROR && !nx ? 'servfail' : undefined;
  if (failure) return failed(type, failure);
  // RFC 1034 §3.6.2: follow the CNAME chain inside the answer section.
  let owner = name;
  // The answer is cached under `name`: it lives no longer than any alias on the way (RFC 2181 §5.2).
  let chainTtl = Infinity;
  for (let hops = 0; type !== T.CNAME && hops < MAX_CHAIN; hops++) {
    const alias = m.answers.find((r) => r.type === T.CNAME && nameEq(r.name, owner));
    if (!alias) break;
    owner = alias.data as string;
    chainTtl = Math.min(chainTtl, alias.ttl);
  }
  const records = nx ? [] : m.answers.filter((r) => r.type === type && nameEq(r.name, owner));
  const ok = records.length > 0;
  // NXDOMAIN and NODATA are both negative answers, cached per RFC 2308 §5.
  return {
    type, status: ok ? 'ok' : nx ? 'nxdomain' : 'nodata', records,
    ttl: ok ? Math.min(chainTtl, ...records.map((r) => r.ttl)) : negativeTtl(m),
  };
}
