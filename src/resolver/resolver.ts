// The stub resolver: resolve(name, types). Names under .local and the
// link-local reverse zones go to an injected mDNS lookup (RFC 6762 §3, §4);
// every other name to the configured unicast upstreams, tried in turn, with
// MQTYPE (draft-ietf-dnssd-multi-qtypes-14) to ask for several types at once.
import type { Platform } from '../platform.js';
import { T, nameKey } from '../wire/index.js';
import { Cache, type CacheOptions } from './cache.js';
import { classify, failed, type Result, type Status } from './answer.js';
import { Client, upstream, type ClientOptions, type Counters, type Upstream } from './client.js';
import { mqtypeQuery, verdict } from './mqtype.js';

/** The seam for the mDNS querier: answers one (name, types) lookup, calling `done` once. */
export type LocalLookup = (name: string, types: number[], done: (results: Result[]) => void) => void;

export interface ResolverOptions extends ClientOptions {
  /** Unicast upstreams, tried in order when one times out, fails or refuses. */
  servers: Upstream[];
  /** Ask for several types in one query (default true). */
  mqtype?: boolean;
  cache?: CacheOptions;
  /** Lookup for .local and link-local reverse names; without it those names are refused with an error. */
  local?: LocalLookup;
}

export interface ResolverCounters extends Counters {
  /** Queries sent with an MQTYPE-Query option. */
  mqtypeQueries: number;
  /** Types asked again in standalone queries after an MQTYPE query did not answer them. */
  fallbacks: number;
  cacheHits: number;
}

/** Statuses after which the next upstream is asked. */
const NEXT_SERVER: Status[] = ['timeout', 'servfail', 'refused'];

/** Types that are not data types (RFC 6895 §3.1): 0, OPT and the meta/question range 128–255. */
const isDataType = (t: number): boolean => Number.isInteger(t) && t > 0 && t <= 0xffff && t !== T.OPT && (t < 128 || t > 255);

/** RFC 6762 §3 and §4: .local, 254.169.in-addr.arpa and the fe80::/10 reverse zones (one more trailing dot allowed). */
export const isLinkLocalName = (name: string): boolean => /((^|\.)(local|[89ab]\.e\.f\.ip6\.arpa)|254\.169\.in-addr\.arpa)\.?$/.test(nameKey(name));

/** The key of a server from upstream(): its canonical address and port. */
const serverKey = (s: Required<Upstream>): string => `${s.addr} ${s.port}`;

export class Resolver {
  readonly counters: ResolverCounters;
  private readonly _client: Client;
  private readonly _cache: Cache;
  private readonly _servers: Required<Upstream>[];
  private readonly _mqtype: boolean;
  private readonly _local: LocalLookup | undefined;
  /** draft-ietf-dnssd-multi-qtypes §3.5: servers seen to support (true) or not support (false) MQTYPE. */
  private readonly _support = new Map<string, boolean>();

  constructor(private readonly _platform: Platform, opts: ResolverOptions) {
    if (!Array.isArray(opts?.servers)) throw new Error('resolver: servers must be a list of { addr, port? }');
    this._client = new Client(_platform, opts);
    this.counters = Object.assign(this._client.counters, { mqtypeQueries: 0, fallbacks: 0, cacheHits: 0 });
    this._cache = new Cache(opts.cache);
    this._servers = opts.servers.map(upstream);
    this._mqtype = opts.mqtype ?? true;
    this._local = opts.local;
  }

  /** One result per distinct type, in the order asked. */
  resolve(name: string, types: number[]): Promise<Result[]> {
    // A throw in the executor rejects the promise.
    return new Promise((ok) => this.lookup(name, types, ok));
  }

  /** Callback form of resolve(); `done` may be called before this returns (cache hits). */
  lookup(name: string, types: number[], callback: (results: Result[]) => void): void {
    // The caller's callback runs on receive and timer paths: its error is counted, never let out.
    const done = (results: Result[]): void => this._client.guard(() => callback(results), 'a lookup callback threw');
    if (typeof name !== 'string' || /^\.?$/.test(name)) throw new Error('resolve: name must be a non-empty domain name');
    if (!Array.isArray(types) || types.length === 0 || !types.every(isDataType)) throw new Error('resolve: types must be a non-empty list of data RR types');
    const wanted = [...new Set(types)];
    if (isLinkLocalName(name)) {
      if (!this._local) throw new Error(`resolve: '${name}' needs options.local (mDNS)`);
      this._local(name, wanted, done);
      return;
    }
    if (this._servers.length === 0) throw new Error('resolve: no options.servers for a unicast name');
    const got = new Map<number, Result>();
    const now = this._platform.now();
    const missing = wanted.filter((t) => {
      const hit = this._cache.get(name, t, now);
      if (hit) {
        this.counters.cacheHits++;
        got.set(t, hit);
      }
      return !hit;
    });
    // With nothing missing, the first server is asked for nothing and this ends at once.
    const attempt = (i: number, ask: number[]): void => {
      this._ask(this._servers[i], name, ask, (results) => {
        const again: number[] = [];
        for (const r of results) {
          if (NEXT_SERVER.includes(r.status) && i + 1 < this._servers.length) again.push(r.type);
          else {
            got.set(r.type, r);
            this._cache.put(name, r, this._platform.now());
          }
        }
        if (again.length > 0) attempt(i + 1, again);
        else done(wanted.map((t) => got.get(t) as Result));
      });
    };
    attempt(0, missing);
  }

  /** Whether `server` was seen to support MQTYPE; undefined until it was asked. */
  supportsMqtype(server: Upstream): boolean | undefined {
    return this._support.get(serverKey(upstream(server)));
  }

  close(): void { this._client.close(); }

  /** Asks one server for all `types`, with MQTYPE when that may help. */
  private _ask(server: Required<Upstream>, name: string, types: number[], done: (results: Result[]) => void): void {
    const key = serverKey(server);
    if (types.length < 2 || !this._mqtype || this._support.get(key) === false) return this._standalone(server, name, types, done);
    const [primary, ...extra] = types;
    this.counters.mqtypeQueries++;
    this._client.query(server, name, primary, [mqtypeQuery(extra)], (reply) => {
      if (!reply) return done(types.map((t) => failed(t, 'timeout')));
      const { kind, types: answered } = verdict(reply, primary, extra);
      this._support.set(key, kind === 'answered');
      if (kind === 'invalid') this.counters.invalid++;
      // §3.5: "a listed type with no records" is answered (negatively) by this response;
      // "The client MUST subsequently initiate separate standalone queries" for the others
      // (none left: _standalone answers at once with no results).
      const have = answered.map((t) => classify(reply, name, t));
      const ask = types.filter((t) => !answered.includes(t));
      this.counters.fallbacks += ask.length;
      this._standalone(server, name, ask, (more) => done([...have, ...more]));
    });
  }

  /** One plain query per type, all sent at once. */
  private _standalone(server: Required<Upstream>, name: string, types: number[], done: (results: Result[]) => void): void {
    if (types.length === 0) return done([]);
    const results: Result[] = [];
    for (const t of types) {
      this._client.query(server, name, t, [], (reply) => {
        results.push(reply ? classify(reply, name, t) : failed(t, 'timeout'));
        if (results.length === types.length) done(results);
      });
    }
  }
}
