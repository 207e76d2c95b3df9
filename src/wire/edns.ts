// EDNS(0) options (RFC 6891 §6.1.2): code(2) length(2) data. Known options
// are parsed into fields; any other is kept byte for byte.
import type { CodecOptions, EdnsOption } from './types.js';
import { OPT, TSR_APPLE } from './types.js';
import { EncodeError } from './errors.js';
import { layout, readLayout, writeLayout } from './layout.js';
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';
import type { Layout } from './layout.js';

/** Apple's mDNSResponder: time(4), key checksum(4), RR index(2); draft-tllq-tsr-05 §2: the same fields in reverse order. */
const TSR_TIME_FIRST = layout('TSR', 'seconds:4 checksum:4 index:2');
const TSR = { apple: TSR_TIME_FIRST, draft: [...TSR_TIME_FIRST].reverse() };
/** draft-ietf-dnssd-multi-qtypes: the types, two bytes each. */
const MQTYPE = layout('MQTYPE', 'types:l');
/** RFC 8764 §6.2: version(2) opcode(2) error(2) id(8) lease(4). */
const LLQ = layout('LLQ', 'version:2 opcode:2 error:2 id:8 lease:4');
/** draft-ietf-dnssd-update-lease §4: the key lease is optional; by option length. */
const KEY_LEASE = layout('lease', 'lease:4 keyLease:4');
const LEASE = KEY_LEASE.slice(0, 1);
const RAW = layout('option', 'data:r');

/** How an option of this kind is laid out; `long`: a lease option with its key lease. */
function optionLayout(kind: EdnsOption['kind'], long: boolean, o: CodecOptions | undefined): Layout | undefined {
  switch (kind) {
    case 'tsr': return TSR[o?.tsrLayout ?? 'apple'];
    case 'mqtype': return MQTYPE;
    case 'llq': return LLQ;
    case 'lease': return long ? KEY_LEASE : LEASE;
    case 'raw': return RAW;
  }
}

/** The option's length must be the one its layout reads (TSR 10, LLQ 18, lease 4 or 8, MQTYPE even). */
export function readOptions(r: Reader, o: CodecOptions | undefined): EdnsOption[] {
  const tsrCode = o?.tsrCode ?? TSR_APPLE;
  const list: EdnsOption[] = [];
  while (r.pos < r.end) {
    const code = r.uint(2, 'option code');
    const len = r.uint(2, 'option length');
    // A TSR option of another length stays raw: the responder counts and ignores it, the packet's records still count.
    const kind = code === tsrCode && len === 10 ? 'tsr'
      : code === OPT.MQTYPE_QUERY || code === OPT.MQTYPE_RESPONSE ? 'mqtype'
      : code === OPT.LLQ ? 'llq'
      : code === OPT.LEASE ? 'lease'
      : 'raw';
    const outer = r.region(len, 'option data');
    list.push({ kind, code, ...readLayout(r, optionLayout(kind, len === 8, o)!) } as EdnsOption);
    r.endRegion(outer, 'option data');
  }
  return list;
}

export function writeOptions(w: Writer, list: EdnsOption[], o: CodecOptions | undefined): void {
  if (!Array.isArray(list)) throw new EncodeError('OPT', 'data must be a list of options');
  for (const opt of list) {
    const l = optionLayout(opt.kind, opt.kind === 'lease' && opt.keyLease !== undefined, o);
    if (!l) throw new EncodeError('option', `unknown kind ${opt.kind}`);
    w.uint(opt.code, 2, 'option code');
    const at = w.length16();
    writeLayout(w, l, opt);
    w.setLength16(at);
  }
}

/**
 * TSR key checksum (draft-tllq-tsr-05 §2): the key as big-endian 32-bit
 * words, summed modulo 2^32. A byte past the end reads as undefined, which
 * shifts in as 0: the last word is zero-padded.
 */
export function keyChecksum(key: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < key.length; i += 4) sum = (sum + ((key[i] << 24) | (key[i + 1] << 16) | (key[i + 2] << 8) | key[i + 3])) >>> 0;
  return sum;
}
