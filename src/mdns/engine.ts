// What the responder and the querier share: the endpoint they run on (their
// own, or one passed in so both use the same sockets and links), its
// counters and its guard, and their life cycle on it.
import type { Cancel, PacketMeta, Platform } from '../platform.js';
import type { Message } from '../wire/types.js';
import { Endpoint } from './endpoint.js';
import type { EndpointOptions, EndpointUser, LinkChange } from './endpoint.js';
import type { Link } from './link.js';

export interface LinkOptions extends EndpointOptions {
  /**
   * An endpoint to share with another engine (`responder.endpoint`): then
   * its interfaces, families, budget and TSR wire form apply and those given here must be absent.
   */
  endpoint?: Endpoint;
}

/** A timer for one point in time (platform ms). */
export interface Alarm { at: number; cancel: Cancel }

/**
 * Sets `alarm` to go off at `at` (Infinity: never) and returns the alarm now
 * pending: the same one when `at` is unchanged, else a new one.
 */
export function rearm(p: Platform, alarm: Alarm | undefined, at: number, fn: () => void): Alarm | undefined {
  if (alarm?.at === at) return alarm;
  alarm?.cancel();
  return at < Infinity ? { at, cancel: p.timer(Math.max(0, at - p.now()), fn) } : undefined;
}

export abstract class Engine implements EndpointUser {
  readonly endpoint: Endpoint;
  protected _closed = false;
  private _detach?: Cancel;

  constructor(protected readonly _p: Platform, opts: LinkOptions) {
    if (opts.endpoint !== undefined) {
      if (!(opts.endpoint instanceof Endpoint)) throw new TypeError('hush: endpoint must be an Endpoint');
      for (const k of ['interfaces', 'families', 'budget', 'tsr'] as const) {
        if (opts[k] !== undefined) throw new TypeError(`hush: ${k} belongs to the shared endpoint`);
      }
      if (opts.endpoint.p !== _p) throw new TypeError('hush: endpoint runs on another platform');
    }
    this.endpoint = opts.endpoint ?? new Endpoint(_p, opts);
  }

  /** Counts of events, shared by every engine on the endpoint. */
  get counters(): Record<string, number> { return this.endpoint.counters; }

  /** One link per interface and family, by id ('eth0/4'). */
  protected get _links(): Map<string, Link> { return this.endpoint.linksById; }

  protected _count(what: string, n?: number): void { this.endpoint.tally(what, n); }

  protected _guard(fn: () => void): void { this.endpoint.guard(fn); }

  /** The platform's time (ms). */
  protected get _now(): number { return this._p.now(); }

  /** An API call after close() is refused, naming the call. */
  protected _open(what: string): void {
    if (this._closed) throw new Error(`hush: ${what} after close()`);
  }

  /** Joins the endpoint: the links open (or are told as added) now. */
  protected _attach(): void {
    this._detach = this.endpoint.attach(this);
  }

  /** Leaves the endpoint (once: both engines leave only from close()); the last engine to leave closes its sockets. */
  protected _leave(): void {
    this._detach?.();
  }

  abstract receive(link: Link, m: Message, meta: PacketMeta): void;
  abstract onLinks(change: LinkChange): void;
}
