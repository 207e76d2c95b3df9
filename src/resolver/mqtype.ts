// draft-ietf-dnssd-multi-qtypes-14: the client side. One query carries the
// first type in the question and the others in an MQTYPE-Query option; the
// MQTYPE-Response option says which of them the response answers completely.
import { OPT, T } from '../wire/index.js';
import type { EdnsOption, Message, MqtypeOption } from '../wire/index.js';
import { RCODE } from './client.js';

/** §3.1: the option listing the additional types, sent in queries. */
export const mqtypeQuery = (types: number[]): EdnsOption => ({ kind: 'mqtype', code: OPT.MQTYPE_QUERY, types });

/**
 * What a response says: whether the server supports MQTYPE, and the types
 * (from the primary and the extra ones) it answers completely; any other is asked again.
 */
export interface Verdict {
  kind:
    /** §3.5: "MUST treat the answer as invalid (equivalent to FORMERR)". */
    | 'invalid'
    /** §3.5: FORMERR, or no MQTYPE-Response: the server does not support the option. */
    | 'unsupported'
    /** §3.5: an MQTYPE-Response: the server supports the option. */
    | 'answered';
  types: number[];
}

/** The MQTYPE options with `code` in the response's OPT records (the codec gives an OPT record its option list). */
const options = (m: Message, code: number): MqtypeOption[] => m.additionals.flatMap((rr) => (
  rr.type === T.OPT ? (rr.data as EdnsOption[]).filter((o): o is MqtypeOption => o.kind === 'mqtype' && o.code === code) : []
));

/** Reads a response to a query for `primary` that asked for `extra` in an MQTYPE-Query option. */
export function verdict(m: Message, primary: number, extra: number[]): Verdict {
  const responses = options(m, OPT.MQTYPE_RESPONSE);
  // §3.5: "If the MQTYPE-Response option is present more than once or if a QTx value is
  // duplicated (or duplicates the primary QTYPE field) the client MUST treat the answer as invalid".
  const listed = responses[0]?.types ?? [];
  if (responses.length > 1 || new Set(listed).size !== listed.length || listed.includes(primary)) return { kind: 'invalid', types: [] };
  // §3.5: "if the server generates a FORMERR response, the client MUST issue additional
  // standalone queries ... for all QTYPEs for which an answer is still required".
  if (m.rcode === RCODE.FORMERR) return { kind: 'unsupported', types: [] };
  // §3.5: no MQTYPE-Response, or an echoed MQTYPE-Query: "treat the response as if this option
  // is unsupported by the server and MUST process the primary response" as usual.
  if (responses.length === 0 || options(m, OPT.MQTYPE_QUERY).length > 0) return { kind: 'unsupported', types: [primary] };
  // §3.5: the listed types are "completely answered"; a type the client did not ask for is ignored.
  return { kind: 'answered', types: [primary, ...extra.filter((t) => listed.includes(t))] };
}
