// One interface and address family: where the responder hears and speaks.
// It owns the per-record multicast history (RFC 6762 §6.2 rate limit, §5.4
// quarter-TTL rule) and the outbox that aggregates multicast answers (§6.4).
import type { NetInterface, Platform, Socket } from '../platform.js';
import type { CodecOptions, Leftover, Message, Rec } from '../wire/types.js';
import { nameKey } from '../wire/name.js';
import { T } from '../wire/types.js';
import { encode, message, pack } from '../wire/message.js';
import { withTtl } from './record.js';
import type { Owned } from './record.js';
import { tsrOptions } from './tsr.js';
import type { Tsr } from './tsr.js';

export const MDNS_PORT = 5353;
export const GROUP = { 4: '224.0.0.251', 6: 'ff02::fb' } as const;

/** TSR data of locally registered names (draft-tllq-tsr-05 §3.5), by name key; none for others. */
export type TsrOf = (key: string) => Tsr | undefined;

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
  readonly id: string;
  /** Record id -> when it was last multicast here. */
  readonly lastMulticast = new Map<string, number>();
  /** The responder's TSR data for the answers it multicasts here (draft-tllq-tsr-05 §3.5). */
  tsrOf?: TsrOf;
  private _batches: Batch[] = [];

  constructor(
    readonly iface: NetInterface,
    readonly family: 4 | 6,
    private readonly _socket: Socket,
    private readonly _p: Platform,
    private readonly _budget: number,
    private readonly _count: (what: string, n?: number) => void,
    private readonly _codec: CodecOptions & { tsrCode: number },
  ) {
    this.id = `${iface.name}/${family}`;
  }

  get ifindex(): number { return this.iface.index; }

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
      const { p, names } = this._fill(m, legacy, tsr);
      const placed = items(m) - items(p.rest);
      if (placed > 0) {
        if (names) p.data = this._withTsr(m, p.rest, tsr!, legacy);
        if (p.full && !m.qr) {
          p.data[2] |= 0x02;
          this._count('truncatedQueries');
        }
        this._socket.send(p.data, { addr: to?.addr ?? GROUP[this.family], port: to?.port ?? MDNS_PORT, ifindex: this.ifindex });
        this._count(to ? 'sentUnicast' : 'sentMulticast');
        this._count('sentBytes', p.data.length);
      }
      if (!p.full) return;
      const r = p.rest;
      if (placed === 0) {
        // One record larger than the budget: it can never be sent; skip it.
        this._count('tooLarge');
        const s = [r.questions, r.answers, r.authorities, r.additionals].find((l) => l.length > 0)!;
        s.splice(0, 1);
      }
      m = { ...m, questions: r.questions.slice(), answers: r.answers.slice(), authorities: r.authorities.slice(), additionals: r.additionals.slice() };
    }
  }

  /**
   * Packs as much of `m` as fits with room left for the OPT record and one
   * TSR option per registered name among the records placed: packed again
   * with less room while the placed records need more than is left (each
   * round places no more names, so it settles at once).
   */
  private _fill(m: Message, legacy: boolean, tsr?: TsrOf): { p: ReturnType<typeof pack>; names: number } {
    let budget = this._budget;
    for (;;) {
      const p = pack(m, { ...this._codec, budget, compressSrv: !legacy });
      const names = tsr ? tsrNames(placedOf(m, p.rest), tsr) : 0;
      const need = names ? OPT_BYTES + TSR_OPTION_BYTES * names : 0;
      if (p.data.length + need <= this._budget || budget <= MIN_BUDGET) return { p, names };
      budget = Math.max(MIN_BUDGET, this._budget - need);
    }
  }

  /** The packet of what `pack` placed (all of `m` but `rest`), with its TSR options in an OPT record. */
  private _withTsr(m: Message, rest: Leftover, tsr: TsrOf, legacy: boolean): Uint8Array {
    const placed = placedOf(m, rest);
    const options = tsrOptions(placed.answers.concat(placed.authorities, placed.additionals), tsr, this._codec.tsrCode, this._p.now());
    if (options.length) placed.additionals = [...placed.additionals, { name: '', type: T.OPT, class: OPT_PAYLOAD, flush: false, ttl: 0, data: options }];
    return encode(placed, { ...this._codec, budget: this._budget, compressSrv: !legacy });
  }

  /** Whether the whole message fits in one packet, with its TSR options when `tsr` is given. */
  fits(m: Message, tsr?: TsrOf): boolean {
    const { p } = this._fill(m, false, tsr);
    return !p.full;
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
    let batch = at <= now
      ? this._batches.find((b) => b.at <= now)
      : this._batches.find((b) => b.at > now && b.at >= at && b.at <= at + 500) ??
        this._batches.find((b) => b.at > now && b.at < at && at <= b.limit);
    if (batch && batch.at < at) {
      batch.cancel();
      this._arm(batch, at);
    }
    if (!batch) {
      batch = { at, limit: at + 500, items: [], cancel: () => undefined };
      this._arm(batch, at);
      this._batches.push(batch);
    }
    batch.items.push(...items);
  }

  private _arm(b: Batch, at: number): void {
    b.at = at;
    b.cancel = this._p.timer(Math.max(0, at - this._p.now()), () => this._flush(b));
  }

  /**
   * RFC 6762 §7.4: another responder just multicast this answer: drop ours
   * "...and the TTL in that record is not less than the TTL this host would have given".
   */
  suppress(rec: Rec, id: string): void {
    for (const b of this._batches) {
      b.items = b.items.filter((i) => i.additional || i.resend || i.o.id !== id || rec.ttl < i.o.rec.ttl);
    }
  }

  /** Drops queued answers, and the multicast history, of records that are no longer ours. */
  forget(ids: Set<string>): void {
    for (const b of this._batches) b.items = b.items.filter((i) => !ids.has(i.o.id));
    for (const id of ids) this.lastMulticast.delete(id);
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
      const last = this.lastMulticast.get(o.id);
      // RFC 6762 §6.2: at most once per second per record. A record multicast
      // within the last second already reached the querier's link: drop it.
      // Probe defence is delayed to 250 ms after the last multicast instead,
      // and a resend to a second after it.
      const free = last === undefined ? now : last + (defend ? 250 : 1000);
      if (free > now) {
        if ((defend || resend) && !additional) { later.push(item); next = Math.min(next, free); }
        continue;
      }
      (additional ? additionals : answers).set(o.id, o);
    }
    for (const id of answers.keys()) additionals.delete(id);
    if (later.length) this.queue(later, next);
    if (answers.size === 0) return;
    this.multicast([...answers.values()], [...additionals.values()]);
  }

  /** Sends records by multicast and notes when (announcements and answers alike). */
  multicast(answers: Owned[], additionals: Owned[] = [], ttl?: number, tsr = this.tsrOf): void {
    const now = this._p.now();
    const rec = (o: Owned): Rec => (ttl === undefined ? o.rec : withTtl(o.rec, ttl));
    this.send(message({ qr: true, aa: true, answers: answers.map(rec), additionals: additionals.map(rec) }), undefined, false, tsr);
    // A goodbye ends the record's history here.
    for (const o of answers.concat(additionals)) {
      if (ttl === 0) this.lastMulticast.delete(o.id);
      else this.lastMulticast.set(o.id, now);
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

/** All of `m` but what `pack` handed back. */
function placedOf(m: Message, rest: Leftover): Message {
  const cut = <X>(all: X[], left: unknown[]): X[] => all.slice(0, all.length - left.length);
  return {
    ...m,
    questions: cut(m.questions, rest.questions),
    answers: cut(m.answers, rest.answers),
    authorities: cut(m.authorities, rest.authorities),
    additionals: cut(m.additionals, rest.additionals),
  };
}

/** How many registered (TSR-carrying) owner names the message's records have. */
function tsrNames(m: Message, tsr: TsrOf): number {
  const names = new Set<string>();
  for (const r of m.answers.concat(m.authorities, m.additionals)) {
    const k = nameKey(r.name);
    if (tsr(k)) names.add(k);
  }
  return names.size;
}

function items(m: { questions: unknown[]; answers: unknown[]; authorities: unknown[]; additionals: unknown[] }): number {
  return m.questions.length + m.answers.length + m.authorities.length + m.additionals.length;
}
