// One interface and address family: where the responder hears and speaks.
// It owns the per-record multicast history (RFC 6762 §6.2 rate limit, §5.4
// quarter-TTL rule) and the outbox that aggregates multicast answers (§6.4).
import type { NetInterface, Platform, Socket } from '../platform.js';
import type { CodecOptions, EncodeOptions, Leftover, Message, Packed, Rec } from '../wire/types.js';
import { T } from '../wire/types.js';
import { encode, leftover, message, pack, sectionsOf } from '../wire/message.js';
import { withTtl } from './record.js';
import type { Owned } from './record.js';
import { tsrOptions } from './tsr.js';
import type { Tsr } from './tsr.js';

export const MDNS_PORT = 5353;
export const GROUP = { 4: '224.0.0.251', 6: 'ff02::fb' } as const;

/** TSR data of locally registered names (draft-tllq-tsr-05 §3.5), by name key; none for others. */
export type TsrOf = (key: string) => Tsr | undefined;

/** The DNS header (RFC 1035 §4.1.1): a packet no longer than it carries nothing. */
const HEADER_BYTES = 12;
/** An OPT record's fixed part (RFC 6891 §6.1.2) and one TSR option (§2): what a packet must keep free for them. */
const OPT_BYTES = 11;
const TSR_OPTION_BYTES = 14;
/** The UDP payload size our OPT records state (RFC 6891 §6.2.5). */
const OPT_PAYLOAD = 1440;

export interface Pending {
  o: Owned;
  additional: boolean;
  /** Probe defence may repeat a record after 250 ms instead of 1 s (RFC 6762 §6.2). */
  defend: boolean;
  /** Goes out even when multicast within the last second: postponed to a second after that, not dropped. */
  resend?: boolean;
}

interface Batch { at: number; limit: number; items: Pending[]; cancel: () => void }

export class Link {
  /** The interface's index (a link whose interface gets another index is replaced). */
  readonly ifindex: number;
  /** Record id -> when it was last multicast here. */
  readonly lastMulticast = new Map<string, number>();
  /** The responder's TSR data for the answers it multicasts here (draft-tllq-tsr-05 §3.5). */
  tsrOf?: TsrOf;
  private _batches: Batch[] = [];

  constructor(
    /** 'eth0/4': the interface's name and the family. */
    readonly id: string,
    readonly iface: NetInterface,
    readonly family: 4 | 6,
    private readonly _socket: Socket,
    private readonly _p: Platform,
    private readonly _budget: number,
    private readonly _count: (what: string, n?: number) => void,
    private readonly _codec: CodecOptions & { tsrCode: number },
  ) {
    this.ifindex = iface.index;
  }

  /**
   * Sends a message, split over as many packets as the budget needs. A query
   * split this way is a multi-packet known-answer query: RFC 6762 §7.2, the
   * TC bit is set in every packet but the last. With `tsr`, each packet gets
   * an OPT record with one TSR option per registered name in it, indexed
   * within that packet (draft-tllq-tsr-05 §3.5).
   */
  send(msg: Message, to?: { addr: string; port: number }, legacy = false, tsr?: TsrOf): void {
    let m = msg;
    for (;;) {
      const p = this._fill(m, legacy, tsr);
      if (p.data.length > HEADER_BYTES) {
        if (p.full && !m.qr) {
          p.data[2] |= 0x02;
          this._count('truncatedQueries');
        }
        this._socket.send(p.data, { ...(to ?? { addr: GROUP[this.family], port: MDNS_PORT }), ifindex: this.ifindex });
        this._count(to ? 'sentUnicast' : 'sentMulticast');
        this._count('sentBytes', p.data.length);
      } else if (p.full) {
        // One record larger than the budget: it can never be sent; skip it.
        this._count('tooLarge');
        // (`rest` holds the sections in wire order: the first item left is that record.)
        sectionsOf(p.rest).find((l) => l.length)!.shift();
      }
      if (!p.full) return;
      m = { ...m, ...p.rest };
    }
  }

  private _encoding(legacy: boolean, budget: number): EncodeOptions {
    return { ...this._codec, budget, compressSrv: !legacy };
  }

  /**
   * Packs as much of `m` as fits with room left for the OPT record and the
   * TSR options (one per registered name) of the records placed: packed
   * again with less room while the placed records need more than is left
   * (each round places no more names, so it settles at once). The packet
   * then gets that OPT record, when it has options.
   */
  private _fill(m: Message, legacy: boolean, tsr?: TsrOf): Packed {
    let budget = this._budget;
    for (;;) {
      const p = pack(m, this._encoding(legacy, budget));
      const placed = placedOf(m, p.rest);
      const options = tsr ? tsrOptions(placed, tsr, this._codec.tsrCode, this._p.now()) : [];
      const need = options.length && OPT_BYTES + TSR_OPTION_BYTES * options.length;
      if (p.data.length + need <= this._budget || budget <= MIN_BUDGET) {
        if (need) {
          const opt: Rec = { name: '', type: T.OPT, class: OPT_PAYLOAD, flush: false, ttl: 0, data: options };
          p.data = encode({ ...placed, additionals: [...placed.additionals, opt] }, this._encoding(legacy, this._budget));
        }
        return p;
      }
      budget = Math.max(MIN_BUDGET, this._budget - need);
    }
  }

  /** Whether the whole message fits in one packet, with its TSR options when `tsr` is given. */
  fits(m: Message, tsr?: TsrOf): boolean {
    return !this._fill(m, false, tsr).full;
  }

  /**
   * Queues multicast answers to go out at `at`. RFC 6762 §6.4: "...earlier
   * responses SHOULD be delayed by up to an additional 500 ms if that will
   * permit them to be aggregated with other responses scheduled to go out a
   * little later": a later batch is joined, an earlier one is postponed to
   * `at` while it stays within 500 ms of its own time. Immediate answers
   * (unique records, §6) only share a packet with others due now.
   */
  queue(items: Pending[], at: number): void {
    const now = this._p.now();
    const all = this._batches;
    // (A batch at or after a future `at` is itself in the future.)
    let batch = at <= now
      ? all.find((b) => b.at <= now)
      : all.find((b) => b.at >= at && b.at <= at + 500) ?? all.find((b) => b.at > now && b.at < at && at <= b.limit);
    // A new batch is armed below like a postponed one.
    if (!batch) all.push((batch = { at: -Infinity, limit: at + 500, items: [], cancel: () => undefined }));
    if (batch.at < at) {
      const b = batch;
      b.cancel();
      b.at = at;
      b.cancel = this._p.timer(Math.max(0, at - now), () => this._flush(b));
    }
    batch.items.push(...items);
  }

  /**
   * RFC 6762 §7.4: another responder just multicast this answer: drop ours
   * "...and the TTL in that record is not less than the TTL this host would have given".
   */
  suppress(rec: Rec, id: string): void {
    this._keep((i) => i.additional || i.resend || i.o.rid !== id || rec.ttl < i.o.rec.ttl);
  }

  /** Drops queued answers, and the multicast history, of records that are no longer ours. */
  forget(ids: Set<string>): void {
    this._keep((i) => !ids.has(i.o.rid));
    for (const id of ids) this.lastMulticast.delete(id);
  }

  /** Keeps only the queued answers that pass `keep`. */
  private _keep(keep: (i: Pending) => boolean): void {
    for (const b of this._batches) b.items = b.items.filter(keep);
  }

  private _flush(batch: Batch): void {
    this._batches = this._batches.filter((b) => b !== batch);
    const now = this._p.now();
    const answers = new Map<string, Owned>();
    const additionals = new Map<string, Owned>();
    const later: Pending[] = [];
    let next = Infinity;
    for (const item of batch.items) {
      const { o, additional, defend, resend } = item;
      // RFC 6762 §6.2: at most once per second per record. A record multicast
      // within the last second already reached the querier's link: drop it.
      // Probe defence is delayed to 250 ms after the last multicast instead,
      // and a resend to a second after it.
      const free = (this.lastMulticast.get(o.rid) ?? -Infinity) + (defend ? 250 : 1000);
      if (free > now) {
        if ((defend || resend) && !additional) { later.push(item); next = Math.min(next, free); }
        continue;
      }
      (additional ? additionals : answers).set(o.rid, o);
    }
    for (const id of answers.keys()) additionals.delete(id);
    if (later.length) this.queue(later, next);
    if (answers.size) this.multicastRecords([...answers.values()], [...additionals.values()]);
  }

  /** Sends records by multicast and notes when (announcements and answers alike). */
  multicastRecords(answers: Owned[], additionals: Owned[] = [], ttl?: number, tsr = this.tsrOf): void {
    const now = this._p.now();
    const rec = (o: Owned): Rec => withTtl(o.rec, ttl ?? o.rec.ttl);
    this.send(message({ qr: true, aa: true, answers: answers.map(rec), additionals: additionals.map(rec) }), undefined, false, tsr);
    // A goodbye ends the record's history here.
    for (const o of answers.concat(additionals)) {
      if (ttl === 0) this.lastMulticast.delete(o.rid);
      else this.lastMulticast.set(o.rid, now);
    }
    if (this.lastMulticast.size > HISTORY_MAX) {
      for (const [id, t] of this.lastMulticast) if (now - t > HISTORY_SPAN) this.lastMulticast.delete(id);
    }
  }

  close(): void {
    for (const b of this._batches) b.cancel();
    this._batches = [];
  }
}

/** Past this many records in the multicast history, entries older than HISTORY_SPAN go. */
const HISTORY_MAX = 4096;
/** The history matters for a quarter of the longest TTL (RFC 6762 §5.4; 4500 s / 4). */
const HISTORY_SPAN = 1_125_000;

/** The smallest budget packing is tried with: a header and a little room for records. */
const MIN_BUDGET = 128;

/** All of `m` but what `pack` handed back (`rest` has every section). */
function placedOf(m: Message, rest: Leftover): Message {
  const left = sectionsOf(rest);
  return { ...m, ...leftover(sectionsOf(m).map((list, s) => list.slice(0, list.length - left[s].length))) };
}
