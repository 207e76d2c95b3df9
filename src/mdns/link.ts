// One interface and address family: where the responder hears and speaks.
// It owns the per-record multicast history (RFC 6762 §6.2 rate limit, §5.4
// quarter-TTL rule) and the outbox that aggregates multicast answers (§6.4).
import type { NetInterface, Platform, Socket } from '../platform.js';
import type { Message, Rec } from '../wire/types.js';
import { message, pack } from '../wire/message.js';
import { withTtl } from './record.js';
import type { Owned } from './record.js';

export const MDNS_PORT = 5353;
export const GROUP = { 4: '224.0.0.251', 6: 'ff02::fb' } as const;

export interface Pending {
  o: Owned;
  additional: boolean;
  /** Probe defence may repeat a record after 250 ms instead of 1 s (RFC 6762 §6.2). */
  defend: boolean;
}

interface Batch { at: number; limit: number; items: Pending[]; cancel: () => void }

export class Link {
  readonly id: string;
  /** Record id -> when it was last multicast here. */
  readonly lastMulticast = new Map<string, number>();
  private batches: Batch[] = [];

  constructor(
    readonly iface: NetInterface,
    readonly family: 4 | 6,
    private readonly socket: Socket,
    private readonly p: Platform,
    private readonly budget: number,
    private readonly count: (what: string, n?: number) => void,
  ) {
    this.id = `${iface.name}/${family}`;
  }

  get ifindex(): number { return this.iface.index; }

  /**
   * Sends a message, split over as many packets as the budget needs. A query
   * split this way is a multi-packet known-answer query: RFC 6762 §7.2, the
   * TC bit is set in every packet but the last.
   */
  send(msg: Message, to?: { addr: string; port: number }, legacy = false): void {
    let m = msg;
    for (;;) {
      const p = pack(m, { budget: this.budget, compressSrv: !legacy });
      const placed = items(m) - items(p.rest);
      if (placed > 0) {
        if (p.full && !m.qr) {
          p.data[2] |= 0x02;
          this.count('truncatedQueries');
        }
        this.socket.send(p.data, { addr: to?.addr ?? GROUP[this.family], port: to?.port ?? MDNS_PORT, ifindex: this.ifindex });
        this.count(to ? 'sentUnicast' : 'sentMulticast');
        this.count('sentBytes', p.data.length);
      }
      if (!p.full) return;
      const r = p.rest;
      if (placed === 0) {
        // One record larger than the budget: it can never be sent; skip it.
        this.count('tooLarge');
        const s = [r.questions, r.answers, r.authorities, r.additionals].find((l) => l.length > 0)!;
        s.splice(0, 1);
      }
      m = { ...m, questions: r.questions.slice(), answers: r.answers.slice(), authorities: r.authorities.slice(), additionals: r.additionals.slice() };
    }
  }

  /** Whether the whole message fits in one packet. */
  fits(m: Message): boolean {
    return !pack(m, { budget: this.budget }).full;
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
    const now = this.p.now();
    let batch = at <= now
      ? this.batches.find((b) => b.at <= now)
      : this.batches.find((b) => b.at > now && b.at >= at && b.at <= at + 500) ??
        this.batches.find((b) => b.at > now && b.at < at && at <= b.limit);
    if (batch && batch.at < at) {
      batch.cancel();
      this.arm(batch, at);
    }
    if (!batch) {
      batch = { at, limit: at + 500, items: [], cancel: () => undefined };
      this.arm(batch, at);
      this.batches.push(batch);
    }
    batch.items.push(...items);
  }

  private arm(b: Batch, at: number): void {
    b.at = at;
    b.cancel = this.p.timer(Math.max(0, at - this.p.now()), () => this.flush(b));
  }

  /**
   * RFC 6762 §7.4: another responder just multicast this answer: drop ours
   * "...and the TTL in that record is not less than the TTL this host would have given".
   */
  suppress(rec: Rec, id: string): void {
    for (const b of this.batches) {
      b.items = b.items.filter((i) => i.additional || i.o.id !== id || rec.ttl < i.o.rec.ttl);
    }
  }

  /** Drops queued answers for records that are no longer ours. */
  forget(ids: Set<string>): void {
    for (const b of this.batches) b.items = b.items.filter((i) => !ids.has(i.o.id));
  }

  private flush(batch: Batch): void {
    this.batches = this.batches.filter((b) => b !== batch);
    const now = this.p.now();
    const answers = new Map<string, Owned>();
    const additionals = new Map<string, Owned>();
    const later: Pending[] = [];
    let next = Infinity;
    for (const item of batch.items) {
      const { o, additional, defend } = item;
      const last = this.lastMulticast.get(o.id);
      // RFC 6762 §6.2: at most once per second per record. A record multicast
      // within the last second already reached the querier's link: drop it.
      // Probe defence is delayed to 250 ms after the last multicast instead.
      const free = last === undefined ? now : last + (defend ? 250 : 1000);
      if (free > now) {
        if (defend && !additional) { later.push(item); next = Math.min(next, free); }
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
  multicast(answers: Owned[], additionals: Owned[] = [], ttl?: number): void {
    const now = this.p.now();
    const rec = (o: Owned): Rec => (ttl === undefined ? o.rec : withTtl(o.rec, ttl));
    this.send(message({ qr: true, aa: true, answers: answers.map(rec), additionals: additionals.map(rec) }));
    for (const o of answers) this.lastMulticast.set(o.id, now);
    for (const o of additionals) this.lastMulticast.set(o.id, now);
  }

  close(): void {
    for (const b of this.batches) b.cancel();
    this.batches = [];
  }
}

function items(m: { questions: unknown[]; answers: unknown[]; authorities: unknown[]; additionals: unknown[] }): number {
  return m.questions.length + m.answers.length + m.authorities.length + m.additionals.length;
}
