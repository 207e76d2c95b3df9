// The platform contract inside QuickJS: sockets and interfaces from the
// native module hush_udp (platform/quickjs/hush_udp.c), readiness and timers
// from QuickJS's own `os` module, randomness from Math.random. Native errors
// are logged, never thrown into the engine: a socket or interface that went
// away leaves the others working.
import type {
  Cancel, LogLevel, NetInterface, OpenOptions, PacketMeta, Platform, SendTarget, Socket,
} from '../../src/platform.js';

/** What platform/quickjs/hush_udp.c exports (see its README). */
export interface Native {
  open(family: 4 | 6, port: number, group?: string): number;
  join(fd: number, family: 4 | 6, group: string, ifindex: number): void;
  leave(fd: number, family: 4 | 6, group: string, ifindex: number): void;
  send(fd: number, family: 4 | 6, data: ArrayBuffer, addr: string, port: number, ifindex: number): number;
  recv(fd: number, family: 4 | 6): { data: ArrayBuffer; src: string; srcPort: number; dst: string; ifindex: number; ttl: number } | undefined;
  close(fd: number): void;
  interfaces(): NetInterface[];
  /** Monotonic milliseconds, when the module has them. */
  now?(): number;
}

/** The parts of QuickJS's `os` module used here. */
export interface QjsOs {
  setReadHandler(fd: number, fn: (() => void) | null): void;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface QjsPlatformOptions {
  /** Interface names to use; default every up interface but loopback. */
  interfaces?: string[];
  /** How often the interface list is read for onInterfaces (ms; default 2000). */
  pollMs?: number;
  log?: (level: LogLevel, msg: string, data?: object) => void;
}

/** Most packets read per readiness callback, so one busy socket cannot starve the others. */
const READ_BURST = 64;

export function createQjsPlatform(native: Native, os: QjsOs, opts: QjsPlatformOptions = {}): Platform & { close(): void } {
  const log = opts.log ?? (() => undefined);
  const watchers = new Set<(list: NetInterface[]) => void>();
  const sockets = new Set<QjsSocket>();
  let poll: unknown;
  let seen = '';

  const interfaces = (): NetInterface[] => {
    try {
      return native.interfaces().filter((i) => (opts.interfaces ? opts.interfaces.includes(i.name) : !i.addrs.every(isLoopback)));
    } catch (e) {
      log('error', 'reading the interface list', { error: String(e) });
      return [];
    }
  };

  const check = (): void => {
    const list = interfaces();
    const key = JSON.stringify(list);
    if (key !== seen) {
      seen = key;
      for (const fn of [...watchers]) fn(list);
    }
    poll = os.setTimeout(check, opts.pollMs ?? 2000);
  };

  return {
    now: native.now ? () => native.now!() : () => Date.now(),
    timer(ms, fn) {
      const h = os.setTimeout(() => {
        try {
          fn();
        } catch (e) {
          log('error', 'timer callback threw', { error: String(e) });
        }
      }, Math.max(0, ms));
      return () => os.clearTimeout(h);
    },
    random: Math.random,
    interfaces,
    onInterfaces(fn): Cancel {
      watchers.add(fn);
      if (watchers.size === 1) {
        seen = JSON.stringify(interfaces());
        poll = os.setTimeout(check, opts.pollMs ?? 2000);
      }
      return () => {
        watchers.delete(fn);
        if (watchers.size === 0) os.clearTimeout(poll);
      };
    },
    open(o: OpenOptions): Socket {
      const s = new QjsSocket(native, os, o, log, () => sockets.delete(s));
      sockets.add(s);
      return s;
    },
    log,
    close() {
      os.clearTimeout(poll);
      watchers.clear();
      for (const s of [...sockets]) s.close();
    },
  };
}

class QjsSocket implements Socket {
  private readonly fd: number;
  private readonly listeners: ((data: Uint8Array, meta: PacketMeta) => void)[] = [];
  private closed = false;

  constructor(
    private readonly native: Native, private readonly os: QjsOs, private readonly o: OpenOptions,
    private readonly log: (level: LogLevel, msg: string, data?: object) => void, private readonly gone: () => void,
  ) {
    this.fd = native.open(o.family, o.port, o.group);
    os.setReadHandler(this.fd, () => this.readable());
  }

  join(ifindex: number): void { this.membership('join', ifindex); }
  leave(ifindex: number): void { this.membership('leave', ifindex); }

  send(data: Uint8Array, to: SendTarget): void {
    if (this.closed) return;
    try {
      const copy = data.slice().buffer as ArrayBuffer;
      this.native.send(this.fd, this.o.family, copy, to.addr, to.port, to.ifindex ?? -1);
    } catch (e) {
      this.log('warn', 'send failed', { to: to.addr, ifindex: to.ifindex, error: String(e) });
    }
  }

  onMessage(fn: (data: Uint8Array, meta: PacketMeta) => void): void { this.listeners.push(fn); }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.os.setReadHandler(this.fd, null);
    try { this.native.close(this.fd); } catch (e) { this.log('warn', 'close failed', { error: String(e) }); }
    this.gone();
  }

  private membership(what: 'join' | 'leave', ifindex: number): void {
    if (this.closed || this.o.group === undefined) return;
    try {
      this.native[what](this.fd, this.o.family, this.o.group, ifindex);
    } catch (e) {
      this.log('warn', `${what} failed`, { group: this.o.group, ifindex, error: String(e) });
    }
  }

  private readable(): void {
    for (let n = 0; n < READ_BURST && !this.closed; n++) {
      let got;
      try {
        got = this.native.recv(this.fd, this.o.family);
      } catch (e) {
        this.log('warn', 'receive failed', { error: String(e) });
        return;
      }
      if (!got) return;
      const meta: PacketMeta = { src: got.src, srcPort: got.srcPort, ifindex: got.ifindex, dst: got.dst, ttl: got.ttl };
      const data = new Uint8Array(got.data);
      for (const fn of this.listeners) {
        try {
          fn(data, meta);
        } catch (e) {
          this.log('error', 'packet handler threw', { error: String(e) });
        }
      }
    }
  }
}

function isLoopback(a: { family: 4 | 6; addr: string }): boolean {
  return a.family === 4 ? a.addr.startsWith('127.') : a.addr === '::1';
}
