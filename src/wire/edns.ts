// EDNS(0) options (RFC 6891 §6.1.2): code(2) length(2) data. Known options
// are parsed into fields; any other is kept byte for byte.
import type { CodecOptions, EdnsOption } from './types.js';
import { OPT, TSR_APPLE } from './types.js';
import { EncodeError } from './errors.js';
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

function fixed(r: Reader, len: number, want: number, what: string): void {
  if (len !== want) r.fail(`${what} option length ${len}, expected ${want}`);
}

export function readOptions(r: Reader, o: CodecOptions | undefined): EdnsOption[] {
  const tsrCode = o?.tsrCode ?? TSR_APPLE;
  const apple = (o?.tsrLayout ?? 'apple') === 'apple';
  const list: EdnsOption[] = [];
  while (r.pos < r.end) {
    const code = r.u16('option code');
    const len = r.u16('option length');
    r.need(len, 'option data');
    const stop = r.pos + len;
    if (code === tsrCode && len === 10) {
      // draft-tllq-tsr-05 §2: RR index(2), key checksum(4), time(4); Apple: time, checksum, index.
      // Another length stays a raw option: the responder counts and ignores it, the packet's records still count.
      const first = apple ? r.u32('TSR time') : r.u16('TSR index');
      const checksum = r.u32('TSR checksum');
      const last = apple ? r.u16('TSR index') : r.u32('TSR time');
      list.push({ kind: 'tsr', code, index: apple ? last : first, checksum, seconds: apple ? first : last });
    } else if (code === OPT.MQTYPE_QUERY || code === OPT.MQTYPE_RESPONSE) {
      if (len % 2 !== 0) r.fail(`MQTYPE option length ${len} is odd`);
      const types: number[] = [];
      while (r.pos < stop) types.push(r.u16('MQTYPE type'));
      list.push({ kind: 'mqtype', code, types });
    } else if (code === OPT.LLQ) {
      // RFC 8764 §6.2: version(2) opcode(2) error(2) id(8) lease(4).
      fixed(r, len, 18, 'LLQ');
      const version = r.u16('LLQ version');
      const opcode = r.u16('LLQ opcode');
      const error = r.u16('LLQ error');
      const id = (BigInt(r.u32('LLQ id')) << 32n) | BigInt(r.u32('LLQ id'));
      list.push({ kind: 'llq', code, version, opcode, error, id, lease: r.u32('LLQ lease') });
    } else if (code === OPT.LEASE) {
      if (len !== 4 && len !== 8) r.fail(`Update Lease option length ${len}, expected 4 or 8`);
      const lease = r.u32('lease');
      list.push(len === 8 ? { kind: 'lease', code, lease, keyLease: r.u32('key lease') } : { kind: 'lease', code, lease });
    } else {
      list.push({ kind: 'raw', code, data: r.bytes(len, 'option data') });
    }
  }
  return list;
}

export function writeOptions(w: Writer, list: EdnsOption[], o: CodecOptions | undefined): void {
  if (!Array.isArray(list)) throw new EncodeError('OPT', 'data must be a list of options');
  const apple = (o?.tsrLayout ?? 'apple') === 'apple';
  for (const opt of list) {
    w.u16(opt.code, 'option code');
    const at = w.pos;
    w.u16(0, 'option length');
    switch (opt.kind) {
      case 'tsr':
        if (apple) w.u32(opt.seconds, 'TSR seconds');
        else w.u16(opt.index, 'TSR index');
        w.u32(opt.checksum, 'TSR checksum');
        if (apple) w.u16(opt.index, 'TSR index');
        else w.u32(opt.seconds, 'TSR seconds');
        break;
      case 'mqtype':
        for (const t of opt.types) w.u16(t, 'MQTYPE type');
        break;
      case 'llq':
        w.u16(opt.version, 'LLQ version');
        w.u16(opt.opcode, 'LLQ opcode');
        w.u16(opt.error, 'LLQ error');
        if (typeof opt.id !== 'bigint' || opt.id < 0n || opt.id >> 64n !== 0n) throw new EncodeError('LLQ id', 'not a 64-bit bigint');
        w.room(8);
        w.v.setBigUint64(w.pos, opt.id);
        w.pos += 8;
        w.u32(opt.lease, 'LLQ lease');
        break;
      case 'lease':
        w.u32(opt.lease, 'lease');
        if (opt.keyLease !== undefined) w.u32(opt.keyLease, 'key lease');
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
