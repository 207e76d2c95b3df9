// The DNS message model shared by the encoder and the decoder.
//
// Names are strings in presentation form: labels joined by '.', with '\.'
// for a dot inside a label, '\\' for a backslash, and '\DDD' (decimal) for a
// byte that is not valid UTF-8 or is a control character. The root is ''.
// A trailing dot is accepted on input and never produced.

/** RR types the codec knows by structure; any other type is opaque (RFC 3597). */
export const T = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, TXT: 16, SIG: 24, KEY: 25, AAAA: 28,
  SRV: 33, OPT: 41, NSEC: 47, ANY: 255,
} as const;

/** EDNS option codes (IANA; TSR's code is configuration, see TSR_APPLE). */
export const OPT = { LLQ: 1, LEASE: 2, MQTYPE_QUERY: 20, MQTYPE_RESPONSE: 21 } as const;

/** The code Apple's mDNSResponder, the only deployed TSR implementation, uses. */
export const TSR_APPLE = 65002;

export const CLASS_IN = 1;

export interface Question {
  name: string;
  type: number;
  /** Class without the QU bit. */
  class: number;
  /** RFC 6762 §5.4: top bit of qclass, unicast response requested. */
  qu: boolean;
}

export interface Srv { priority: number; weight: number; port: number; target: string }
export interface Soa {
  mname: string; rname: string; serial: number; refresh: number; retry: number;
  expire: number; minimum: number;
}
/** NSEC (RFC 4034 §4): the next name and the set of types present, ascending. */
export interface Nsec { next: string; types: number[] }
export interface Key { flags: number; protocol: number; algorithm: number; key: Uint8Array }
export interface Sig {
  typeCovered: number; algorithm: number; labels: number; originalTtl: number;
  expiration: number; inception: number; keyTag: number; signer: string; signature: Uint8Array;
}

/**
 * TSR (draft-tllq-tsr-05 §2): one per owner name; `index` points at a
 * non-question record, `seconds` is the time since the data was received.
 */
export interface TsrOption { kind: 'tsr'; code: number; index: number; checksum: number; seconds: number }
/** draft-ietf-dnssd-multi-qtypes: 20 in queries, 21 in responses. */
export interface MqtypeOption { kind: 'mqtype'; code: 20 | 21; types: number[] }
/** RFC 8764 §6.2 LLQ: opcode 1 setup, 2 refresh, 3 event. */
export interface LlqOption {
  kind: 'llq'; code: 1; version: number; opcode: number; error: number; id: bigint; lease: number;
}
/** Update Lease (draft-ietf-dnssd-update-lease): key lease is optional on the wire. */
export interface LeaseOption { kind: 'lease'; code: 2; lease: number; keyLease?: number }
/** Any other option, kept byte for byte. */
export interface RawOption { kind: 'raw'; code: number; data: Uint8Array }
export type EdnsOption = TsrOption | MqtypeOption | LlqOption | LeaseOption | RawOption;

/**
 * Record data, by type: A/AAAA address text; NS/CNAME/PTR a name; TXT the
 * character-strings (bytes); SRV, SOA, NSEC, KEY, SIG structures; OPT the
 * option list; anything else the raw rdata bytes.
 */
export type RData = string | Srv | Soa | Nsec | Key | Sig | Uint8Array[] | EdnsOption[] | Uint8Array;

export interface Rec {
  name: string;
  type: number;
  /**
   * Class without the cache-flush bit. For OPT this is the whole 16-bit field
   * (the requestor's UDP payload size) and `flush` is always false.
   */
  class: number;
  /** RFC 6762 §10.2: top bit of rrclass. */
  flush: boolean;
  /** For OPT: extended rcode, version and flags as one 32-bit number. */
  ttl: number;
  data: RData;
}

export interface Message {
  id: number;
  /** Header flags: qr, aa, tc, rd, ra, z, ad, cd. */
  qr: boolean; aa: boolean; tc: boolean; rd: boolean; ra: boolean; z: boolean; ad: boolean; cd: boolean;
  opcode: number;
  rcode: number;
  questions: Question[];
  answers: Rec[];
  authorities: Rec[];
  additionals: Rec[];
}

/** How TSR options are laid out on the wire (DESIGN.md §5). */
export type TsrLayout = 'apple' | 'draft';

export interface CodecOptions {
  /** EDNS option code read and written as TSR; default TSR_APPLE. */
  tsrCode?: number;
  /** 'apple': time, checksum, index (deployed); 'draft': index, checksum, time. Default 'apple'. */
  tsrLayout?: TsrLayout;
}

export interface EncodeOptions extends CodecOptions {
  /** Compress the SRV target name (default true; false for legacy unicast, RFC 6762 §18.14). */
  compressSrv?: boolean;
  /** Largest packet to produce in bytes (default 1460 = 1500 MTU − IPv6/UDP headers; at most 9000). */
  budget?: number;
}

/** What `pack` could not fit under the budget, in original order per section. */
export interface Leftover {
  questions: Question[];
  answers: Rec[];
  authorities: Rec[];
  additionals: Rec[];
}

export interface Packed {
  data: Uint8Array;
  /** Empty sections when everything fit. */
  rest: Leftover;
  /** True when anything was left over. */
  full: boolean;
}
