// DNS-SD on the querier (RFC 6763): browsing for instances of a service type
// (§4) or subtype (§7.1), enumerating service types (§9), resolving an
// instance to its SRV, TXT and addresses (§5), and looking up a host's
// addresses, each following changes until its stop handle is called. Events
// come from the querier's cache: a goodbye removes after its 1 s grace, a
// silent host when its records' TTL runs out.
import type { Srv } from '../wire/types.js';
import { T } from '../wire/types.js';
import { nameKey, nextLabel, unescapeLabel } from '../wire/name.js';
import { txtDecode } from '../wire/txt.js';
import type { TxtValue } from '../wire/txt.js';
import type { CacheEntry, CacheEvent } from '../mdns/cache.js';
import { checkListener } from '../mdns/querier.js';
import type { Querier } from '../mdns/querier.js';
import { SERVICES } from './records.js';

export interface Stop { stop(): void }

export interface BrowseEvent {
  kind: 'add' | 'update' | 'remove';
  /** Full instance name, 'My Web._http._tcp.local' (presentation form). */
  name: string;
  /** The instance label as text, 'My Web'. */
  instance: string;
  /** '_http._tcp'. */
  type: string;
  /** Links ('eth0/4') it is seen on now; 'update' means this set changed. */
  links: string[];
}

export interface TypeEvent {
  kind: 'add' | 'update' | 'remove';
  /** '_http._tcp'. */
  type: string;
  links: string[];
}

export interface Resolved {
  /** 'resolved' the first time SRV is known, 'update' on any change, 'remove' when the SRV is gone. */
  kind: 'resolved' | 'update' | 'remove';
  name: string;
  /** SRV target host name. */
  host: string;
  port: number;
  priority: number;
  weight: number;
  /** RFC 6763 §6 key/value pairs (keys lower-cased). */
  txt: Map<string, TxtValue>;
  /** The host's A and AAAA addresses, sorted. */
  addresses: string[];
}

export interface AddressEvent {
  kind: 'add' | 'remove';
  host: string;
  address: string;
  family: 4 | 6;
}

const SERVICE_TYPE = /^_[^.\\]{1,63}\._(tcp|udp)$/i;
const SUBTYPE = /^_[^.\\]{1,62}$/;

/** Checks text against the form it must have; `rule` names the field and shows the form. */
function checkForm(value: unknown, form: RegExp, rule: string): void {
  if (typeof value !== 'string' || !form.test(value)) throw new TypeError(`hush: ${rule}, got ${JSON.stringify(value)}`);
}

function checkName(what: string, name: unknown): string {
  if (typeof name !== 'string' || name === '') throw new TypeError(`hush: ${what} must be a non-empty name, got ${JSON.stringify(name)}`);
  return name;
}

/** The first label of a presentation-form name, as text ('My\\.Web._http...' -> 'My.Web'). */
function firstLabel(name: string): string {
  const end = nextLabel(name, 0);
  return unescapeLabel(end ? name.slice(0, end - 1) : name);
}

/** What follows the first label. */
function afterFirst(name: string): string {
  const end = nextLabel(name, 0);
  return end ? name.slice(end) : '';
}

/**
 * PTR targets of `owner`, each with the set of links it is on: 'add' when
 * first seen, 'update' when the set of links changes, 'remove' when gone
 * from every link.
 */
function follow(q: Querier, owner: string, emit: (kind: BrowseEvent['kind'], target: string, links: string[]) => void): Stop {
  /** By name key: the target as first seen, and the links it is on. */
  const seen = new Map<string, { shown: string; linkIds: Set<string> }>();
  const on = (event: CacheEvent, e: CacheEntry): void => {
    if (event === 'update') return;
    // A PTR's data is its target name.
    const target = e.rec.data as string;
    const key = nameKey(target);
    const s = seen.get(key) ?? { shown: target, linkIds: new Set<string>() };
    const had = s.linkIds.size;
    if (event === 'add') s.linkIds.add(e.link);
    else s.linkIds.delete(e.link);
    const has = s.linkIds.size;
    if (has === had) return;
    if (has) seen.set(key, s);
    else seen.delete(key);
    emit(had === 0 ? 'add' : has ? 'update' : 'remove', s.shown, [...s.linkIds]);
  };
  const w = q.watch({ name: owner, type: T.PTR }, on);
  for (const e of w.records()) on('add', e);
  return { stop: () => w.stop() };
}

/** RFC 6763 §4: instances of `type` ('_http._tcp'), or of one subtype of it (§7.1, '_printer'). */
export function browse(q: Querier, type: string, fn: (e: BrowseEvent) => void, opts: { subtype?: string } = {}): Stop {
  checkForm(type, SERVICE_TYPE, "type must look like '_http._tcp'");
  checkListener(fn);
  if (opts.subtype !== undefined) checkForm(opts.subtype, SUBTYPE, "subtype must look like '_printer'");
  const owner = (opts.subtype ? `${opts.subtype}._sub.` : '') + `${type}.local`;
  return follow(q, owner, (kind, name, links) => fn({ kind, name, instance: firstLabel(name), type, links }));
}

/** RFC 6763 §9: the service types on the link ('_http._tcp'), from '_services._dns-sd._udp.local'. */
export function browseTypes(q: Querier, fn: (e: TypeEvent) => void): Stop {
  checkListener(fn);
  return follow(q, SERVICES, (kind, name, links) => fn({ kind, type: name.replace(/\.local$/i, ''), links }));
}

/** The newest live record among entries (the one a flush has not marked to go, when there is one). */
function newest(list: CacheEntry[]): CacheEntry | undefined {
  let best: CacheEntry | undefined;
  for (const e of list) if (!best || e.receivedAt > best.receivedAt || (e.receivedAt === best.receivedAt && e.expires > best.expires)) best = e;
  return best;
}

/**
 * Addresses of `host`, counted over links: `fn` hears 'add' when an address
 * is first seen on any link and 'remove' when it is gone from all, but not
 * for what the cache already held at the start (that is `list()`).
 */
function addresses(q: Querier, host: string, fn: (e: AddressEvent) => void): Stop & { list(): AddressEvent[] } {
  const count = new Map<string, { n: number; family: 4 | 6 }>();
  let ready = false;
  const on = (event: CacheEvent, e: CacheEntry): void => {
    if (event === 'update' || typeof e.rec.data !== 'string') return;
    const address = e.rec.data;
    const c = count.get(address);
    const family = e.rec.type === T.A ? 4 : 6;
    if (event === 'add') {
      if (c) c.n++;
      else count.set(address, { n: 1, family });
      if (!c && ready) fn({ kind: 'add', host, address, family });
    } else if (c && --c.n === 0) {
      count.delete(address);
      if (ready) fn({ kind: 'remove', host, address, family });
    }
  };
  const watches = [T.A, T.AAAA].map((type) => q.watch({ name: host, type }, on));
  for (const w of watches) for (const e of w.records()) on('add', e);
  ready = true;
  return {
    list: () => [...count].map(([address, c]): AddressEvent => ({ kind: 'add', host, address, family: c.family })).sort((a, b) => (a.address < b.address ? -1 : 1)),
    stop: () => { for (const w of watches) w.stop(); },
  };
}

/** Host name -> A and AAAA addresses, following changes. */
export function lookup(q: Querier, host: string, fn: (e: AddressEvent) => void): Stop {
  checkName('host', host);
  checkListener(fn);
  const a = addresses(q, host, fn);
  for (const e of a.list()) fn(e);
  return { stop: () => a.stop() };
}

/**
 * RFC 6763 §5: an instance ('My Web._http._tcp.local') to its SRV target,
 * port and TXT, and the target's addresses (RFC 6762 §6.2 A and AAAA),
 * following every change until stop().
 */
export function resolve(q: Querier, instance: string, fn: (e: Resolved) => void): Stop {
  checkName('instance', instance);
  checkListener(fn);
  if (!SERVICE_TYPE.test(afterFirst(instance).replace(/\.local$/i, ''))) {
    throw new TypeError(`hush: instance must be 'Name._type._tcp.local', got ${JSON.stringify(instance)}`);
  }
  let host: { name: string; watch: Stop & { list(): AddressEvent[] } } | undefined;
  let last: string | undefined;
  let stopped = false;
  const srvWatch = q.watch({ name: instance, type: T.SRV }, () => changed());
  const txtWatch = q.watch({ name: instance, type: T.TXT }, () => changed());
  function changed(): void {
    if (stopped) return;
    const srvEntry = newest(srvWatch.records());
    const srv = srvEntry?.rec.data as Srv | undefined;
    if (!srv) {
      host?.watch.stop();
      host = undefined;
      if (last !== undefined) {
        last = undefined;
        fn({ kind: 'remove', name: instance, host: '', port: 0, priority: 0, weight: 0, txt: new Map(), addresses: [] });
      }
      return;
    }
    if (!host || nameKey(host.name) !== nameKey(srv.target)) {
      host?.watch.stop();
      const name = srv.target;
      host = { name, watch: addresses(q, name, () => changed()) };
    }
    const txt = txtDecode((newest(txtWatch.records())?.rec.data as Uint8Array[] | undefined) ?? []);
    const r: Resolved = {
      kind: last === undefined ? 'resolved' : 'update', name: instance, host: srv.target, port: srv.port,
      priority: srv.priority, weight: srv.weight, txt, addresses: host.watch.list().map((e) => e.address),
    };
    const now = snapshot(r);
    if (now === last) return;
    last = now;
    fn(r);
  }
  changed();
  return {
    stop() {
      stopped = true;
      srvWatch.stop();
      txtWatch.stop();
      host?.watch.stop();
    },
  };
}

function snapshot(r: Resolved): string {
  const txt = [...r.txt].map(([k, v]) => (v === true ? k : `${k}=${[...v].join(',')}`)).join(';');
  return `${nameKey(r.host)} ${r.port} ${r.priority} ${r.weight} ${txt} ${r.addresses.join(',')}`;
}
