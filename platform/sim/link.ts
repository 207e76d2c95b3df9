// A broadcast domain (one Ethernet segment, one Wi-Fi or Thread link) with
// seeded impairments. A packet put on the link is captured, then either
// dropped for everyone or delivered to every attached interface at one
// arrival time; duplication puts an independent second copy on the link.
import type { Captured } from './capture.js';
import type { Clock } from './clock.js';
import type { Iface } from './host.js';

export interface LinkOptions {
  /** Probability in [0, 1] that a packet is lost (default 0). */
  loss?: number;
  /** Fixed one-way delay in ms (default 0: arrival in the same instant, after the events already due). */
  delay?: number;
  /** Extra delay drawn uniformly from [0, jitter) ms per packet; packets can overtake each other (default 0). */
  jitter?: number;
  /** Probability in [0, 1] that a packet is also delivered a second time (default 0). */
  duplicate?: number;
}

/** A packet on its way: what was captured, plus what delivery needs. */
export interface Frame {
  family: 4 | 6;
  from: Captured['from'];
  /** `to.addr` is in canonical form. */
  to: Captured['to'];
  multicast: boolean;
  ttl: number;
  data: Uint8Array;
}

export class Link {
  /** The impairments may be changed at any time; they apply to packets sent afterwards. */
  loss: number;
  delay: number;
  jitter: number;
  duplicate: number;
  private readonly ifaces = new Set<Iface>();
  /** Canonical unicast address -> interfaces holding it; rebuilt after any change. */
  private owners: Map<string, Iface[]> | undefined;

  constructor(
    readonly name: string,
    opts: LinkOptions,
    private readonly clock: Clock,
    private readonly random: () => number,
    private readonly record: (c: Captured) => void,
  ) {
    this.loss = opts.loss ?? 0;
    this.delay = opts.delay ?? 0;
    this.jitter = opts.jitter ?? 0;
    this.duplicate = opts.duplicate ?? 0;
  }

  attach(i: Iface): void { this.ifaces.add(i); this.owners = undefined; }
  detach(i: Iface): void { this.ifaces.delete(i); this.owners = undefined; }
  /** An attached interface's addresses changed. */
  changed(): void { this.owners = undefined; }

  transmit(f: Frame, duplicate = false): void {
    const c: Captured = { t: this.clock.now, link: this.name, from: f.from, to: f.to, ttl: f.ttl, data: f.data };
    if (duplicate) c.duplicate = true;
    if (this.loss > 0 && this.random() < this.loss) c.dropped = true;
    else {
      c.at = this.clock.now + this.delay + (this.jitter > 0 ? this.random() * this.jitter : 0);
      this.clock.at(c.at, () => this.deliver(f));
    }
    this.record(c);
    if (!duplicate && this.duplicate > 0 && this.random() < this.duplicate) this.transmit(f, true);
  }

  /** Receivers are chosen on arrival, so an interface that went down or moved meanwhile gets nothing. */
  private deliver(f: Frame): void {
    const to = f.multicast ? this.ifaces : this.owner(f.to.addr);
    for (const i of [...to]) if (i.up && (i.multicast || !f.multicast)) i.host.receive(i, f);
  }

  /** The attached interfaces holding a unicast address (canonical form). */
  owner(addr: string): Iface[] {
    if (!this.owners) {
      this.owners = new Map();
      for (const i of this.ifaces) {
        for (const a of i.addrs) {
          const list = this.owners.get(a.addr);
          if (list) list.push(i); else this.owners.set(a.addr, [i]);
        }
      }
    }
    return this.owners.get(addr) ?? [];
  }
}
