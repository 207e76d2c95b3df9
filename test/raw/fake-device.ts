// An in-memory RawDevice for the raw platform's tests: interfaces defined by
// hand (MACs and addresses), ports that record the frames sent on them, frames
// injected as if a peer had sent them (or this host, or with the checksum
// vouched for), a guard that records what it is asked, a change signal fired
// by hand, and openPort and loop failures on demand. Beside it a virtual-time base
// platform (platform/sim's Clock), so no real timer or socket is involved.
import type { FrameHandler, Guard, PortOptions, RawDevice, RawInterface, RawPort } from '../../platform/raw/device.js';
import type { Mac } from '../../platform/raw/ethernet.js';
import { build } from '../../platform/raw/stack.js';
import { Clock, stream } from '../../platform/sim/index.js';
import type { LogLevel, NetAddress, OpenOptions, Platform, Socket } from '../../src/platform.js';

export const mac = (text: string): Mac => Uint8Array.from(text.split(':').map((b) => parseInt(b, 16)));

/** 'addr/prefix' (IPv6 when it holds ':') as a NetAddress. */
export const cidr = (text: string): NetAddress => {
  const [addr, prefix] = text.split('/');
  return { family: addr.includes(':') ? 6 : 4, addr, prefix: Number(prefix) };
};

export function iface(index: number, name: string, hw: string | undefined, addrs: string[], more: Partial<RawInterface> = {}): RawInterface {
  return { index, name, up: true, multicast: true, loopback: false, ...(hw && { mac: mac(hw) }), addrs: addrs.map(cidr), ...more };
}

/** A DeviceError as the addon throws it. */
export const deviceError = (call: string, code: string): Error & { code: string } =>
  Object.assign(new Error(`${call}: ${code}`), { code });

export interface SentFrame { ifindex: number; frame: Uint8Array }

export class FakePort implements RawPort {
  closed = false;
  /** Set to make the next send throw this errno name. */
  failSend?: string;

  constructor(
    private readonly device: FakeDevice,
    readonly ifindex: number,
    readonly opts: PortOptions,
    readonly onFrame: FrameHandler,
  ) {}

  send(frame: Uint8Array): void {
    if (this.closed) throw deviceError('send', 'EBADF');
    if (this.failSend) {
      const code = this.failSend;
      this.failSend = undefined;
      throw deviceError('send', code);
    }
    this.device.sent.push({ ifindex: this.ifindex, frame: frame.slice() });
  }

  close(): void { this.closed = true; }
}

export type GuardCall =
  | { op: 'join' | 'leave'; group: string; ifindex: number }
  | { op: 'send'; data: Uint8Array; addr: string; port: number; ifindex: number }
  | { op: 'loop'; data: Uint8Array; group: string; port: number; ifindex: number }
  | { op: 'close' };

export class FakeGuard implements Guard {
  readonly calls: GuardCall[] = [];
  closed = false;
  /** Set to make every loop throw this errno name. */
  failLoop?: string;

  constructor(readonly family: 4 | 6, readonly port: number) {}

  join(group: string, ifindex: number): void { this.calls.push({ op: 'join', group, ifindex }); }
  leave(group: string, ifindex: number): void { this.calls.push({ op: 'leave', group, ifindex }); }
  send(data: Uint8Array, addr: string, port: number, ifindex: number): void {
    this.calls.push({ op: 'send', data: data.slice(), addr, port, ifindex });
  }
  loop(data: Uint8Array, group: string, port: number, ifindex: number): void {
    if (this.failLoop) throw deviceError('loop', this.failLoop);
    this.calls.push({ op: 'loop', data: data.slice(), group, port, ifindex });
  }

  close(): void {
    this.closed = true;
    this.calls.push({ op: 'close' });
  }

  /** The calls of one kind. */
  of<K extends GuardCall['op']>(op: K): Extract<GuardCall, { op: K }>[] {
    return this.calls.filter((c): c is Extract<GuardCall, { op: K }> => c.op === op);
  }
}

export class FakeDevice implements RawDevice {
  /** Every port ever opened, oldest first. */
  readonly ports: FakePort[] = [];
  readonly guards: FakeGuard[] = [];
  /** Every frame sent on any port, oldest first. */
  readonly sent: SentFrame[] = [];
  /** openPort on these interfaces throws the errno name given. */
  readonly failOpen = new Map<number, string>();
  private readonly watchers = new Set<() => void>();

  constructor(public list: RawInterface[]) {}

  interfaces(): RawInterface[] {
    return this.list.map((i) => ({ ...i, ...(i.mac && { mac: i.mac.slice() }), addrs: i.addrs.map((a) => ({ ...a })) }));
  }

  watch(fn: () => void): () => void {
    this.watchers.add(fn);
    return () => { this.watchers.delete(fn); };
  }

  get watching(): number { return this.watchers.size; }

  openPort(ifindex: number, opts: PortOptions, onFrame: FrameHandler): RawPort {
    const code = this.failOpen.get(ifindex) ?? (this.list.some((i) => i.index === ifindex) ? undefined : 'ENODEV');
    if (code) throw deviceError('openPort', code);
    const p = new FakePort(this, ifindex, opts, onFrame);
    this.ports.push(p);
    return p;
  }

  openGuard(family: 4 | 6, port: number): Guard {
    const g = new FakeGuard(family, port);
    this.guards.push(g);
    return g;
  }

  /** The open ports of an interface (the platform should hold at most one). */
  open(ifindex: number): FakePort[] { return this.ports.filter((p) => p.ifindex === ifindex && !p.closed); }

  /** The guard of a family (the last opened). */
  guard(family: 4 | 6): FakeGuard {
    const g = this.guards.filter((x) => x.family === family).pop();
    if (!g) throw new Error(`fake: no IPv${family} guard was opened`);
    return g;
  }

  /**
   * Hands a frame to every open port of the interface, as the kernel would:
   * `outgoing` as one this host sent, `checksumTrusted` as one whose UDP
   * checksum the kernel vouches for (both false by default, a peer's frame from the wire).
   */
  deliver(ifindex: number, frame: Uint8Array, how: { outgoing?: boolean; checksumTrusted?: boolean } = {}): void {
    for (const p of this.open(ifindex)) p.onFrame(frame.slice(), how.outgoing ?? false, how.checksumTrusted ?? false);
  }

  /** Fires the change signal: a burst of `times` calls, as netlink sends them. */
  change(times = 1): void {
    for (let n = 0; n < times; n++) for (const fn of [...this.watchers]) fn();
  }

  /** The frames sent on an interface since index `since` of `sent`. */
  sentOn(ifindex: number, since = 0): Uint8Array[] {
    return this.sent.slice(since).filter((s) => s.ifindex === ifindex).map((s) => s.frame);
  }
}

/** A peer on a link: its MAC and addresses, and the frames it would send. */
export class Peer {
  constructor(readonly mac: Mac, readonly v4: string, readonly v6: string) {}

  /** A UDP frame from this peer to `dst` (the group's or our MAC as `dstMac`). */
  frame(o: { dst: string; dstMac: Mac; payload: Uint8Array; srcPort?: number; dstPort?: number; ttl?: number; src?: string }): Uint8Array {
    const src = o.src ?? (o.dst.includes(':') ? this.v6 : this.v4);
    return build({ srcMac: this.mac, dstMac: o.dstMac, src, dst: o.dst, srcPort: o.srcPort ?? 5353, dstPort: o.dstPort ?? 5353, payload: o.payload, ttl: o.ttl ?? 255 });
  }
}

export interface LogLine { level: LogLevel; msg: string; data?: object }

/** A socket base.open hands out: records its calls. */
export interface BaseSocket extends Socket { opts: OpenOptions; closed: boolean }

/** A virtual-time Platform: platform/sim's Clock for now and timers, a seeded random, a recording log and open. */
export function virtualBase(seed = 1): Platform & { clock: Clock; logs: LogLine[]; opened: BaseSocket[]; closed: boolean; close(): void } {
  const clock = new Clock();
  const logs: LogLine[] = [];
  const opened: BaseSocket[] = [];
  const base = {
    clock,
    logs,
    opened,
    closed: false,
    now: () => clock.now,
    timer: (ms: number, fn: () => void) => clock.at(clock.now + Math.max(ms, 0), fn),
    random: stream(seed, 'base'),
    interfaces: () => [],
    open(opts: OpenOptions): Socket {
      const s: BaseSocket = { opts, closed: false, join() {}, leave() {}, send() {}, onMessage() {}, close() { s.closed = true; } };
      opened.push(s);
      return s;
    },
    log(level: LogLevel, msg: string, data?: object) { logs.push(data === undefined ? { level, msg } : { level, msg, data }); },
    close() { base.closed = true; },
  };
  return base;
}
