// The host's mDNS endpoint: one port-5353 socket per address family, one
// Link per interface and family, and the first checks of every packet. The
// responder and the querier attach to one endpoint and share it: a host has
// one port 5353, and on Linux a unicast reply to that port (a QU answer,
// RFC 6762 §5.4) reaches only one of the sockets bound to it.
import type { Cancel, NetInterface, PacketMeta, Platform, Socket } from '../platform.js';
import type { CodecOptions, Message, TsrLayout } from '../wire/types.js';
import { TSR_APPLE } from '../wire/types.js';
import { DecodeError } from '../wire/errors.js';
import { decode, MTU_BUDGET } from '../wire/message.js';
import { onLink } from '../net.js';
import { GROUP, Link, MDNS_PORT } from './link.js';

export interface EndpointOptions {
  /** Interface names to use; default every up, multicast-capable one. */
  interfaces?: string[];
  /** Address families to speak; default both. */
  families?: (4 | 6)[];
  /** Largest packet in bytes; default 1452 (a 1500-byte MTU). */
  budget?: number;
  /** TSR option code and layout on the wire (draft-tllq-tsr-05; DESIGN.md §5): default 65002, Apple's layout. */
  tsr?: { code?: number; layout?: TsrLayout };
}

/** What changed when the interfaces did; `want` is every interface in use. */
export interface LinkChange {
  want: NetInterface[];
  added: Link[];
  /** Links that stay, with other addresses than before. */
  changed: Link[];
  removed: Link[];
}

/** An engine on the endpoint. */
export interface EndpointUser {
  receive(link: Link, m: Message, meta: PacketMeta): void;
  onLinks(change: LinkChange): void;
}

export class Endpoint {
  readonly counters: Record<string, number> = {};
  /** One link per interface and family, by id ('eth0/4'). */
  readonly linksById = new Map<string, Link>();
  private readonly _sockets = new Map<4 | 6, Socket>();
  private readonly _users = new Set<EndpointUser>();
  private _want: NetInterface[] = [];
  private _stopInterfaces?: Cancel;
  /** How TSR options are read and written on these links. */
  readonly codec: CodecOptions & { tsrCode: number; tsrLayout: TsrLayout };

  constructor(readonly p: Platform, private readonly _opts: EndpointOptions = {}) {
    this.codec = { tsrCode: _opts.tsr?.code ?? TSR_APPLE, tsrLayout: _opts.tsr?.layout ?? 'apple' };
  }

  /** Count of an event, for the counters API. */
  readonly tally = (what: string, n = 1): void => {
    this.counters[what] = (this.counters[what] ?? 0) + n;
  };

  /** Runs engine work; nothing thrown inside may escape into the platform's event loop. */
  guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.tally('internalError');
      this.p.log?.('error', 'hush: internal error', { error: String(e) });
    }
  }

  /**
   * Adds an engine. The first one opens the links; a later one is told of
   * the links already open as added. The returned function detaches it, and
   * the last one to go closes every link and socket.
   */
  attach(user: EndpointUser): Cancel {
    this._users.add(user);
    if (this._users.size === 1) {
      this._setInterfaces(this.p.interfaces());
      this._stopInterfaces = this.p.onInterfaces?.((list) => this.guard(() => this._setInterfaces(list)));
    } else {
      user.onLinks({ want: this._want, added: [...this.linksById.values()], changed: [], removed: [] });
    }
    return () => this._detach(user);
  }

  private _detach(user: EndpointUser): void {
    // Only the last engine to leave (and only once) closes everything.
    if (!this._users.delete(user) || this._users.size) return;
    this._stopInterfaces?.();
    for (const link of this.linksById.values()) link.close();
    for (const s of this._sockets.values()) s.close();
    this.linksById.clear();
    this._sockets.clear();
  }

  /** The port-5353 socket of a family, opened on first use. */
  private _socket(family: 4 | 6): Socket {
    let s = this._sockets.get(family);
    if (!s) {
      s = this.p.open({ family, port: MDNS_PORT, group: GROUP[family] });
      s.onMessage((data, meta) => this.guard(() => this._receive(family, data, meta)));
      this._sockets.set(family, s);
    }
    return s;
  }

  /**
   * The first steps of every packet: the link it came on, RFC 6762 §11 (only
   * on-link sources are heard; IPv6 link-local always is), decoding, and §18.3
   * (a non-zero opcode is ignored). Anything refused is counted; the rest
   * goes to every engine, each guarded on its own.
   */
  private _receive(family: 4 | 6, data: Uint8Array, meta: PacketMeta): void {
    if (this._users.size === 0) return;
    this.tally('received');
    let link: Link | undefined;
    for (const l of this.linksById.values()) if (l.family === family && l.ifindex === meta.ifindex) link = l;
    if (!link) return this.tally('noLink');
    if (!onLink(link.iface, meta.src)) return this.tally('offLink');
    let m: Message;
    try {
      m = decode(data, this.codec);
    } catch (e) {
      if (e instanceof DecodeError) return this.tally('malformed');
      throw e;
    }
    if (m.opcode !== 0) return this.tally('ignoredOpcode');
    // §11: responses "SHOULD be sent with IP TTL set to 255" and older queriers
    // "discard all packets with TTLs other than 255": a response known to carry
    // another TTL may have crossed a router, so it is not believed.
    if (m.qr && (meta.ttl ?? 255) !== 255) return this.tally('badTtl');
    for (const u of [...this._users]) this.guard(() => u.receive(link, m, meta));
  }

  /** Brings the links in line with the interfaces, then tells every engine what changed. */
  private _setInterfaces(all: NetInterface[]): void {
    const o = this._opts;
    const want = all.filter((i) => i.up && i.multicast && (!o.interfaces || o.interfaces.includes(i.name)));
    const next = new Map<string, NetInterface & { family: 4 | 6 }>();
    for (const ifc of want) {
      for (const family of o.families ?? [4, 6]) {
        if (ifc.addrs.some((a) => a.family === family)) next.set(`${ifc.name}/${family}`, { ...ifc, family });
      }
    }
    const change: LinkChange = { want, added: [], changed: [], removed: [] };
    for (const [id, link] of this.linksById) {
      const now = next.get(id);
      // An interface made again under the same name has a new index: its membership starts over.
      if (!now || now.index !== link.ifindex) {
        link.close();
        this.linksById.delete(id);
        try { this._sockets.get(link.family)?.leave(link.ifindex); } catch { this.tally('leaveError'); }
        change.removed.push(link);
        continue;
      }
      if (addrsKey(now) !== addrsKey(link.iface)) change.changed.push(link);
      Object.assign(link.iface, now);
    }
    for (const [id, ifc] of next) {
      if (this.linksById.has(id)) continue;
      try {
        // `ifc` is this link's own copy of the interface.
        const socket = this._socket(ifc.family);
        const link = new Link(id, ifc, ifc.family, socket, this.p, o.budget ?? MTU_BUDGET, this.tally, this.codec);
        socket.join(ifc.index);
        this.linksById.set(id, link);
        change.added.push(link);
      } catch (e) {
        // The platform could not open or join: that link waits for the next interface change; the others go on.
        this.tally('linkError');
        this.p.log?.('warn', `hush: cannot use interface ${id}`, { error: String(e) });
      }
    }
    this._want = want;
    for (const u of [...this._users]) this.guard(() => u.onLinks(change));
  }
}

/** An interface's addresses as one text, the same for the same addresses in any order. */
function addrsKey(i: NetInterface): string {
  return i.addrs.map((x) => `${x.addr}/${x.prefix}`).sort().join(' ');
}
