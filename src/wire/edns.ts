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
/** draft-ietf-dnssd-update-lease §4: the key lease is optional. */
const LEASE = [layout('lease', 'lease:4'), layout('lease', 'lease:4 keyLease:4')];

export function readOptions(r: Reader, o: CodecOptions | undefined): EdnsOption[] {
  const tsrCode = o?.tsrCode ?? TSR_APPLE;
  const tsr = TSR[o?.tsrLayout ?? 'apple'];
  const list: EdnsOption[] = [];
  while (r.pos < r.end) {
    const code = r.u16('option code');
    const len = r.u16('option length');
    r.need(len, 'option data');
    const stop = r.pos + len;
    const known = (kind: EdnsOption['kind'], l: Layout): void => {
      list.push({ kind, code, ...readLayout(r, l) } as EdnsOption);
    };
    if (code === tsrCode && len === 10) {
      // Another length stays a raw option: the responder counts and ignores it, the packet's records still count.
      known('tsr', tsr);
    } else if (code === OPT.MQTYPE_QUERY || code === OPT.MQTYPE_RESPONSE) {
      if (len % 2 !== 0) r.fail(`MQTYPE option length ${len} is odd`);
      const types: number[] = [];
      while (r.pos < stop) types.push(r.u16('MQTYPE type'));
      list.push({ kind: 'mqtype', code, types });
    } else if (code === OPT.LLQ) {
      if (len !== 18) r.fail(`LLQ option length ${len}, expected 18`);
      known('llq', LLQ);
    } else if (code === OPT.LEASE) {
      if (len !== 4 && len !== 8) r.fail(`Update Lease option length ${len}, expected 4 or 8`);
      known('lease', LEASE[len === 8 ? 1 : 0]);
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
    w.u16(opt.code, 'option code');
    const at = w.pos;
    w.u16(0, 'option length');
    switch (opt.kind) {
      case 'tsr':
        writeLayout(w, tsr, opt);
        break;
      case 'mqtype':
        for (const t of opt.types) w.u16(t, 'MQTYPE type');
        break;
      case 'llq':
        writeLayout(w, LLQ, opt);
        break;
      case 'lease':
        writeLayout(w, LEASE[opt.keyLease === undefined ? 0 : 1], opt);
        break;
      case 'raw':
        w.bytes(opt.data, 'option data');
        break;
      default:
        throw new EncodeError('option', `unknown kind ${(opt as { kind: unknown }).kind}`);
    }
    w.v.setUint16(at, w.pos - at - 2);
  }
}

/** TSR key checksum (draft-tllq-tsr-05 §2): the key as big-endian 32-bit words, summed modulo 2^32. */
export function keyChecksum(key: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < key.length; i += 4) {
    const word = ((key[i] << 24) | ((key[i + 1] ?? 0) << 16) | ((key[i + 2] ?? 0) << 8) | (key[i + 3] ?? 0)) >>> 0;
    sum = (sum + word) >>> 0;
  }
  return sum;
}
