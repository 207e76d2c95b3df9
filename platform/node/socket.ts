// One dgram socket of the Node platform: bound to the port on the
// any-address beside other responders on the host (avahi-daemon), joined to
// the group interface by interface, sending out of the interface asked for.
// Every OS error is logged; none is thrown out of the event loop.
import { createSocket } from 'node:dgram';
import type { Socket as Dgram } from 'node:dgram';
import type { LogLevel, NetInterface, OpenOptions, PacketMeta, SendTarget, Socket } from '../../src/platform.js';
import { isLinkLocal6, isMulticast, parseIp } from '../../src/net.js';
import { arrival } from './interfaces.js';

/** What a socket asks of its platform. */
export interface SocketHost {
  /** A recent interface list (at most one poll period old). */
  list(): NetInterface[];
  /** The interface with this index (the list is read again when a recent one does not hold it). */
  iface(ifindex: number): NetInterface | undefined;
  log(level: LogLevel, msg: string, data?: object): void;
  /** Called once, when the socket closes. */
  forget(s: Socket): void;
}

type Listener = (data: Uint8Array, meta: PacketMeta) => void;

interface Outgoing {
  data: Uint8Array;
  addr: string;
  port: number;
  /** IPv4 multicast: the interface address IP_MULTICAST_IF must hold when this packet goes. */
  via?: string;
}

const why = (e: unknown): object => ({ error: e instanceof Error ? e.message : String(e), code: (e as { code?: string }).code });

const v4addr = (i: NetInterface): string | undefined => i.addrs.find((a) => a.family === 4)?.addr;

/**
 * Every destination hush sends to is an address literal (send() checks it),
 * so dgram's per-packet dns.lookup round is skipped: the address is the answer.
 */
function literal(host: string, _opts: unknown, cb: (err: Error | null, address: string, family: number) => void): void {
  cb(null, host, host.includes(':') ? 6 : 4);
}

export class NodeSocket implements Socket {
  private readonly sock: Dgram;
  private readonly listeners: Listener[] = [];
  /** Interface-address argument of each membership, by ifindex, kept so leave() drops exactly what join() added. */
  private readonly members = new Map<number, string>();
  /** Work asked for before the bind completed. */
  private deferred: (() => void)[] = [];
  private out: Outgoing[] = [];
  private inflight = 0;
  /** The IPv4 multicast interface address currently set on the socket. */
  private via: string | undefined;
  private ready = false;
  private closed = false;
  private finished = false;
  private resolveDone!: () => void;
  /** Resolves once the socket has sent what was queued and closed. */
  readonly done = new Promise<void>((resolve) => { this.resolveDone = resolve; });

  constructor(private readonly opts: OpenOptions, private readonly host: SocketHost) {
    const v6 = opts.family === 6;
    this.sock = createSocket({ type: v6 ? 'udp6' : 'udp4', reuseAddr: true, lookup: literal, ...(v6 ? { ipv6Only: true } : {}) });
    this.sock.on('error', (e) => this.fail('socket error', e));
    this.sock.on('message', (msg, rinfo) => this.receive(msg, rinfo.address, rinfo.port));
    this.sock.once('listening', () => this.listening());
    this.sock.bind({ port: opts.port, address: v6 ? '::' : '0.0.0.0' });
  }

  join(ifindex: number): void { this.whenReady(() => this.addMembership(ifindex)); }

  leave(ifindex: number): void { this.whenReady(() => this.dropMembership(ifindex)); }

  send(data: Uint8Array, to: SendTarget): void {
    if (this.closed) {
      this.host.log('debug', 'send on a closed socket', { to: to.addr });
      return;
    }
    const [text, zone] = to.addr.split('%');
    const dst = parseIp(text);
    if (!dst || dst.length !== (this.opts.family === 4 ? 4 : 16)) {
      this.host.log('warn', `send: '${to.addr}' is not an IPv${this.opts.family} address`);
      return;
    }
    const p: Outgoing = { data: data.slice(), addr: to.addr, port: to.port };
    if (to.ifindex !== undefined && zone === undefined) {
      const i = this.host.iface(to.ifindex);
      if (!i) {
        this.host.log('warn', 'send: no such interface', { ifindex: to.ifindex, to: to.addr });
        return;
      }
      if (this.opts.family === 6) {
        // A link-scoped destination carries its interface as the zone: per packet, no shared socket state.
        if (isMulticast(dst) || isLinkLocal6(dst)) p.addr = `${text}%${i.name}`;
      } else if (isMulticast(dst)) {
        p.via = v4addr(i);
        if (p.via === undefined) {
          this.host.log('warn', 'send: interface has no IPv4 address', { ifindex: to.ifindex });
          return;
        }
      }
    }
    this.out.push(p);
    this.pump();
  }

  onMessage(fn: Listener): void { this.listeners.push(fn); }

  /**
   * Stops taking sends; what is already queued (goodbyes, RFC 6762 §10.1)
   * still goes out, then the socket closes and `done` resolves.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.deferred = [];
    this.pump();
  }

  private readonly sent = (e: Error | null): void => {
    if (e) this.host.log('warn', e.message, why(e));
  };

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.ready = false;
    this.out = [];
    this.host.forget(this);
    try { this.sock.close(); } catch (e) { this.host.log('debug', 'close', why(e)); }
    this.resolveDone();
  }

  private listening(): void {
    try {
      // RFC 6762 §11: all Multicast DNS packets, unicast ones included, go out with IP TTL / hop limit 255.
      this.sock.setMulticastTTL(255);
      this.sock.setTTL(255);
      // Other responders on this host (and this one) hear what we multicast.
      this.sock.setMulticastLoopback(true);
      // Queries come in bursts (a whole link asking after a wake-up): room for them.
      this.sock.setRecvBufferSize(1 << 20);
    } catch (e) {
      this.host.log('warn', 'socket options', why(e));
    }
    this.ready = true;
    for (const fn of this.deferred.splice(0)) fn();
    this.pump();
  }

  private fail(msg: string, e: unknown): void {
    this.host.log('error', msg, { ...why(e), family: this.opts.family, port: this.opts.port });
    if (!this.ready) this.close();
  }

  private whenReady(fn: () => void): void {
    if (this.ready) fn();
    else if (!this.closed) this.deferred.push(fn);
  }

  private addMembership(ifindex: number): void {
    const group = this.opts.group;
    if (group === undefined) {
      this.host.log('error', 'join on a socket opened without a group', { ifindex });
      return;
    }
    if (this.members.has(ifindex)) return;
    const i = this.host.iface(ifindex);
    if (!i) {
      this.host.log('warn', 'join: no such interface', { ifindex });
      return;
    }
    // IPv4 names the interface by its address, IPv6 by the zone of the unspecified address.
    const via = this.opts.family === 4 ? v4addr(i) : `::%${i.name}`;
    if (via === undefined) {
      this.host.log('warn', 'join: interface has no IPv4 address', { ifindex });
      return;
    }
    try {
      this.sock.addMembership(group, via);
      this.members.set(ifindex, via);
    } catch (e) {
      this.host.log('warn', `join ${group} on ${i.name}`, why(e));
    }
  }

  private dropMembership(ifindex: number): void {
    const via = this.members.get(ifindex);
    if (via === undefined || this.opts.group === undefined) return;
    this.members.delete(ifindex);
    try {
      this.sock.dropMembership(this.opts.group, via);
    } catch (e) {
      this.host.log('warn', `leave ${this.opts.group}`, { ...why(e), ifindex });
    }
  }

  /**
   * Sends in order. An IPv4 multicast packet for another interface than the
   * one set waits until the packets already handed to the OS have gone, so
   * none of them leaves on the interface meant for the next.
   */
  private pump(): void {
    if (this.closed && !this.ready && !this.finished) return this.finish();
    while (this.ready && this.out.length) {
      const p = this.out[0];
      if (p.via !== undefined && p.via !== this.via) {
        if (this.inflight) return;
        try {
          this.sock.setMulticastInterface(p.via);
          this.via = p.via;
        } catch (e) {
          this.out.shift();
          this.host.log('warn', `send: cannot choose the interface of ${p.via}`, why(e));
          continue;
        }
      }
      this.out.shift();
      if (p.via === undefined) {
        // Nothing waits on this send: one shared callback, only to log a failure (dgram drops it silently without one).
        try {
          this.sock.send(p.data, p.port, p.addr, this.sent);
        } catch (e) {
          this.host.log('warn', `send to ${p.addr} port ${p.port}`, why(e));
        }
        continue;
      }
      this.inflight++;
      try {
        this.sock.send(p.data, p.port, p.addr, (e) => {
          this.inflight--;
          if (e) this.host.log('warn', `send to ${p.addr} port ${p.port}`, why(e));
          this.pump();
        });
      } catch (e) {
        this.inflight--;
        this.host.log('warn', `send to ${p.addr} port ${p.port}`, why(e));
      }
    }
    if (this.closed && this.out.length === 0 && this.inflight === 0) this.finish();
  }

  private receive(msg: Uint8Array, from: string, srcPort: number): void {
    const { src, ifindex } = arrival(from, this.host.list());
    const meta: PacketMeta = ifindex === undefined ? { src, srcPort } : { src, srcPort, ifindex };
    for (const fn of this.listeners) {
      try {
        // dgram hands every datagram its own Buffer: a view of it needs no copy.
        fn(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), { ...meta });
      } catch (e) {
        this.host.log('error', 'message listener threw', why(e));
      }
    }
  }
}
