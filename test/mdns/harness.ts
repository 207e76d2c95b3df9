// A simulated LAN for responder tests: the responder under test on host 'r'
// (192.168.1.10/24, fe80::10/64) and a hand-driven peer on host 'p'
// (192.168.1.20/24, fe80::20/64) whose sockets send hand-made queries and
// responses. Everything is read back from the sim capture, decoded.
import { Sim } from '../../platform/sim/index.js';
import type { Captured, Host, IfaceSpec, Link, SimSocket } from '../../platform/sim/index.js';
import { createResponder } from '../../src/mdns/responder.js';
import type { Responder, ResponderOptions, ServiceHandle } from '../../src/mdns/responder.js';
import type { ServiceSpec } from '../../src/dnssd/records.js';
import { decode, encode, message, T } from '../../src/wire/index.js';
import type { Message, Question, RData, Rec, Srv } from '../../src/wire/index.js';

export const MDNS = { 4: '224.0.0.251', 6: 'ff02::fb' } as const;
export const R = { v4: '192.168.1.10', v6: 'fe80::10' } as const;
export const P = { v4: '192.168.1.20', v6: 'fe80::20' } as const;
/** Long enough for any probe round (≤ 250 + 3 × 250 ms) and both announcements (1 s apart). */
export const SETTLE = 4000;

export interface Packet {
  /** Virtual send time. */
  t: number;
  link: string;
  host: string;
  family: 4 | 6;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  multicast: boolean;
  data: Uint8Array;
  m: Message;
}

export interface PacketFilter { since?: number; until?: number; link?: string; family?: 4 | 6; multicast?: boolean }

export interface LabOptions {
  seed?: number;
  /** Options for the responder; hostName defaults to 'hush'. */
  responder?: Partial<ResponderOptions>;
  /** The responder host's interfaces (more links may be made on `sim`); default eth0 on 'lan' with R's addresses. */
  ifaces?: (sim: Sim, lan: Link) => IfaceSpec[];
}

export class Lab {
  readonly sim: Sim;
  readonly lan: Link;
  readonly host: Host;
  readonly peer: Host;
  readonly r: Responder;
  /** Called with every mDNS message that reaches the peer from another host (its reply hook). */
  onPeer?: (m: Message, family: 4 | 6) => void;
  private readonly mdnsSock: Record<4 | 6, SimSocket>;
  private readonly legacySock: Record<4 | 6, SimSocket>;

  constructor(opts: LabOptions = {}) {
    this.sim = new Sim({ seed: opts.seed ?? 1 });
    this.lan = this.sim.link('lan');
    this.host = this.sim.host('r', opts.ifaces ? opts.ifaces(this.sim, this.lan) : [{ name: 'eth0', link: this.lan, v4: `${R.v4}/24`, v6: `${R.v6}/64` }]);
    this.peer = this.sim.host('p', [{ name: 'eth0', link: this.lan, v4: `${P.v4}/24`, v6: `${P.v6}/64` }]);
    const open = (family: 4 | 6, port: number, group?: string): SimSocket => {
      const s = this.peer.platform.open({ family, port, group });
      if (group) for (const i of this.peer.platform.interfaces()) s.join(i.index);
      return s;
    };
    this.mdnsSock = { 4: open(4, 5353, MDNS[4]), 6: open(6, 5353, MDNS[6]) };
    this.legacySock = { 4: open(4, 0), 6: open(6, 0) };
    for (const family of [4, 6] as const) {
      this.mdnsSock[family].onMessage((data, meta) => {
        if (meta.src === P.v4 || meta.src === P.v6 || !this.onPeer) return;
        this.onPeer(decode(data), family);
      });
    }
    this.r = createResponder(this.host.platform, { hostName: 'hush', ...opts.responder });
  }

  /** The legacy (ephemeral) port the peer's one-shot queries come from. */
  legacyPort(family: 4 | 6 = 4): number { return this.legacySock[family].port; }

  get now(): number { return this.sim.now; }
  run(ms: number): void { this.sim.run(ms); }

  /** Runs event by event until `done()` holds (false if it never does within `limit` ms). */
  until(done: () => boolean, limit = 60_000): boolean {
    const end = this.sim.now + limit;
    while (!done()) {
      if (this.sim.now > end || !this.sim.step()) return false;
    }
    return true;
  }

  /** Publishes and runs until every probe and announcement is over. */
  publishSettled(spec: ServiceSpec): ServiceHandle {
    const h = this.r.publish(spec);
    this.run(SETTLE);
    return h;
  }

  /** Every captured packet, decoded, sent at or after `since` (and before `until`). */
  packets(filter: PacketFilter & { host?: string } = {}): Packet[] {
    const out: Packet[] = [];
    for (const c of this.sim.capture) {
      if (filter.host !== undefined && c.from.host !== filter.host) continue;
      if (filter.link !== undefined && c.link !== filter.link) continue;
      if (filter.since !== undefined && c.t < filter.since) continue;
      if (filter.until !== undefined && c.t >= filter.until) continue;
      const p = decoded(c);
      if (filter.family !== undefined && p.family !== filter.family) continue;
      if (filter.multicast !== undefined && p.multicast !== filter.multicast) continue;
      out.push(p);
    }
    return out;
  }

  /** What the responder sent since `since`. */
  sent(since = 0, filter: PacketFilter = {}): Packet[] {
    return this.packets({ host: 'r', since, ...filter });
  }

  /** The capture since `since` as text, for failure messages. */
  dump(since = 0): string {
    return this.sim.dump(this.sim.capture.filter((c) => c.t >= since));
  }

  /** The peer sends `m` from port 5353 (or its ephemeral port when `legacy`) to the mDNS group or to `to`. */
  send(m: Partial<Message>, how: { family?: 4 | 6; legacy?: boolean; to?: string; ttl?: number } = {}): void {
    const family = how.family ?? 4;
    const sock = how.legacy ? this.legacySock[family] : this.mdnsSock[family];
    sock.send(encode(message(m)), { addr: how.to ?? MDNS[family], port: 5353, ttl: how.ttl });
  }

  /** The peer sends raw bytes to the group from port 5353. */
  sendBytes(data: Uint8Array, family: 4 | 6 = 4): void {
    this.mdnsSock[family].send(data, { addr: MDNS[family], port: 5353 });
  }

  /** A query from the peer (port 5353, multicast) with these questions and known answers. */
  ask(questions: Question[], known: Rec[] = [], how: { family?: 4 | 6; legacy?: boolean; tc?: boolean; id?: number; to?: string } = {}): void {
    this.send({ id: how.id ?? 0, tc: how.tc ?? false, questions, answers: known }, how);
  }
}

function decoded(c: Captured): Packet {
  const family = c.to.addr.includes(':') ? 6 : 4;
  return {
    t: c.t, link: c.link, host: c.from.host, family, src: c.from.addr, srcPort: c.from.port, dst: c.to.addr, dstPort: c.to.port,
    multicast: c.to.addr === MDNS[family], data: c.data, m: decode(c.data),
  };
}

export const q = (name: string, type: number, qu = false): Question => ({ name, type, class: 1, qu });

export const rr = (name: string, type: number, data: RData, ttl = 120, flush = false): Rec => ({ name, type, class: 1, flush, ttl, data });

export const srv = (port: number, target: string): Srv => ({ priority: 0, weight: 0, port, target });

const TYPES = new Map<number, string>(Object.entries(T).map(([k, v]) => [v, k]));

/** 'name TYPE' with '!' for the cache-flush bit and the TTL: `hush.local A! 120`. */
export function key(r: Rec): string {
  return `${r.name} ${TYPES.get(r.type) ?? r.type}${r.flush ? '!' : ''} ${r.ttl}`;
}

/** The section as sorted `key()` lines. */
export const keys = (list: Rec[]): string[] => list.map(key).sort();

/** Records of a section with this owner (case-insensitive) and type. */
export function find(list: Rec[], name: string, type: number): Rec[] {
  return list.filter((r) => r.name.toLowerCase() === name.toLowerCase() && r.type === type);
}

/** Probes are queries with an authority section; announcements and answers are responses. */
export const isProbe = (p: Packet): boolean => !p.m.qr && p.m.authorities.length > 0;
export const isResponse = (p: Packet): boolean => p.m.qr;

export const HTTP: ServiceSpec = { name: 'My Web', type: '_http._tcp', port: 8080, txt: { path: '/' } };

/** Names of a host 'hush' with R's addresses. */
export const NAMES = {
  host: 'hush.local',
  rev4: '10.1.168.192.in-addr.arpa',
  rev6: '0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f.ip6.arpa',
} as const;
