// EDNS(0) options (RFC 6891 §6.1.2): code(2) length(2) data. Known options
// are parsed into fields; any other is kept byte for byte.
import type { CodecOptions, EdnsOption } from './types.js';
import { OPT, TSR_APPLE } from './types.js';
import { EncodeError } from './errors.js';
import { layout, readLayout, writeLayout } from './layout.js';
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';
import type { Layout } from './layout.js';

/** draft-tllq-tsr-05 §2: RR index(2), key checksum(4), time(4); Apple's mDNSResponder: time, checksum, index. */
const TSR = { draft: layout('TSR', 'index:2 checksum:4 seconds:4'), apple: layout('TSR', 'seconds:4 checksum:4 index:2') };
/** RFC 8764 §6.2: version(2) opcode(2) error(2) id(8) lease(4). */
const LLQ = layout('LLQ', 'version:2 opcode:2 error:2 id:8 lease:4');
/** draft-ietf-dnssd-update-lease §4: the key lease is optional; by option length. */
const LEASE: Record<number, Layout> = { 4: layout('lease', 'lease:4'), 8: layout('lease', 'lease:4 keyLease:4') };

export function readOptions(r: Reader, o: CodecOptions | undefined): EdnsOption[] {
  const tsrCode = o?.tsrCode ?? TSR_APPLE;
  const tsr = TSR[o?.tsrLayout ?? 'apple'];
  const list: EdnsOption[] = [];
  while (r.pos < r.end) {
    const code = r.uint(2, 'option code');
    const len = r.uint(2, 'option length');
    r.need(len, 'option data');
    const known = (kind: EdnsOption['kind'], l: Layout): void => {
      list.push({ kind, code, ...readLayout(r, l) } as EdnsOption);
    };
    if (code === tsrCode && len === 10) {
      // Another length stays a raw option: the responder counts and ignores it, the packet's records still count.
      known('tsr', tsr);
    } else if (code === OPT.MQTYPE_QUERY || code === OPT.MQTYPE_RESPONSE) {
      if (len % 2 !== 0) r.fail(`MQTYPE option length ${len} is odd`);
      const types: number[] = [];
      for (let i = 0; i < len; i += 2) types.push(r.uint(2, 'MQTYPE type'));
      list.push({ kind: 'mqtype', code, types });
    } else if (code === OPT.LLQ) {
      if (len !== 18) r.fail(`LLQ option length ${len}, expected 18`);
      known('llq', LLQ);
    } else if (code === OPT.LEASE) {
      if (!LEASE[len]) r.fail(`Update Lease option length ${len}, expected 4 or 8`);
      known('lease', LEASE[len]);
    } else {
      list.push({ kind: 'raw', code, data: r.bytes(len, 'option data') });
    }
  }
  return list;
}

export function writeOptions(w: Writer, list: EdnsOption[], o: CodecOptions | undefined): void {
  if (!Array.isArray(list)) throw new EncodeError('OPT', 'data must be a list of options');
  const tsr = TSR[o?.tsrLayout ?? 'apple'];
  for (const opt of list) {
    w.uint(opt.code, 2, 'option code');
    const at = w.length16();
    if (opt.kind === 'mqtype') for (const t of opt.types) w.uint(t, 2, 'MQTYPE type');
    else if (opt.kind === 'raw') w.bytes(opt.data, 'option data');
    else {
      const l = opt.kind === 'tsr' ? tsr : opt.kind === 'llq' ? LLQ : opt.kind === 'lease' ? LEASE[opt.keyLease === undefined ? 4 : 8] : undefined;
      if (!l) throw new EncodeError('option', `unknown kind ${(opt as { kind: unknown }).kind}`);
      writeLayout(w, l, opt);
    }
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
