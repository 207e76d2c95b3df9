// What the responder and the querier share: counters, the guard that keeps
// every error inside the engine, the mDNS socket per address family, and
// the choice of links (one per interface and family) from the options.
import type { NetInterface, PacketMeta, Platform, Socket } from '../platform.js';
import type { Message } from '../wire/types.js';
import { DecodeError } from '../wire/errors.js';
import { decode } from '../wire/message.js';
import { onLink } from '../net.js';
import { GROUP, MDNS_PORT } from './link.js';
import type { Link } from './link.js';

export interface LinkOptions {
  /** Interface names to use; default every up, multicast-capable one. */
  interfaces?: string[];
  /** Address families to speak; default both. */
  families?: (4 | 6)[];
}

export type LinkSpec = NetInterface & { family: 4 | 6 };

export abstract class Engine {
  readonly counters: Record<string, number> = {};
  protected readonly sockets = new Map<4 | 6, Socket>();
  /** One link per interface and family, by id ('eth0/4'). */
  protected readonly links = new Map<string, Link>();
  protected closed = false;

  constructor(protected readonly p: Platform, private readonly linkOpts: LinkOptions) {}

  /** Count of an event, for the counters API. */
  protected count = (what: string, n = 1): void => {
    this.counters[what] = (this.counters[what] ?? 0) + n;
  };

  /** Runs engine work; nothing thrown inside may escape into the platform's event loop. */
  protected guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.count('internalError');
      this.p.log?.('error', 'hush: internal error', { error: String(e) });
    }
  }

  abstract receive(family: 4 | 6, data: Uint8Array, meta: PacketMeta): void;

  /**
   * The first steps of every packet: the link it came on, RFC 6762 §11 (only
   * on-link sources are heard; IPv6 link-local always is), decoding, and §18.3
   * (a non-zero opcode is ignored). Anything refused is counted.
   */
  protected accept(family: 4 | 6, data: Uint8Array, meta: PacketMeta): { link: Link; m: Message } | undefined {
    if (this.closed) return undefined;
    this.count('received');
    let link: Link | undefined;
    for (const l of this.links.values()) if (l.family === family && l.ifindex === meta.ifindex) link = l;
    if (!link) return void this.count('noLink');
    if (!onLink(link.iface, meta.src)) return void this.count('offLink');
    let m: Message;
    try {
      m = decode(data);
    } catch (e) {
      if (e instanceof DecodeError) return void this.count('malformed');
      throw e;
    }
    if (m.opcode !== 0) return void this.count('ignoredOpcode');
    return { link, m };
  }

  /** The port-5353 socket of a family, opened on first use. */
  protected socket(family: 4 | 6): Socket {
    let s = this.sockets.get(family);
    if (!s) {
      s = this.p.open({ family, port: MDNS_PORT, group: GROUP[family] });
      s.onMessage((data, meta) => this.guard(() => this.receive(family, data, meta)));
      this.sockets.set(family, s);
    }
    return s;
  }

  /** The interfaces in use and the links on them, by link id ('eth0/4'). */
  protected linkSpecs(all: NetInterface[]): { want: NetInterface[]; next: Map<string, LinkSpec> } {
    const o = this.linkOpts;
    const want = all.filter((i) => i.up && i.multicast && (!o.interfaces || o.interfaces.includes(i.name)));
    const next = new Map<string, LinkSpec>();
    for (const ifc of want) {
      for (const family of o.families ?? [4, 6]) {
        if (ifc.addrs.some((a) => a.family === family)) next.set(`${ifc.name}/${family}`, { ...ifc, family });
      }
    }
    return { want, next };
  }
}
