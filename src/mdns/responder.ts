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
import { answerable, onLink, recordsOn } from './group.js';
import type { Group, GroupEvent, LinkState } from './group.js';
import { Engine, rearm } from './engine.js';
import type { LinkChange } from './endpoint.js';
import type { Alarm, LinkOptions } from './engine.js';
import { MDNS_PORT } from './link.js';
import type { Link, Pending } from './link.js';
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

interface Entry { g: Registration; o: Owned }

/** A registration whose probe or announcement on a link is due, with its state there. */
type Due = [Registration, LinkState];

/** A second announcement of updated records (§8.4) on a link, due at `at`. */
interface Repeat { via: Link; owned: Owned[]; at: number }

/** A truncated query's known answers, gathered until its timer fires (§7.2). */
interface KnownAnswerWait {
  known: Rec[];
  cancel: Cancel;
}

/** A proxied client's registration (src/mdns/proxy.ts). */
interface Proxied {
  ips: string[];
  /** Its services, each with the instance label in use. */
  instances: { spec: ServiceSpec; label: string }[];
  /** Its TSR data (draft-tllq-tsr-05): key checksum and time of receipt. */
  tsrData?: Tsr;
  /** A secondary registrar (seed 000): it neither probes nor announces, and answers only retransmitted questions. */
  standby: boolean;
  /** Where the registration stands: what its handle's `state` tells. */
  stage: ProxyState;
}

/** How a proxied registration ends, and the counter that counts it. */
const ENDINGS = { stale: 'tsrStale', conflict: 'tsrConflicts', withdrawn: 'withdrawn' } as const;

/** A proxied registration that has not ended (stale, conflict or withdrawn). */
const live = (p: Proxied): boolean => !(p.stage in ENDINGS);

type ProxyChange = Parameters<ProxyHandle['update']>[0];

/** A client's registration or renewal: a service keeps the label it has (it may have been renamed, RFC 6762 §9). */
function applyChange(p: Proxied, change: ProxyChange): void {
  if (change.received !== undefined && p.tsrData) p.tsrData = { ...p.tsrData, receivedAt: change.received };
  // Addresses, when given, are a non-empty list (checkAddresses).
  if (change.addresses) p.ips = [...change.addresses];
  if (change.services !== undefined) p.instances = change.services.map((x) => ({ spec: { ...x }, label: p.instances.find((y) => y.spec.name === x.name)?.label ?? x.name }));
}

/**
 * One registration: the host (neither `spec` nor `proxy`), a service
 * instance (`spec`) or a proxied client (`proxy`).
 */
class Registration implements Group {
  client?: Proxied;
  owned: Owned[] = [];
  names = new Set<string>();
  states = new Map<Link, LinkState>();
  /** 'probing' and 'established' are told once per name: those told for the current one. */
  told = new Set<GroupEvent>();
  private _listeners: [GroupEvent, (d?: unknown) => void][] = [];

  constructor(public label: string, readonly spec?: ServiceSpec) {}

  on(event: GroupEvent, fn: (d?: unknown) => void): void {
    // A new list: an emit under way goes on with the listeners it started with.
    this._listeners = [...this._listeners, [event, fn]];
  }

  /** Says 'probing' or 'established' unless already said for this name; a proxied client is then established. */
  sayOnce(event: 'probing' | 'established'): void {
    if (this.told.has(event)) return;
    this.told.add(event);
    if (event === 'established' && this.client) this.client.stage = event;
    this.emit(event);
  }

  /** Tells the listeners an event; its detail is the current name unless given. */
  emit(event: GroupEvent, detail: unknown = { name: this.label }): void {
    for (const [e, fn] of this._listeners) {
      try { if (e === event) fn(detail); } catch { /* a listener's error is the listener's own; the engine goes on */ }
    }
  }
}

export class Responder extends Engine {
  private readonly _ttl: Ttls;
  private readonly _groups = new Set<Registration>();
  private readonly _host: Registration;
  /** Records by owner name key; it and the two below are derived from the groups (_reindex). */
  private _index!: Map<string, Entry[]>;
  private _ticks = new Map<Link, Alarm>();
  /** Truncated queries waiting for more known answers, by link and source address. */
  private _waits = new Map<string, KnownAnswerWait>();
  private _repeat: Repeat[] = [];
  private _conflictTimes: number[] = [];
  /** The interfaces in use: up, multicast-capable, and chosen by the options. */
  private _ifaces: NetInterface[] = [];
  /** Owner names of registrations with TSR data (draft-tllq-tsr-05 §3.5), by name key. */
  private _tsrNames!: Map<string, Registration>;
  /** Record ids of secondary registrations: answered only on a retransmitted question. */
  private _secondaryIds!: Set<string>;
  /** Questions seen, by link, name and type, for the secondary rule. */
  private _asked = new Map<string, number>();
  private readonly _heard: HeardBook;
  private readonly _skew: number;

  constructor(p: Platform, opts: ResponderOptions) {
    super(p, opts);
    this._ttl = { ...DEFAULT_TTLS, ...opts.ttl };
    this._host = new Registration(opts.hostName);
    this._skew = opts.tsrSkew ?? 2000;
    if (!(this._skew >= 0)) throw new RangeError(`hush: tsrSkew must be ms ≥ 0, got ${String(opts.tsrSkew)}`);
    this._heard = new HeardBook(opts.heardNames);
    this._reindex();
  }

  /** TSR data of a locally registered name, for outgoing messages (§3.5). */
  private readonly _tsrOf = (key: string): Tsr | undefined => this._tsrNames.get(key)?.client?.tsrData;

  get hostName(): string { return `${this._host.label}.local`; }

  start(): void {
    this._groups.add(this._host);
    this._attach();
  }

  /** A whole number of milliseconds in [0, below): the random delays of RFC 6762 §§6, 7.2, 8.1. */
  private _random(below: number): number {
    return Math.floor(this._p.random() * below);
  }

  /** Starts probing for a service; throws EncodeError when its records cannot be encoded. */
  publish(spec: ServiceSpec): ServiceHandle {
    this._open('publish');
    const g = new Registration(spec.name, { ...spec });
    this._encodable(g.spec!, g.label);
    this._join(g);
    const handle: ServiceHandle = {
      get name() { return g.label; },
      get fullName() { return instanceName(g.spec!, g.label); },
      on(event, fn) { g.on(event, fn); return handle; },
      update: (change) => {
        this._encodable({ ...g.spec!, ...change }, g.label);
        this._guard(() => {
          if (change.txt !== undefined) g.spec!.txt = change.txt;
          if (change.port !== undefined) g.spec!.port = change.port;
          this._refresh(g);
        });
      },
      unpublish: () => { this._guard(() => this._remove([g])); return Promise.resolve(); },
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
    this._open('proxy');
    const tsrData = checkProxy(spec);
    const g = new Registration(spec.hostName);
    g.client = { ips: [], instances: [], tsrData, standby: !!spec.secondary, stage: 'probing' };
    // The spec's addresses and services, as a first change (its TSR data is in place).
    applyChange(g.client, spec);
    // Not joined yet: indexing it changes nothing.
    this._rebuild(g);
    // Each record must be encodable on its own (a label over 63 bytes, a TXT string over 255): EncodeError names it.
    for (const o of g.owned) encode(message({ answers: [o.rec] }));
    this._guard(() => this._admit(g));
    const handle: ProxyHandle = {
      get state() { return g.client!.stage; },
      get hostName() { return g.label; },
      on(event, fn) { g.on(event, fn); return handle; },
      update: (change) => {
        if (change.addresses !== undefined) checkAddresses(change.addresses);
        if (change.received !== undefined && !Number.isFinite(change.received)) throw new TypeError('hush: received must be a platform time in ms');
        // A renewal or change from the client (seed 000, quiet rules): the same records send
        // nothing, whatever the new time; added records are announced without probing; removed ones get goodbyes.
        this._guard(() => {
          if (!live(g.client!)) return;
          applyChange(g.client!, change);
          if (this._refresh(g)) this._count('proxyChanges');
        });
      },
      withdraw: (opts = {}) => this._guard(() => this._end(g, 'withdrawn', opts.goodbye !== false)),
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
    const mine = g.client!;
    const t = mine.tsrData;
    if (t) {
      const now = this._now;
      const displaced = new Set<Registration>();
      for (const key of g.names) {
        // Other registrations only: g joins the index below.
        const local = (this._index.get(key) ?? []).map((e) => e.g);
        const heard = this._heard.get(key, now);
        const theirs = local.map((x) => x.client?.tsrData);
        if (heard) theirs.push(heard.tsr);
        if (theirs.some((x) => x?.keySum !== t.keySum)) return this._end(g, 'conflict', false);
        if (theirs.some((x) => compareTsr(t, x!, this._skew) === 'theirs')) return this._end(g, 'stale', false);
        if (heard && !this._sameTsr(t, heard.tsr)) this._heard.forget(key);
        // Same key, and none newer: a time other than ours is older.
        for (const x of local) if (!this._sameTsr(t, x.client!.tsrData)) displaced.add(x);
      }
      for (const x of displaced) this._end(x, 'stale', false);
      // Quiet rule (seed 000): the same data with the same time is already on the link (every record we would
      // claim heard, on each name with our time): no probe, no announcement. NSEC records are never announced
      // (§8.3), so they are not expected among what was heard.
      const advertised = this._othersAdvertise(g);
      if (claimed(g.owned).every((o) => advertised.has(o.rid))) mine.standby = true;
    }
    // A secondary registrar neither probes nor announces (_startProbing): it is established at once.
    this._join(g);
    if (mine.standby) g.sayOnce('established');
  }

  /** A proxied registration ends: stale or conflict (told to its registrant), or withdrawn. */
  private _end(g: Registration, state: keyof typeof ENDINGS, goodbye: boolean): void {
    const p = g.client!;
    if (!live(p)) return;
    p.stage = state;
    // Not joined yet (ended by _admit): it has no state on any link, so nothing goes out.
    this._remove([g], goodbye ? this._othersAdvertise(g) : undefined, !goodbye);
    this._count(ENDINGS[state]);
    if (state !== 'withdrawn') g.emit(state);
  }

  /** The same key checksum and the same time (§4): the same registration. */
  private _sameTsr(mine: Tsr, theirs?: Tsr): boolean {
    return theirs?.keySum === mine.keySum && compareTsr(mine, theirs, this._skew) === 'same';
  }

  /**
   * Seed 000: "Only the last server should send goodbye packets": records
   * another registrar still advertises (on the client's names, with the
   * same key and time) are left out of the goodbye.
   */
  private _othersAdvertise(g: Registration): Set<string> {
    const t = g.client!.tsrData;
    const now = this._now;
    // On the client's own names only the same key and time count; a shared PTR heard from another host stays anyway.
    return new Set(t ? g.owned.filter((o) => {
      const h = this._heard.get(o.ownerKey, now);
      return h?.ids.has(o.rid) && (!g.names.has(o.ownerKey) || this._sameTsr(t, h.tsr));
    }).map((o) => o.rid) : []);
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
      for (const t of [...this._ticks.values(), ...this._waits.values()]) t.cancel();
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
    const host = this._host;
    const old = host.owned;
    this._rebuild(host);
    // A link just added holds no state yet, so nothing is answerable there: it gets probes below.
    for (const link of this._links.values()) {
      if (!answerable(host, link)) continue;
      const here = (list: Owned[]): Owned[] => list.filter((o) => onLink(o, link) && notNsec(o));
      // Address changes on links that stay: goodbye for what left (RFC 6762 §10.1).
      link.multicastRecords(without(here(old), host.owned), [], 0);
      // §10.2: a unique RRSet goes out whole: the new address with the interface's others of that type.
      const whole = announced(here(host.owned), here(old));
      if (whole.length) this._announce(link, whole);
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
    this._repeat = this._repeat.filter((r) => r.via !== link);
  }

  // ---- records ----------------------------------------------------------------

  /** The group's records from its spec, indexed; its names are those of its unique records. */
  private _rebuild(g: Registration): void {
    const p = g.client;
    g.owned = p
      ? proxyRecords(g.label, p.ips, p.instances, this._ttl)
      : g.spec
        ? serviceRecords(g.spec, g.label, this.hostName, this._ttl)
        : hostRecords(this.hostName, this._ifaces, this._ttl);
    g.names = new Set(g.owned.filter((o) => o.unique).map((o) => o.ownerKey));
    this._reindex();
  }

  private _reindex(): void {
    const index = new Map<string, Entry[]>();
    const tsr = new Map<string, Registration>();
    const secondary = new Set<string>();
    const primary = new Set<string>();
    for (const g of this._groups) {
      for (const o of g.owned) {
        append(index, o.ownerKey, { g, o });
        (g.client?.standby ? secondary : primary).add(o.rid);
      }
      if (g.client?.tsrData) for (const key of g.names) tsr.set(key, g);
    }
    // A record another, primary registration also owns is answered as usual.
    for (const id of primary) secondary.delete(id);
    this._index = index;
    this._tsrNames = tsr;
    this._secondaryIds = secondary;
  }

  /**
   * Rebuilds the group's records. RFC 6762 §8.4: announce what changed;
   * goodbye for shared records that went away. Returns whether any record changed.
   */
  private _refresh(g: Registration): boolean {
    const before = g.owned;
    const dropped = g.names;
    this._rebuild(g);
    const changed = announced(g.owned, before);
    const removed = without(before, g.owned);
    const ids = new Set(removed.map((o) => o.rid));
    // A proxied client's removed records all get goodbyes; a host's own unique ones are replaced by the flush bit (§10.2).
    const gone = removed.filter((o) => (!o.unique || g.client) && !this._ownedBy(o.rid, [g]));
    // The goodbye of names the client dropped still carries its (new) TSR time, so another registrar's older copy goes stale (§3.4) rather than reasserted.
    const t = g.client?.tsrData;
    const goneTsr = t ? (key: string): Tsr | undefined => this._tsrOf(key) ?? (dropped.has(key) ? t : undefined) : undefined;
    for (const link of this._links.values()) {
      if (!answerable(g, link)) continue;
      const here = (list: Owned[]): Owned[] => list.filter((o) => onLink(o, link));
      const news = here(changed);
      link.forget(ids);
      link.multicastRecords(here(gone), [], 0, goneTsr);
      if (news.length) this._announce(link, news);
    }
    return changed.length + removed.length > 0;
  }

  /** Whether a registration other than those in `except` owns the record. */
  private _ownedBy(id: string, except: Registration[] = []): boolean {
    return [...this._groups].some((g) => !except.includes(g) && g.owned.some((o) => o.rid === id));
  }

  // ---- probing and announcing (RFC 6762 §8) ----------------------------------

  private _throttled(): boolean {
    const now = this._now;
    this._conflictTimes = this._conflictTimes.filter((t) => now - t < THROTTLE.window);
    return this._conflictTimes.length >= THROTTLE.conflicts;
  }

  /** A new registration: indexed, then probed on every link. */
  private _join(g: Registration): void {
    this._groups.add(g);
    this._rebuild(g);
    this._probeAll(g);
  }

  private _probeAll(g: Registration): void {
    for (const link of this._links.values()) this._startProbing(g, link);
  }

  /**
   * §8.1: the first probe goes after a random 0-250 ms; a group that starts
   * while another probe round on the link is due within that window joins it,
   * so names probing at once share packets.
   */
  private _startProbing(g: Registration, link: Link, delay?: number): void {
    if (recordsOn(g, link).length === 0) return;
    if (g.client?.standby) {
      // A secondary registrar neither probes nor announces (seed 000: "Only the first server should probe").
      g.states.set(link, { phase: 'established', n: 0 });
      return;
    }
    const now = this._now;
    const tick = this._ticks.get(link);
    const throttled = this._throttled();
    let due = now + (delay ?? (throttled ? THROTTLE.interval : this._random(PROBE_INTERVAL)));
    if (delay === undefined && !throttled && tick && tick.at >= now && tick.at <= now + PROBE_INTERVAL) due = tick.at;
    g.states.set(link, { phase: 'probing', n: 0, due });
    this._schedule(link);
  }

  private _announce(link: Link, records: Owned[]): void {
    link.multicastRecords(records);
    this._repeat.push({ via: link, owned: records, at: this._now + ANNOUNCE_INTERVAL });
    this._schedule(link);
  }

  private _schedule(link: Link): void {
    // Only probing and announcing states have a due time.
    const at = Math.min(
      ...[...this._groups].map((g) => g.states.get(link)?.due ?? Infinity),
      ...this._repeat.filter((r) => r.via === link).map((r) => r.at),
    );
    const tick = rearm(this._p, this._ticks.get(link), at, () => this._guard(() => this._tick(link)));
    if (tick) this._ticks.set(link, tick);
    else this._ticks.delete(link);
  }

  /** One step of every registration's state machine on this link. */
  private _tick(link: Link): void {
    this._ticks.delete(link);
    if (this._closed || !this._links.has(link.id)) return;
    const now = this._now;
    const probes: Due[] = [];
    const announcements: Due[] = [];
    for (const g of this._groups) {
      const s = g.states.get(link);
      if (s?.due === undefined || s.due > now) continue;
      if (s.phase === 'probing' && s.n >= PROBES) {
        // 250 ms after the third probe and no conflict: the names are ours (§8.1).
        s.phase = 'announcing';
        s.n = 0;
      }
      (s.phase === 'probing' ? probes : announcements).push([g, s]);
    }
    if (probes.length) this._sendProbes(link, probes);
    const interval = this._throttled() ? THROTTLE.interval : PROBE_INTERVAL;
    for (const [g, s] of probes) {
      if (s.n === 0) g.sayOnce('probing');
      s.n++;
      s.due = now + interval;
    }
    // §8.3: all records of all names done probing, in as few packets as fit.
    link.multicastRecords(unique(announcements.flatMap(([g]) => recordsOn(g, link).filter(notNsec))));
    for (const [g, s] of announcements) {
      if (++s.n >= ANNOUNCEMENTS) {
        s.phase = 'established';
        s.due = undefined;
      } else s.due = now + ANNOUNCE_INTERVAL;
      if ([...g.states.values()].every((x) => x.phase !== 'probing')) g.sayOnce('established');
    }
    const due = (r: Repeat): boolean => r.via === link && r.at <= now;
    link.multicastRecords(this._repeat.filter(due).flatMap((r) => r.owned.filter((o) => this._ownedBy(o.rid))));
    this._repeat = this._repeat.filter((r) => !due(r));
    this._schedule(link);
  }

  /**
   * §8.1 probes: one ANY question per unique name (QU on the first probe),
   * the proposed records in the authority section. Each registration's
   * questions travel with its records; registrations fill packets in turn.
   */
  private _sendProbes(link: Link, groups: Due[]): void {
    const probe = (questions: Question[], authorities: Rec[]): Message => message({ questions, authorities });
    /** The packet being filled. */
    let m: Message | undefined;
    const send = (): void => { if (m) link.send(m, undefined, false, this._tsrOf); };
    for (const [g, s] of groups) {
      const qu = s.n === 0;
      const recs = claimed(recordsOn(g, link));
      const qs = [...new Map(recs.map((o) => [o.ownerKey, { name: o.rec.name, type: T.ANY, class: CLASS_IN, qu }])).values()];
      const as = recs.map((o) => withTtl(o.rec, o.rec.ttl, false));
      const more = m && probe(m.questions.concat(qs), m.authorities.concat(as));
      if (more && link.fits(more, this._tsrOf)) m = more;
      else {
        send();
        m = probe(qs, as);
      }
    }
    send();
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
    const probe = m.questions.length > 0 && m.authorities.length > 0;
    // draft-tllq-tsr-05 §3.3: "...before constructing a response, the mDNS
    // registrar MUST process the non-question records in the packet".
    const byTsr = probe ? this._tsrReceive(link, m, meta, true) : undefined;
    if (byTsr) this._tiebreak(link, m, byTsr);
    if (meta.srcPort !== MDNS_PORT) {
      this._count('legacyQueries');
      return this._answer(link, m.questions, m.answers, meta, { legacy: m });
    }
    // RFC 6762 §7.2: a query with TC is followed by more known answers: wait 400-500 ms for them.
    // (The source port is 5353 from here on.)
    const key = `${link.id}|${meta.src}`;
    const wait = this._waits.get(key);
    if (wait && m.questions.length === 0) {
      wait.known.push(...m.answers);
      return;
    }
    if (m.tc) {
      wait?.cancel();
      const w: KnownAnswerWait = {
        known: [...m.answers],
        cancel: this._p.timer(400 + this._random(100), () => this._guard(() => {
          this._waits.delete(key);
          this._answer(link, m.questions, w.known, meta, { waited: true });
        })),
      };
      this._waits.set(key, w);
      return;
    }
    // A probe for the very data we hold, with the same TSR, is another registrar of the same client: nothing to defend.
    const questions = m.questions.filter((q) => byTsr?.get(nameKey(q.name)) !== 'agreed');
    this._answer(link, questions, m.answers, meta, { probe });
  }

  /** §8.2: compare our proposed records with a simultaneous prober's; the lexicographically later set wins. */
  private _tiebreak(link: Link, m: Message, byTsr: Map<string, TsrVerdict>): void {
    for (const g of this._groups) {
      if (g.states.get(link)?.phase !== 'probing') continue;
      for (const key of g.names) {
        if (byTsr.has(key)) continue; // decided by TSR (§3.4), not by comparing data
        // A name they do not propose compares later on our side: never lost.
        const theirs = m.authorities.filter((r) => nameKey(r.name) === key).sort(compareRecords);
        const ours = claimed(recordsOn(g, link)).filter((o) => o.ownerKey === key).map((o) => o.rec).sort(compareRecords);
        // The first record that differs decides; when one set is the other's beginning, the longer one is later.
        const cmp = ours.map((r, i) => (i < theirs.length ? compareRecords(r, theirs[i]) : 1)).find((c) => c !== 0) ?? ours.length - theirs.length;
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
    return (this._index.get(key) ?? []).filter(({ g, o }) => onLink(o, link) && answerable(g, link)).map((e) => e.o);
  }

  private _answer(
    link: Link, questions: Question[], known: Rec[], meta: PacketMeta,
    how: { legacy?: Message; probe?: boolean; waited?: boolean },
  ): void {
    const multicast: Owned[] = [];
    const unicast: Owned[] = [];
    const now = this._now;
    // §5.5: a query sent straight to our unicast address is answered as if it asked QU.
    const dst = parseIp(meta.dst ?? '');
    const direct = dst !== undefined && !isMulticast(dst);
    // §7.1: known answers on our names; the querier already knows a record it holds with at least half our TTL.
    const suppress = new Map(known.filter((r) => this._index.has(nameKey(r.name))).map((r) => [recordId(r), r.ttl]));
    const keep = (o: Owned): boolean => (suppress.get(o.rid) ?? -Infinity) < o.rec.ttl / 2;
    for (const q of questions) {
      if (q.class !== CLASS_IN && q.class !== 255) continue;
      const all = this._entries(link, nameKey(q.name));
      let found = all.filter((o) => notNsec(o) && (q.type === T.ANY || o.rec.type === q.type));
      // §6.1: a name we own has no record of the asked type: say so with NSEC.
      if (found.length === 0) found = all.filter((o) => o.rec.type === T.NSEC);
      if (found.some((o) => this._secondaryIds.has(o.rid)) && !this._retransmitted(link, q, now)) {
        found = found.filter((o) => !this._secondaryIds.has(o.rid));
      }
      for (const o of found.filter(keep)) {
        // §5.4: QU answers go by unicast unless not multicast here within a quarter of the TTL.
        const fresh = now - (link.lastMulticast.get(o.rid) ?? -Infinity) < (o.rec.ttl * 1000) / 4;
        ((q.qu || direct) && fresh && !how.legacy ? unicast : multicast).push(o);
      }
    }
    const mc = unique(multicast);
    const uc = unique(unicast);
    if (mc.length + uc.length === 0) return;
    this._count('answered');
    if (how.legacy) return this._reply(link, meta, mc, how.legacy);
    const delay = how.waited || how.probe || mc.concat(uc).every((o) => o.unique) ? 0 : 20 + this._random(100);
    if (uc.length) {
      const send = (): void => { if (!this._closed) this._reply(link, meta, uc); };
      if (delay) this._p.timer(delay, () => this._guard(send));
      else send();
    }
    if (mc.length) {
      link.queue([
        ...mc.map((o) => pending(o, how.probe)),
        ...this._additionals(link, mc).map((o) => pending(o, false, true)),
      ], now + delay);
    }
  }

  /**
   * A unicast reply to the querier. §6.7 legacy unicast: echo ID and
   * questions, TTL at most 10, no cache-flush bit, SRV target in full.
   */
  private _reply(link: Link, meta: PacketMeta, answers: Owned[], legacy?: Message): void {
    const rec = (o: Owned): Rec => (legacy ? withTtl(o.rec, Math.min(o.rec.ttl, 10), false) : o.rec);
    link.send(
      message({
        ...(legacy && { id: legacy.id, rd: legacy.rd, questions: legacy.questions }),
        qr: true, aa: true, answers: answers.map(rec), additionals: this._additionals(link, answers).map(rec),
      }),
      { addr: meta.src, port: meta.srcPort },
      !!legacy,
      legacy ? undefined : this._tsrOf,
    );
  }

  /**
   * Seed 000: a secondary registrar "should answer if query retransmission
   * is seen": the same question on the link within the last 5 s.
   */
  private _retransmitted(link: Link, q: Question, now: number): boolean {
    const key = `${link.id}|${nameKey(q.name)}|${q.type}`;
    const first = this._asked.get(key);
    if (now - (first ?? -Infinity) <= RETRANSMISSION) return now > first!;
    if (this._asked.size >= 512) for (const [k, t] of this._asked) if (now - t > RETRANSMISSION) this._asked.delete(k);
    // Still full of fresh questions: the oldest is forgotten (the map keeps insertion order).
    if (this._asked.size >= 512) this._asked.delete(this._asked.keys().next().value!);
    this._asked.set(key, now);
    return false;
  }

  /**
   * RFC 6763 §12 additional records: PTR -> SRV, TXT (and the instance's
   * NSEC), then the target's addresses; SRV -> addresses; A <-> AAAA
   * (RFC 6762 §6.2). A host NSEC tells which address types do not exist.
   */
  private _additionals(link: Link, answers: Owned[]): Owned[] {
    const out: Owned[] = [];
    const addresses = (host: string): void => {
      for (const o of this._entries(link, nameKey(host))) if (ADDRESS_TYPES.includes(o.rec.type)) out.push(o);
    };
    for (const a of answers) {
      const { type, data } = a.rec;
      if (type === T.A || type === T.AAAA) addresses(a.rec.name);
      // A service PTR brings its instance's records; any other answer stands for itself (answers are left out below).
      const follow = type === T.PTR && !a.ownerKey.endsWith('.arpa') ? this._entries(link, nameKey(data as string)) : [a];
      for (const o of follow) {
        out.push(o);
        if (o.rec.type === T.SRV) addresses((o.rec.data as Srv).target);
      }
    }
    // Each record once, and none already among the answers.
    return without(unique(out), answers);
  }

  private _onResponse(link: Link, m: Message, meta: PacketMeta): void {
    const byTsr = this._tsrReceive(link, m, meta, false);
    const seen = new Set<Registration>();
    for (const rec of m.answers.concat(m.additionals)) {
      const key = nameKey(rec.name);
      const list = this._index.get(key);
      if (!list) continue;
      const id = recordId(rec);
      const mine = list.find((e) => e.o.rid === id);
      if (mine) {
        // §7.4: someone else just answered with our record.
        link.suppress(rec, id);
        // Seed 000: "Only the last server should send goodbye packets": another registrar's goodbye for a client's records we still hold is answered at once.
        if (rec.ttl === 0 && mine.g.client) this._reassert(mine.g, link, this._now);
        // §6.6: a peer announces our record with less than half our TTL: correct it.
        if (rec.ttl > 0 && rec.ttl < mine.o.rec.ttl / 2 && answerable(mine.g, link)) {
          link.queue([pending(mine.o)], this._now);
        }
        continue;
      }
      const g = list[0].g;
      const s = g.states.get(link);
      if (!s || seen.has(g) || !g.names.has(key)) continue;
      // §9: identical data is no conflict; during probing any other record on the name is;
      // afterwards a unique record of the same name, type and class with other data is.
      // §8.1: "...responses received before the first probe packet is sent MUST be silently ignored";
      // a goodbye (TTL 0) claims nothing.
      if (rec.ttl === 0 || (s.phase === 'probing' && s.n === 0)) continue;
      const conflict = s.phase === 'probing' || (rec.flush && rec.class === CLASS_IN && list.some((e) => e.o.rec.type === rec.type));
      if (!conflict || byTsr.has(key)) continue;
      // The host is renamed for its name only; a service's and a client's names are all primary.
      if (g === this._host && key !== nameKey(this.hostName)) {
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
    const now = this._now;
    const tsrs = readTsr(m, this.endpoint.codec.tsrCode, now, this.endpoint.tally);
    // Our own packet, looped back or heard on another of our links to the same LAN.
    for (const l of this._links.values()) if (l.iface.addrs.some((a) => a.addr === meta.src)) return decided;
    // Known answers (a query's answer section) carry no TSR; a probe's authority records are proposals, not cache data.
    const byName = new Map<string, Rec[]>();
    for (const r of (probe ? [] : m.answers).concat(m.authorities, m.additionals)) if (r.type !== T.OPT) append(byName, nameKey(r.name), r);
    for (const [key, list] of byName) {
      const theirs = tsrs.get(key);
      if (!probe) for (const r of list) this._heard.note(key, recordId(r), r.ttl, now, theirs);
      const g = this._tsrNames.get(key);
      if (!g) continue;
      const mine = g.client!.tsrData!;
      const keyed = theirs?.keySum === mine.keySum;
      // A prober without our key is answered (we defend, RFC 6762 §8.1) or tie-broken (§8.2) as ever.
      if (probe && !keyed) continue;
      const identical = list.every((r) => g.owned.some((o) => o.rid === recordId(r)));
      const order = keyed ? compareTsr(mine, theirs!, this._skew) : undefined;
      const agreed = identical && order === 'same';
      decided.set(key, agreed ? 'agreed' : 'decided');
      const s = g.states.get(link);
      // Our own data repeated (a legacy responder's cache) is no conflict; a goodbye claims nothing.
      if (!keyed) {
        if (theirs || (!identical && list.some((r) => r.ttl > 0))) this._end(g, 'conflict', true);
      } else if (order === 'theirs') this._end(g, 'stale', false);
      else if (agreed && s?.phase === 'probing' && (!probe || s.n === 0)) this._standDown(g);
      else if (order === 'mine' && !probe && !identical) this._reassert(g, link, now + 1000);
    }
    return decided;
  }

  /** Seed 000: "Only the first server should probe": another registrar advertises or probes the same data with the same time. */
  private _standDown(g: Registration): void {
    this._count('tsrStoodDown');
    g.client!.standby = true;
    this._reindex();
    // Secondary now: every link's state becomes established (_startProbing).
    this._probeAll(g);
    g.sayOnce('established');
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
    link.queue(claimed(recordsOn(g, link)).map((o) => ({ ...pending(o), resend: true })), at);
  }

  private _conflict(g: Registration, probing: boolean, key: string): void {
    this._count('conflicts');
    const was = this._throttled();
    this._conflictTimes.push(this._now);
    g.emit('conflict');
    if (!was && this._throttled()) {
      g.emit('error', { reason: `${THROTTLE.conflicts} conflicts in ${THROTTLE.window / 1000} s: probing slows to 1 per ${THROTTLE.interval / 1000} s (RFC 6762 §8.1)` });
    }
    if (probing) {
      // A proxied client without TSR is renamed like any registration (draft §8): its host or the one instance that conflicted.
      const svc = g.client?.instances.find((x) => nameKey(instanceName(x.spec, x.label)) === key);
      const named: { label: string } = svc ?? g;
      const from = named.label;
      named.label = svc || g.spec ? nextInstanceName(from) : nextHostLabel(from);
      g.told.clear();
      this._rebuild(g);
      // Every SRV names the host: they change with it (§8.4).
      if (g === this._host) for (const s of this._groups) if (s.spec) this._refresh(s);
      g.emit('renamed', { from, to: named.label });
    }
    // §9: "...reset to probing state": probe (again) on every link.
    this._probeAll(g);
  }

  /** Goodbyes (§10.1) for the groups' records, but those in `keep`, or none when `silent`; then they are forgotten. */
  private _remove(groups: Registration[], keep?: Set<string>, silent = false): void {
    for (const link of this._links.values()) {
      const bye = new Map<string, Owned>();
      for (const g of groups) {
        if (!answerable(g, link)) continue;
        for (const o of recordsOn(g, link)) {
          // A shared record another registration still owns stays.
          if (!bye.has(o.rid) && !keep?.has(o.rid) && !this._ownedBy(o.rid, groups)) bye.set(o.rid, o);
        }
      }
      link.forget(new Set(bye.keys()));
      // §10.1: goodbye = the records with TTL 0, all registrations in as few packets as fit.
      if (!silent) link.multicastRecords([...bye.values()].filter(notNsec), [], 0);
    }
    for (const g of groups) {
      // The host leaves only at close(), when nothing runs any more.
      this._groups.delete(g);
      g.states.clear();
    }
    this._reindex();
  }
}

/** NSEC records answer questions (§6.1); announcing them or saying goodbye to them tells no cache anything it needs. */
const notNsec = (o: Owned): boolean => o.rec.type !== T.NSEC;

/** What a probe proposes and a registrar reasserts: the unique records, NSEC aside (§8.1). */
const claimed = (list: Owned[]): Owned[] => list.filter((o) => o.unique && notNsec(o));

/** Additional records for a host name: its addresses, and the NSEC telling which types it lacks (§6.2). */
const ADDRESS_TYPES: number[] = [T.A, T.AAAA, T.NSEC];

/** An answer for a link's outbox (RFC 6762 §6: aggregated with others due at the same time). */
const pending = (o: Owned, defend = false, additional = false): Pending => ({ o, additional, defend });

/** A unique RRSet's identity: owner name and type. */
const rrset = (o: Owned): string => `${o.ownerKey}|${o.rec.type}`;

/**
 * What a change announces (RFC 6762 §8.4): the records of `now` not in
 * `before`, and with each a unique RRSet's other members, since §10.2
 * caches flush the whole set on it and must keep the ones that did not change.
 */
function announced(now: Owned[], before: Owned[]): Owned[] {
  const added = without(now, before);
  const sets = new Set(added.filter((o) => o.unique).map(rrset));
  return now.filter((o) => added.includes(o) || sets.has(rrset(o)));
}

/** The records of `list` whose ids are not among those of `others`. */
function without(list: Owned[], others: Owned[]): Owned[] {
  const ids = new Set(others.map((o) => o.rid));
  return list.filter((o) => !ids.has(o.rid));
}

function unique(list: Owned[]): Owned[] {
  return [...new Map(list.map((o) => [o.rid, o])).values()];
}

function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function createResponder(platform: Platform, options: ResponderOptions): Responder {
  const r = new Responder(platform, options);
  r.start();
  return r;
}
