// The RFC 6762 responder: probes, announces, answers, defends and says
// goodbye for the host name and the services published on it. It is fed by
// receive() and its own timers and never throws out of either: bad input is
// counted and dropped.
import type { Cancel, NetInterface, PacketMeta, Platform } from '../platform.js';
import type { Message, Question, Rec, Srv } from '../wire/types.js';
import { CLASS_IN, T } from '../wire/types.js';
import { encode, message } from '../wire/message.js';
import { nameKey } from '../wire/name.js';
import { compareRecords } from '../wire/order.js';
import { isMulticast, parseIp } from '../net.js';
import { DEFAULT_TTLS, hostRecords, instanceName, serviceRecords } from '../dnssd/records.js';
import type { ServiceSpec, Ttls } from '../dnssd/records.js';
import { answerable, recordsOn } from './group.js';
import type { Group, GroupEvent, LinkState } from './group.js';
import { Engine } from './engine.js';
import type { LinkChange } from './endpoint.js';
import type { LinkOptions } from './engine.js';
import { MDNS_PORT } from './link.js';
import type { Link } from './link.js';
import type { Pending } from './link.js';
import { nextHostLabel, nextInstanceName } from './names.js';
import { recordId, withTtl } from './record.js';
import type { Owned } from './record.js';
import { checkAddresses, checkProxy, proxyRecords } from './proxy.js';
import type { ProxyHandle, ProxySpec, ProxyState } from './proxy.js';
import { compareTsr, HeardBook, readTsr } from './tsr.js';
import type { Tsr } from './tsr.js';

export interface ResponderOptions extends LinkOptions {
  /** Host label, without '.local'. */
  hostName: string;
  ttl?: Partial<Ttls>;
  /** TSR times closer than this are the same (ms; default 2000, as deployed; draft-tllq-tsr-05 §4). */
  tsrSkew?: number;
  /** Names of other hosts' records remembered for TSR validation (default 1024). */
  heardNames?: number;
}

export interface ServiceHandle {
  /** The instance name now in use (it changes after a conflict). */
  readonly name: string;
  readonly fullName: string;
  on(event: GroupEvent, fn: (detail?: unknown) => void): ServiceHandle;
  /** New TXT and/or port: only the changed records are announced (RFC 6762 §8.4). */
  update(change: { txt?: ServiceSpec['txt']; port?: number }): void;
  /** Goodbye (RFC 6762 §10.1), then forget the service. */
  unpublish(): Promise<void>;
}

const PROBE_INTERVAL = 250;
const PROBES = 3;
const ANNOUNCEMENTS = 2;
const ANNOUNCE_INTERVAL = 1000;
/** RFC 6762 §8.1: after 15 conflicts within 10 s, wait 5 s between probes. */
const THROTTLE = { conflicts: 15, window: 10_000, interval: 5000 };
/** Seed 000: a secondary registrar answers "...if query retransmission is seen": the same question again within 5 s. */
const RETRANSMISSION = 5000;

/** How TSR decided a name of a received message: 'agreed' = our data with our time. */
type TsrVerdict = 'decided' | 'agreed';

interface Entry { g: Group; o: Owned }

interface KnownAnswerWait {
  link: Link;
  questions: Question[];
  known: Rec[];
  meta: PacketMeta;
  cancel: Cancel;
}

/** A proxied client's registration (src/mdns/proxy.ts). */
interface Proxied {
  addresses: string[];
  services: { spec: ServiceSpec; label: string }[];
  tsr?: Tsr;
  secondary: boolean;
  state: ProxyState;
}

class Registration implements Group {
  label: string;
  proxy?: Proxied;
  records: Owned[] = [];
  names = new Set<string>();
  states = new Map<Link, LinkState>();
  reported = false;
  /** Whether 'probing' was reported for the current name. */
  probingSaid = false;
  private _listeners = new Map<GroupEvent, ((d?: unknown) => void)[]>();

  constructor(readonly kind: 'host' | 'service' | 'proxy', label: string, readonly spec?: ServiceSpec) {
    this.label = label;
  }

  on(event: GroupEvent, fn: (d?: unknown) => void): void {
    this._listeners.set(event, [...(this._listeners.get(event) ?? []), fn]);
  }

  emit(event: GroupEvent, detail?: unknown): void {
    for (const fn of this._listeners.get(event) ?? []) {
      try { fn(detail); } catch { /* a listener's error is the listener's own; the engine goes on */ }
    }
  }
}

export class Responder extends Engine {
  private readonly _ttl: Ttls;
  private readonly _groups = new Set<Registration>();
  private readonly _host: Registration;
  private _index = new Map<string, Entry[]>();
  private _ticks = new Map<Link, { at: number; cancel: Cancel }>();
  private _waits = new Map<string, KnownAnswerWait>();
  /** Second announcements of updated records (§8.4), due at `at`. */
  private _repeat: { link: Link; records: Owned[]; at: number }[] = [];
  private _conflictTimes: number[] = [];
  /** The interfaces in use: up, multicast-capable, and chosen by the options. */
  private _ifaces: NetInterface[] = [];
  /** Owner names of registrations with TSR data (draft-tllq-tsr-05 §3.5), by name key. */
  private _tsrNames = new Map<string, Registration>();
  /** Record ids of secondary registrations: answered only on a retransmitted question. */
  private _secondaryIds = new Set<string>();
  /** Questions seen, by link, name and type, for the secondary rule. */
  private _asked = new Map<string, number>();
  private readonly _heard: HeardBook;
  private readonly _skew: number;

  constructor(p: Platform, opts: ResponderOptions) {
    super(p, opts);
    this._ttl = { ...DEFAULT_TTLS, ...opts.ttl };
    this._host = new Registration('host', opts.hostName);
    this._skew = opts.tsrSkew ?? 2000;
    if (!(this._skew >= 0)) throw new RangeError(`hush: tsrSkew must be milliseconds ≥ 0, got ${String(opts.tsrSkew)}`);
    this._heard = new HeardBook(opts.heardNames);
  }

  /** TSR data of a locally registered name, for outgoing messages (§3.5). */
  private readonly _tsrOf = (key: string): Tsr | undefined => this._tsrNames.get(key)?.proxy?.tsr;

  get hostName(): string { return `${this._host.label}.local`; }

  start(): void {
    this._groups.add(this._host);
    this._attach();
  }

  /** Starts probing for a service; throws EncodeError when its records cannot be encoded. */
  publish(spec: ServiceSpec): ServiceHandle {
    if (this._closed) throw new Error('hush: publish after close()');
    const g = new Registration('service', spec.name, { ...spec });
    this._encodable(g.spec!, g.label);
    this._groups.add(g);
    this._rebuild(g);
    for (const link of this._links.values()) this._startProbing(g, link);
    const self = this;
    const handle: ServiceHandle = {
      get name() { return g.label; },
      get fullName() { return instanceName(g.spec!, g.label); },
      on(event, fn) { g.on(event, fn); return handle; },
      update(change) {
        self._encodable({ ...g.spec!, ...change }, g.label);
        self._guard(() => self._update(g, change));
      },
      unpublish() { self._guard(() => self._remove([g])); return Promise.resolve(); },
    };
    return handle;
  }

  /**
   * Registers a client's host and services on its behalf (an advertising
   * proxy). With TSR data, draft-tllq-tsr-05 §3.1 decides first, locally and
   * without a packet: the handle's state is then 'conflict' or 'stale' (and
   * nothing is registered), 'established' (the same data with the same time
   * is already advertised by another registrar: no probe, no announcement)
   * or 'probing'. Throws naming the field when the spec is not valid.
   */
  proxy(spec: ProxySpec): ProxyHandle {
    if (this._closed) throw new Error('hush: proxy after close()');
    const tsr = checkProxy(spec);
    const g = new Registration('proxy', spec.hostName);
    g.proxy = {
      addresses: [...spec.addresses],
      services: (spec.services ?? []).map((x) => ({ spec: { ...x }, label: x.name })),
      tsr,
      secondary: !!spec.secondary,
      state: 'probing',
    };
    this._rebuild(g, false);
    // Each record must be encodable on its own (a label over 63 bytes, a TXT string over 255): EncodeError names it.
    for (const o of g.records) encode(message({ answers: [o.rec] }));
    this._guard(() => this._admit(g));
    const self = this;
    const handle: ProxyHandle = {
      get state() { return g.proxy!.state; },
      get hostName() { return g.label; },
      on(event, fn) { g.on(event, fn); return handle; },
      update(change) {
        if (change.addresses !== undefined) checkAddresses(change.addresses);
        if (change.received !== undefined && !Number.isFinite(change.received)) throw new TypeError('hush: received must be a platform time in ms');
        self._guard(() => self._updateProxy(g, change));
      },
      withdraw(opts = {}) { self._guard(() => self._withdraw(g, opts.goodbye !== false)); },
    };
    return handle;
  }

  /**
   * §3.1, local validation of a registration with TSR: data on its names,
   * registered here or heard from others, without TSR or with another key
   * checksum is a conflict, and no probe goes out. With the same key: a
   * known newer time makes it stale; the same time registers it; a newer
   * proposed time discards what was heard, displaces local registrations
   * as stale, and registers it.
   */
  private _admit(g: Registration): void {
    const mine = g.proxy!;
    const now = this._p.now();
    let quiet = mine.secondary;
    if (mine.tsr) {
      const displaced = new Set<Registration>();
      let heardSame = true;
      let any = false;
      for (const key of g.names) {
        const local = (this._index.get(key) ?? []).map((e) => e.g as Registration).filter((x) => x !== g);
        const heard = this._heard.get(key, now);
        if (local.length === 0 && !heard) { heardSame = false; continue; }
        any = true;
        const known = [...local.map((x) => x.proxy?.tsr), heard?.tsr].filter((t): t is Tsr => t !== undefined);
        const withoutTsr = local.some((x) => !x.proxy?.tsr) || (heard !== undefined && !heard.tsr);
        if (withoutTsr || known.some((t) => t.checksum !== mine.tsr!.checksum)) return this._end(g, 'conflict', false);
        if (known.some((t) => compareTsr(mine.tsr!, t, this._skew) === 'theirs')) return this._end(g, 'stale', false);
        const same = heard?.tsr !== undefined && compareTsr(mine.tsr, heard.tsr, this._skew) === 'same';
        // NSEC records are never announced (§8.3), so they are not expected among what was heard.
        if (!same || !g.records.filter((o) => o.key === key && o.unique && notNsec(o)).every((o) => heard!.ids.has(o.id))) heardSame = false;
        if (heard && !same) this._heard.forget(key);
        for (const x of local) if (compareTsr(mine.tsr, x.proxy!.tsr!, this._skew) === 'mine') displaced.add(x);
      }
      for (const x of displaced) this._end(x, 'stale', false);
      // Quiet rule (seed 000): the same data with the same time is already on the link: no probe, no announcement.
      if (any && heardSame) quiet = true;
    }
    mine.secondary = quiet;
    this._groups.add(g);
    this._reindex();
    if (quiet) {
      mine.state = 'established';
      for (const link of this._links.values()) g.states.set(link, { phase: 'established', n: 0 });
      g.reported = true;
      return;
    }
    for (const link of this._links.values()) this._startProbing(g, link);
  }

  /** A proxied registration ends: stale or conflict (told to its registrant), or withdrawn. */
  private _end(g: Registration, state: 'stale' | 'conflict' | 'withdrawn', goodbye: boolean): void {
    const p = g.proxy!;
    if (p.state === 'stale' || p.state === 'conflict' || p.state === 'withdrawn') return;
    p.state = state;
    if (this._groups.has(g)) this._remove([g], goodbye ? this._othersAdvertise(g) : undefined, !goodbye);
    this._count(state === 'withdrawn' ? 'withdrawn' : state === 'stale' ? 'tsrStale' : 'tsrConflicts');
    if (state !== 'withdrawn') g.emit(state, { name: g.label });
  }

  private _withdraw(g: Registration, goodbye: boolean): void {
    this._end(g, 'withdrawn', goodbye);
  }

  /**
   * Seed 000: "Only the last server should send goodbye packets": records
   * another registrar still advertises (on the client's names, with the
   * same key and time) are left out of the goodbye.
   */
  private _othersAdvertise(g: Registration): Set<string> {
    const keep = new Set<string>();
    const t = g.proxy!.tsr;
    if (!t) return keep;
    const now = this._p.now();
    for (const o of g.records) {
      const h = this._heard.get(o.key, now);
      if (!h?.ids.has(o.id)) continue;
      // On the client's own names only the same key and time count; a shared PTR heard from another host stays anyway.
      if (g.names.has(o.key) && (!h.tsr || h.tsr.checksum !== t.checksum || compareTsr(t, h.tsr, this._skew) !== 'same')) continue;
      keep.add(o.id);
    }
    return keep;
  }

  /**
   * A renewal or change from the client (seed 000, quiet rules): the same
   * records send nothing, whatever the new time; added records are announced
   * without probing; removed ones get goodbyes.
   */
  private _updateProxy(g: Registration, change: { addresses?: string[]; services?: ServiceSpec[]; received?: number }): void {
    const p = g.proxy!;
    if (p.state !== 'probing' && p.state !== 'established') return;
    if (change.received !== undefined && p.tsr) p.tsr = { ...p.tsr, received: change.received };
    if (change.addresses !== undefined) p.addresses = [...change.addresses];
    if (change.services !== undefined) p.services = change.services.map((x) => ({ spec: { ...x }, label: p.services.find((y) => y.spec.name === x.name)?.label ?? x.name }));
    const before = g.records;
    this._rebuild(g);
    const was = new Set(before.map((o) => o.id));
    const now = new Set(g.records.map((o) => o.id));
    if (g.records.every((o) => was.has(o.id)) && before.every((o) => now.has(o.id))) return;
    this._count('proxyChanges');
    this._announceChanges(g, before);
  }

  /**
   * A service whose records cannot go on the wire (a label over 63 bytes of
   * UTF-8, a TXT string over 255) is refused with an EncodeError naming the field.
   */
  private _encodable(spec: ServiceSpec, label: string): void {
    encode(message({ answers: serviceRecords(spec, label, this.hostName, this._ttl).map((o) => o.rec) }));
  }

  /** Goodbyes for everything, aggregated, then every socket and timer is released. */
  close(): Promise<void> {
    if (!this._closed) {
      this._guard(() => this._remove([...this._groups]));
      this._closed = true;
      for (const t of this._ticks.values()) t.cancel();
      for (const w of this._waits.values()) w.cancel();
      // Answers still queued in the links' outboxes were ours alone.
      for (const link of this._links.values()) link.close();
      this._leave();
    }
    return Promise.resolve();
  }

  // ---- interfaces and links -------------------------------------------------

  /** The endpoint's links changed: probe on new ones, re-announce or say goodbye for host addresses that changed. */
  onLinks({ want, added, removed }: LinkChange): void {
    if (this._closed) return;
    this._ifaces = want;
    // Links that went away: nothing can be sent there any more.
    for (const link of removed) this._dropLink(link);
    // Address changes on links that stay: goodbye for what left (RFC 6762 §10.1).
    const oldRecords = this._host.records;
    this._host.records = hostRecords(this.hostName, want, this._ttl);
    this._host.names = new Set(this._host.records.filter((o) => o.unique).map((o) => o.key));
    const kept = new Set(this._host.records.map((o) => o.id));
    const fresh = this._host.records.filter((o) => !oldRecords.some((x) => x.id === o.id));
    for (const link of this._links.values()) {
      const gone = oldRecords.filter((o) => !kept.has(o.id) && o.ifindex === link.ifindex);
      if (gone.some(notNsec) && answerable(this._host, link)) link.multicast(gone.filter(notNsec), [], 0);
    }
    this._reindex();
    for (const link of this._links.values()) {
      if (added.includes(link)) continue;
      const mine = fresh.filter((o) => o.ifindex === link.ifindex && notNsec(o));
      // §10.2: a unique RRSet goes out whole: the new address with the interface's others of that type.
      const sets = new Set(mine.map((o) => `${o.key}|${o.rec.type}`));
      const whole = this._host.records.filter((o) => o.ifindex === link.ifindex && sets.has(`${o.key}|${o.rec.type}`));
      if (whole.length && answerable(this._host, link)) this._announce(link, whole);
    }
    // New links: probe every registration there.
    for (const link of added) {
      link.tsrOf = this._tsrOf;
      for (const g of this._groups) this._startProbing(g, link);
    }
  }

  /** The responder's own state on a link that is gone (the endpoint closed the link). */
  private _dropLink(link: Link): void {
    this._ticks.get(link)?.cancel();
    this._ticks.delete(link);
    for (const g of this._groups) g.states.delete(link);
    this._repeat = this._repeat.filter((r) => r.link !== link);
  }

  // ---- records ----------------------------------------------------------------

  private _rebuild(g: Registration, index = true): void {
    if (g.kind === 'proxy') {
      const built = proxyRecords(g.label, g.proxy!.addresses, g.proxy!.services, this._ttl);
      g.records = built.records;
      g.names = built.names;
    } else if (g.kind === 'host') {
      g.records = hostRecords(this.hostName, this._ifaces, this._ttl);
      g.names = new Set(g.records.filter((o) => o.unique).map((o) => o.key));
    } else {
      g.records = serviceRecords(g.spec!, g.label, this.hostName, this._ttl);
      g.names = new Set([nameKey(instanceName(g.spec!, g.label))]);
    }
    if (index) this._reindex();
  }

  private _reindex(): void {
    const index = new Map<string, Entry[]>();
    const tsr = new Map<string, Registration>();
    const secondary = new Set<string>();
    const primary = new Set<string>();
    for (const g of this._groups) {
      for (const o of g.records) {
        const list = index.get(o.key);
        if (list) list.push({ g, o });
        else index.set(o.key, [{ g, o }]);
        (g.proxy?.secondary ? secondary : primary).add(o.id);
      }
      if (g.proxy?.tsr) for (const key of g.names) tsr.set(key, g);
    }
    // A record another, primary registration also owns is answered as usual.
    for (const id of primary) secondary.delete(id);
    this._index = index;
    this._tsrNames = tsr;
    this._secondaryIds = secondary;
  }

  /** The group's primary name: the one that is renamed on conflict. */
  private _primary(g: Group): string {
    return g.kind === 'host' ? nameKey(this.hostName) : nameKey(instanceName((g as Registration).spec!, g.label));
  }

  private _update(g: Registration, change: { txt?: ServiceSpec['txt']; port?: number }): void {
    if (g.kind !== 'service') return;
    const before = g.records;
    if (change.txt !== undefined) g.spec!.txt = change.txt;
    if (change.port !== undefined) g.spec!.port = change.port;
    this._rebuild(g);
    this._announceChanges(g, before);
  }

  /** RFC 6762 §8.4: announce what changed; goodbye for shared records that went away. */
  private _announceChanges(g: Registration, before: Owned[]): void {
    const now = new Set(g.records.map((o) => o.id));
    const was = new Set(before.map((o) => o.id));
    const changed = g.records.filter((o) => !was.has(o.id));
    // A proxied client's removed records all get goodbyes; a host's own unique ones are replaced by the flush bit (§10.2).
    const gone = before.filter((o) => !now.has(o.id) && (!o.unique || g.kind === 'proxy') && !this._ownedElsewhere(o.id, g));
    // The goodbye of names the client dropped still carries its (new) TSR time, so another registrar's older copy goes stale (§3.4) rather than reasserted.
    const t = g.proxy?.tsr;
    const dropped = new Set(before.filter((o) => o.unique).map((o) => o.key));
    const goneTsr = t ? (key: string): Tsr | undefined => this._tsrOf(key) ?? (dropped.has(key) ? t : undefined) : undefined;
    for (const link of this._links.values()) {
      if (!answerable(g, link)) continue;
      const on = (o: Owned): boolean => o.ifindex === undefined || o.ifindex === link.ifindex;
      link.forget(new Set(before.filter((o) => !now.has(o.id)).map((o) => o.id)));
      if (gone.some(on)) link.multicast(gone.filter(on), [], 0, goneTsr);
      if (changed.some(on)) this._announce(link, changed.filter(on));
    }
  }

  private _ownedElsewhere(id: string, except: Group): boolean {
    for (const g of this._groups) if (g !== except && g.records.some((o) => o.id === id)) return true;
    return false;
  }

  // ---- probing and announcing (RFC 6762 §8) ----------------------------------

  private _throttled(): boolean {
    const now = this._p.now();
    this._conflictTimes = this._conflictTimes.filter((t) => now - t < THROTTLE.window);
    return this._conflictTimes.length >= THROTTLE.conflicts;
  }

  /**
   * §8.1: the first probe goes after a random 0-250 ms; a group that starts
   * while another probe round on the link is due within that window joins it,
   * so names probing at once share packets.
   */
  private _startProbing(g: Registration, link: Link, delay?: number): void {
    if (recordsOn(g, link).length === 0) return;
    if (g.proxy?.secondary) {
      // A secondary registrar neither probes nor announces (seed 000: "Only the first server should probe").
      g.states.set(link, { phase: 'established', n: 0 });
      return;
    }
    const now = this._p.now();
    const tick = this._ticks.get(link);
    const throttled = this._throttled();
    let due = now + (delay ?? (throttled ? THROTTLE.interval : Math.floor(this._p.random() * PROBE_INTERVAL)));
    if (delay === undefined && !throttled && tick && tick.at >= now && tick.at <= now + PROBE_INTERVAL) due = tick.at;
    g.states.get(link)?.wait?.();
    g.states.set(link, { phase: 'probing', n: 0, due });
    this._schedule(link);
  }

  private _announce(link: Link, records: Owned[]): void {
    link.multicast(records, []);
    this._repeat.push({ link, records, at: this._p.now() + ANNOUNCE_INTERVAL });
    this._schedule(link);
  }

  private _schedule(link: Link): void {
    let at = Infinity;
    for (const g of this._groups) {
      const s = g.states.get(link);
      if (s && s.phase !== 'established' && s.due !== undefined) at = Math.min(at, s.due);
    }
    for (const r of this._repeat) if (r.link === link) at = Math.min(at, r.at);
    const tick = this._ticks.get(link);
    if (tick && tick.at === at) return;
    tick?.cancel();
    this._ticks.delete(link);
    if (at === Infinity) return;
    const now = this._p.now();
    this._ticks.set(link, { at, cancel: this._p.timer(Math.max(0, at - now), () => this._guard(() => this._tick(link))) });
  }

  /** One step of every registration's state machine on this link. */
  private _tick(link: Link): void {
    this._ticks.delete(link);
    if (this._closed || !this._links.has(link.id)) return;
    const now = this._p.now();
    const probes: Registration[] = [];
    const announcements: Registration[] = [];
    for (const g of this._groups) {
      const s = g.states.get(link);
      if (!s || s.due === undefined || s.due > now) continue;
      if (s.phase === 'probing' && s.n < PROBES) {
        probes.push(g);
      } else if (s.phase === 'probing') {
        // 250 ms after the third probe and no conflict: the names are ours (§8.1).
        s.phase = 'announcing';
        s.n = 0;
        announcements.push(g);
      } else if (s.phase === 'announcing') {
        announcements.push(g);
      }
    }
    if (probes.length) this._sendProbes(link, probes);
    const interval = this._throttled() ? THROTTLE.interval : PROBE_INTERVAL;
    for (const g of probes) {
      const s = g.states.get(link)!;
      if (s.n === 0 && !g.probingSaid) {
        g.probingSaid = true;
        g.emit('probing', { name: g.label });
      }
      s.n++;
      s.due = now + interval;
    }
    if (announcements.length) {
      // §8.3: all records of all names done probing, in as few packets as fit.
      link.multicast(unique(announcements.flatMap((g) => recordsOn(g, link).filter(notNsec))));
      for (const g of announcements) {
        const s = g.states.get(link)!;
        s.n++;
        if (s.n >= ANNOUNCEMENTS) {
          s.phase = 'established';
          s.due = undefined;
        } else s.due = now + ANNOUNCE_INTERVAL;
        if (!g.reported && [...g.states.values()].every((x) => x.phase !== 'probing')) {
          g.reported = true;
          if (g.proxy) g.proxy.state = 'established';
          g.emit('established', { name: g.label });
        }
      }
    }
    const due = this._repeat.filter((r) => r.link === link && r.at <= now);
    this._repeat = this._repeat.filter((r) => !due.includes(r));
    if (due.length) link.multicast(due.flatMap((r) => r.records.filter((o) => this._isOwned(o.id))));
    this._schedule(link);
  }

  private _isOwned(id: string): boolean {
    for (const g of this._groups) if (g.records.some((o) => o.id === id)) return true;
    return false;
  }

  /**
   * §8.1 probes: one ANY question per unique name (QU on the first probe),
   * the proposed records in the authority section. Each registration's
   * questions travel with its records; registrations fill packets in turn.
   */
  private _sendProbes(link: Link, groups: Registration[]): void {
    const parts = groups.map((g) => {
      const first = g.states.get(link)!.n === 0;
      const recs = recordsOn(g, link).filter((o) => o.unique && o.rec.type !== T.NSEC);
      const names = [...new Map(recs.map((o) => [o.key, o.rec.name])).values()];
      return {
        questions: names.map((name) => ({ name, type: T.ANY, class: CLASS_IN, qu: first })),
        authorities: recs.map((o) => withTtl(o.rec, o.rec.ttl, false)),
      };
    });
    const fits = (q: Question[], a: Rec[]): boolean => link.fits(message({ questions: q, authorities: a }), this._tsrOf);
    let q: Question[] = [];
    let a: Rec[] = [];
    for (const part of parts) {
      if (q.length && !fits([...q, ...part.questions], [...a, ...part.authorities])) {
        link.send(message({ questions: q, authorities: a }), undefined, false, this._tsrOf);
        q = [];
        a = [];
      }
      q.push(...part.questions);
      a.push(...part.authorities);
    }
    if (q.length) link.send(message({ questions: q, authorities: a }), undefined, false, this._tsrOf);
    this._count('probes');
  }

  // ---- receiving --------------------------------------------------------------

  receive(link: Link, m: Message, meta: PacketMeta): void {
    if (this._closed) return;
    if (m.qr) {
      if (m.rcode !== 0) return this._count('ignoredRcode'); // §18.11
      this._count('responses');
      this._onResponse(link, m, meta);
    } else {
      this._count('queries');
      this._onQuery(link, m, meta);
    }
  }

  private _onQuery(link: Link, m: Message, meta: PacketMeta): void {
    const legacy = meta.srcPort !== MDNS_PORT;
    const probe = m.questions.length > 0 && m.authorities.length > 0;
    // draft-tllq-tsr-05 §3.3: "...before constructing a response, the mDNS
    // registrar MUST process the non-question records in the packet".
    const byTsr = probe ? this._tsrReceive(link, m, meta, true) : undefined;
    if (byTsr) this._tiebreak(link, m, byTsr);
    if (legacy) {
      this._count('legacyQueries');
      return this._answer(link, m.questions, m.answers, meta, { legacy: m });
    }
    // RFC 6762 §7.2: a query with TC is followed by more known answers: wait 400-500 ms for them.
    const key = `${link.id}|${meta.src}|${meta.srcPort}`;
    const wait = this._waits.get(key);
    if (wait && m.questions.length === 0) {
      wait.known.push(...m.answers);
      return;
    }
    if (m.tc) {
      wait?.cancel();
      const w: KnownAnswerWait = {
        link, questions: m.questions, known: [...m.answers], meta,
        cancel: this._p.timer(400 + Math.floor(this._p.random() * 100), () => this._guard(() => {
          this._waits.delete(key);
          this._answer(w.link, w.questions, w.known, w.meta, { now: true });
        })),
      };
      this._waits.set(key, w);
      return;
    }
    // A probe for the very data we hold, with the same TSR, is another registrar of the same client: nothing to defend.
    const questions = byTsr ? m.questions.filter((q) => byTsr.get(nameKey(q.name)) !== 'agreed') : m.questions;
    this._answer(link, questions, m.answers, meta, { probe });
  }

  /** §8.2: compare our proposed records with a simultaneous prober's; the lexicographically later set wins. */
  private _tiebreak(link: Link, m: Message, byTsr: Map<string, TsrVerdict>): void {
    for (const g of this._groups) {
      const s = g.states.get(link);
      if (!s || s.phase !== 'probing') continue;
      for (const key of g.names) {
        if (byTsr.has(key)) continue; // decided by TSR (§3.4), not by comparing data
        const theirs = m.authorities.filter((r) => nameKey(r.name) === key).sort((a, b) => compareRecords(a, b));
        if (theirs.length === 0) continue;
        const ours = recordsOn(g, link)
          .filter((o) => o.key === key && o.unique && o.rec.type !== T.NSEC)
          .map((o) => o.rec)
          .sort((a, b) => compareRecords(a, b));
        let cmp = 0;
        for (let i = 0; i < Math.min(ours.length, theirs.length) && cmp === 0; i++) cmp = compareRecords(ours[i], theirs[i]);
        if (cmp === 0) cmp = ours.length - theirs.length;
        if (cmp < 0) {
          // We lost: defer one second, then probe again from the start.
          this._count('tiebreakLost');
          this._startProbing(g, link, 1000);
          break;
        }
      }
    }
  }

  /** Records of a name that may be answered on this link. */
  private _entries(link: Link, key: string): Owned[] {
    const list = this._index.get(key);
    if (!list) return [];
    const out: Owned[] = [];
    for (const { g, o } of list) {
      if ((o.ifindex === undefined || o.ifindex === link.ifindex) && answerable(g, link)) out.push(o);
    }
    return out;
  }

  private _answer(
    link: Link, questions: Question[], known: Rec[], meta: PacketMeta,
    how: { legacy?: Message; probe?: boolean; now?: boolean },
  ): void {
    const multicast: Owned[] = [];
    const unicast: Owned[] = [];
    const now = this._p.now();
    // §5.5: a query sent straight to our unicast address is answered as if it asked QU.
    const dst = meta.dst === undefined ? undefined : parseIp(meta.dst);
    const direct = dst !== undefined && !isMulticast(dst);
    for (const q of questions) {
      if (q.class !== CLASS_IN && q.class !== 255) continue;
      const all = this._entries(link, nameKey(q.name));
      if (all.length === 0) continue;
      let found = all.filter((o) => o.rec.type !== T.NSEC && (q.type === T.ANY || o.rec.type === q.type));
      // §6.1: a name we own has no record of the asked type: say so with NSEC.
      if (found.length === 0) found = all.filter((o) => o.rec.type === T.NSEC);
      if (found.some((o) => this._secondaryIds.has(o.id)) && !this._retransmitted(link, q, now)) {
        found = found.filter((o) => !this._secondaryIds.has(o.id));
      }
      for (const o of found) {
        // §5.4: QU answers go by unicast unless not multicast here within a quarter of the TTL.
        const last = link.lastMulticast.get(o.id);
        const fresh = last !== undefined && now - last < (o.rec.ttl * 1000) / 4;
        ((q.qu || direct) && fresh && !how.legacy ? unicast : multicast).push(o);
      }
    }
    const suppress = this._knownAnswers(known);
    const keep = (o: Owned): boolean => {
      const ttl = suppress.get(o.id);
      // §7.1: the querier already knows it with at least half our TTL.
      return ttl === undefined || ttl < o.rec.ttl / 2;
    };
    const mc = unique(multicast).filter(keep);
    const uc = unique(unicast).filter(keep);
    if (mc.length + uc.length === 0) return;
    this._count('answered');
    if (how.legacy) return this._legacyReply(link, how.legacy, mc, meta);
    const delay = how.now || how.probe || mc.concat(uc).every((o) => o.unique) ? 0 : 20 + Math.floor(this._p.random() * 100);
    if (uc.length) {
      const send = (): void => {
        if (!this._closed) link.send(message({ qr: true, aa: true, answers: uc.map((o) => o.rec), additionals: this._additionals(link, uc).map((o) => o.rec) }), { addr: meta.src, port: meta.srcPort }, false, this._tsrOf);
      };
      if (delay) this._p.timer(delay, () => this._guard(send));
      else send();
    }
    if (mc.length) {
      const items: Pending[] = mc.map((o) => ({ o, additional: false, defend: !!how.probe }));
      for (const o of this._additionals(link, mc)) items.push({ o, additional: true, defend: false });
      link.queue(items, now + delay);
    }
  }

  /**
   * Seed 000: a secondary registrar "should answer if query retransmission
   * is seen": the same question on the link within the last 5 s.
   */
  private _retransmitted(link: Link, q: Question, now: number): boolean {
    const key = `${link.id}|${nameKey(q.name)}|${q.type}`;
    const first = this._asked.get(key);
    if (first !== undefined && now - first <= RETRANSMISSION) return now > first;
    if (this._asked.size >= 512) for (const [k, t] of this._asked) if (now - t > RETRANSMISSION) this._asked.delete(k);
    // Still full of fresh questions: the oldest is forgotten (the map keeps insertion order).
    if (this._asked.size >= 512) this._asked.delete(this._asked.keys().next().value!);
    this._asked.set(key, now);
    return false;
  }

  private _knownAnswers(known: Rec[]): Map<string, number> {
    const map = new Map<string, number>();
    for (const r of known) {
      if (!this._index.has(nameKey(r.name))) continue;
      map.set(recordId(r), r.ttl);
    }
    return map;
  }

  /**
   * RFC 6763 §12 additional records: PTR -> SRV, TXT (and the instance's
   * NSEC), then the target's addresses; SRV -> addresses; A <-> AAAA
   * (RFC 6762 §6.2). A host NSEC tells which address types do not exist.
   */
  private _additionals(link: Link, answers: Owned[]): Owned[] {
    const seen = new Set(answers.map((o) => o.id));
    const out: Owned[] = [];
    const add = (o: Owned): void => { if (!seen.has(o.id)) { seen.add(o.id); out.push(o); } };
    const addresses = (host: string): void => {
      for (const o of this._entries(link, nameKey(host))) if (o.rec.type === T.A || o.rec.type === T.AAAA || o.rec.type === T.NSEC) add(o);
    };
    for (const a of answers) {
      if (a.rec.type === T.PTR && typeof a.rec.data === 'string' && !a.key.endsWith('.arpa')) {
        for (const o of this._entries(link, nameKey(a.rec.data))) {
          add(o);
          if (o.rec.type === T.SRV) addresses((o.rec.data as Srv).target);
        }
      } else if (a.rec.type === T.SRV) {
        addresses((a.rec.data as Srv).target);
      } else if (a.rec.type === T.A || a.rec.type === T.AAAA) {
        addresses(a.rec.name);
      }
    }
    return out;
  }

  /** §6.7 legacy unicast: echo ID and questions, TTL at most 10, no cache-flush bit, SRV target in full. */
  private _legacyReply(link: Link, q: Message, answers: Owned[], meta: PacketMeta): void {
    const rec = (o: Owned): Rec => withTtl(o.rec, Math.min(o.rec.ttl, 10), false);
    link.send(
      message({ id: q.id, qr: true, aa: true, rd: q.rd, questions: q.questions, answers: answers.map(rec), additionals: this._additionals(link, answers).map(rec) }),
      { addr: meta.src, port: meta.srcPort },
      true,
    );
  }

  private _onResponse(link: Link, m: Message, meta: PacketMeta): void {
    const byTsr = this._tsrReceive(link, m, meta, false);
    const seen = new Set<Registration>();
    for (const rec of m.answers.concat(m.additionals)) {
      const key = nameKey(rec.name);
      const list = this._index.get(key);
      if (!list) continue;
      const id = recordId(rec);
      const mine = list.find((e) => e.o.id === id);
      if (mine) {
        // §7.4: someone else just answered with our record.
        link.suppress(rec, id);
        // Seed 000: "Only the last server should send goodbye packets": another registrar's goodbye for a client's records we still hold is answered at once.
        if (rec.ttl === 0 && mine.g.kind === 'proxy') this._reassert(mine.g as Registration, link, this._p.now());
        // §6.6: a peer announces our record with less than half our TTL: correct it.
        if (rec.ttl > 0 && rec.ttl < mine.o.rec.ttl / 2 && answerable(mine.g, link)) {
          link.queue([{ o: mine.o, additional: false, defend: false }], this._p.now());
        }
        continue;
      }
      const g = list[0].g as Registration;
      const s = g.states.get(link);
      if (!s || seen.has(g) || !g.names.has(key)) continue;
      // §9: identical data is no conflict; during probing any other record on the name is;
      // afterwards a unique record of the same name, type and class with other data is.
      // §8.1: "...responses received before the first probe packet is sent MUST be silently ignored";
      // a goodbye (TTL 0) claims nothing.
      if (rec.ttl === 0 || (s.phase === 'probing' && s.n === 0)) continue;
      const conflict = s.phase === 'probing' || (rec.flush && rec.class === CLASS_IN && list.some((e) => e.o.rec.type === rec.type));
      if (!conflict || byTsr.has(key)) continue;
      if (g.kind !== 'proxy' && key !== this._primary(g)) {
        this._count('reverseConflict');
        continue;
      }
      seen.add(g);
      this._conflict(g, s.phase === 'probing', key);
    }
  }

  /**
   * draft-tllq-tsr-05 §3.4 for one message: each TSR option is matched to
   * the owner name of the record it indexes (bad ones counted and ignored);
   * records of a response are noted as heard. On a name with a local TSR
   * registration: records without TSR, or with another key checksum, are a
   * conflict; a newer time makes ours stale (no goodbye); the same time is
   * no conflict, and a registrar still probing for the same data stands
   * down; an older time in a response gets our records multicast again.
   * Returns the names so decided, which RFC 6762 conflict rules then skip;
   * 'agreed' where the message holds our data with our time.
   */
  private _tsrReceive(link: Link, m: Message, meta: PacketMeta, probe: boolean): Map<string, TsrVerdict> {
    const decided = new Map<string, TsrVerdict>();
    const now = this._p.now();
    const read = readTsr(m, this.endpoint.codec.tsrCode, now);
    for (const [what, n] of Object.entries(read.bad)) if (n) this._count(`tsrBad${what[0].toUpperCase()}${what.slice(1)}`, n);
    // Our own packet, looped back or heard on another of our links to the same LAN.
    for (const l of this._links.values()) if (l.iface.addrs.some((a) => a.addr === meta.src)) return decided;
    // Known answers (a query's answer section) carry no TSR; a probe's authority records are proposals, not cache data.
    const records = (probe ? m.authorities.concat(m.additionals) : m.answers.concat(m.authorities, m.additionals)).filter((r) => r.type !== T.OPT);
    const byName = new Map<string, Rec[]>();
    for (const r of records) {
      const key = nameKey(r.name);
      const list = byName.get(key);
      if (list) list.push(r);
      else byName.set(key, [r]);
    }
    for (const [key, list] of byName) {
      const theirs = read.byName.get(key);
      if (!probe) for (const r of list) this._heard.note(key, recordId(r), r.ttl, now, theirs);
      const g = this._tsrNames.get(key);
      if (!g) continue;
      const mine = g.proxy!.tsr!;
      const ours = new Set(g.records.map((o) => o.id));
      const identical = list.every((r) => ours.has(recordId(r)));
      const agreed = theirs !== undefined && theirs.checksum === mine.checksum && identical && compareTsr(mine, theirs, this._skew) === 'same';
      decided.set(key, agreed ? 'agreed' : 'decided');
      if (!theirs || theirs.checksum !== mine.checksum) {
        // A prober without our key is answered (we defend, RFC 6762 §8.1) or tie-broken (§8.2) as ever.
        if (probe) {
          decided.delete(key);
          continue;
        }
        // Our own data repeated (a legacy responder's cache) is no conflict; a goodbye claims nothing.
        if (theirs || (!identical && list.some((r) => r.ttl > 0))) this._end(g, 'conflict', true);
      } else {
        const order = compareTsr(mine, theirs, this._skew);
        if (order === 'theirs') this._end(g, 'stale', false);
        else if (order === 'same' && identical && g.states.get(link)?.phase === 'probing' && (!probe || g.states.get(link)!.n === 0)) this._standDown(g);
        else if (order === 'mine' && !probe && !identical) this._reassert(g, link, now + 1000);
      }
    }
    return decided;
  }

  /** Seed 000: "Only the first server should probe": another registrar advertises or probes the same data with the same time. */
  private _standDown(g: Registration): void {
    this._count('tsrStoodDown');
    g.proxy!.secondary = true;
    for (const [link, st] of g.states) {
      st.wait?.();
      g.states.set(link, { phase: 'established', n: 0 });
    }
    this._reindex();
    g.proxy!.state = 'established';
    if (!g.reported) {
      g.reported = true;
      g.emit('established', { name: g.label });
    }
  }

  /**
   * Our client's records go out again with the cache-flush bit at `at`
   * (or a second after they last went, §6.2): after another registrar's
   * goodbye for them (at once), or after its older data (1 s later: RFC 6762
   * §10.2 flushes only what was received over a second before), so every
   * cache ends with ours.
   */
  private _reassert(g: Registration, link: Link, at: number): void {
    if (!answerable(g, link)) return;
    this._count('tsrReasserted');
    link.queue(recordsOn(g, link).filter((o) => o.unique && notNsec(o)).map((o) => ({ o, additional: false, defend: false, resend: true })), at);
  }

  private _conflict(g: Registration, probing: boolean, key: string): void {
    this._count('conflicts');
    const was = this._throttled();
    this._conflictTimes.push(this._p.now());
    g.emit('conflict', { name: g.label });
    if (!was && this._throttled()) {
      g.emit('error', { reason: `${THROTTLE.conflicts} conflicts within ${THROTTLE.window / 1000} s: probing slows to one probe every ${THROTTLE.interval / 1000} s (RFC 6762 §8.1)` });
    }
    if (probing && g.kind === 'proxy') {
      // A proxied client without TSR is renamed like any registration (draft §8): its host or the one instance that conflicted.
      const svc = g.proxy!.services.find((x) => nameKey(instanceName(x.spec, x.label)) === key);
      const from = svc ? svc.label : g.label;
      if (svc) svc.label = nextInstanceName(svc.label);
      else g.label = nextHostLabel(g.label);
      g.reported = g.probingSaid = false;
      this._rebuild(g);
      g.emit('renamed', { from, to: svc ? svc.label : g.label });
    } else if (probing) {
      const from = g.label;
      g.label = g.kind === 'host' ? nextHostLabel(g.label) : nextInstanceName(g.label);
      g.reported = g.probingSaid = false;
      if (g.kind === 'host') {
        this._rebuild(g);
        // Every SRV names the host: they change with it (§8.4).
        for (const s of this._groups) {
          if (s.kind !== 'service') continue;
          const before = s.records;
          this._rebuild(s);
          this._announceChanges(s, before);
        }
      } else this._rebuild(g);
      g.emit('renamed', { from, to: g.label });
    }
    // §9: "...reset to probing state": probe (again) on every link.
    for (const link of this._links.values()) this._startProbing(g, link);
  }

  /** Goodbyes (§10.1) for the groups' records, but those in `keep`, or none when `silent`; then they are forgotten. */
  private _remove(groups: Registration[], keep?: Set<string>, silent = false): void {
    const going = new Set(groups);
    for (const link of this._links.values()) {
      const bye: Owned[] = [];
      const ids = new Set<string>();
      for (const g of groups) {
        if (!answerable(g, link)) continue;
        for (const o of recordsOn(g, link)) {
          if (ids.has(o.id) || keep?.has(o.id)) continue;
          // A shared record another registration still owns stays.
          if ([...this._groups].some((x) => !going.has(x) && x.records.some((r) => r.id === o.id))) continue;
          ids.add(o.id);
          bye.push(o);
        }
      }
      link.forget(ids);
      // §10.1: goodbye = the records with TTL 0, all registrations in as few packets as fit.
      if (bye.length && !silent) link.multicast(bye.filter(notNsec), [], 0);
    }
    for (const g of groups) {
      if (g !== this._host) this._groups.delete(g);
      for (const st of g.states.values()) st.wait?.();
      g.states.clear();
    }
    this._reindex();
  }
}

/** NSEC records answer questions (§6.1); announcing them or saying goodbye to them tells no cache anything it needs. */
const notNsec = (o: Owned): boolean => o.rec.type !== T.NSEC;

function unique(list: Owned[]): Owned[] {
  return [...new Map(list.map((o) => [o.id, o])).values()];
}

export function createResponder(platform: Platform, options: ResponderOptions): Responder {
  const r = new Responder(platform, options);
  r.start();
  return r;
}
