// The platform contract inside QuickJS: sockets and interfaces from the
// native module hush_udp (platform/quickjs/hush_udp.c), readiness and timers
// from QuickJS's own `os` module, randomness from Math.random. Native errors
// are logged, never thrown into the engine: a socket or interface that went
// away leaves the others working.
import type {
  Cancel, LogLevel, NetInterface, OpenOptions, PacketMeta, Platform, Socket,
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

/** Runs `call`; what it throws is logged (at `level`, with `data`) and undefined returned. */
type Attempt = <T>(what: string, call: () => T, data?: object, level?: LogLevel) => T | undefined;

export function createQjsPlatform(native: Native, os: QjsOs, opts: QjsPlatformOptions = {}): Platform & { close(): void } {
  const log = opts.log ?? (() => undefined);
  const watchers = new Set<(list: NetInterface[]) => void>();
  const sockets = new Set<Socket>();
  let poll: unknown;
  let seen = '';

  const attempt: Attempt = (what, call, data = {}, level = 'warn') => {
    try {
      return call();
    } catch (e) {
      log(level, what, { ...data, error: String(e) });
      return undefined;
    }
  };

  /** Those named in the options, else every interface with an address beyond loopback. */
  const chosen = (i: NetInterface): boolean => (opts.interfaces ? opts.interfaces.includes(i.name) : !i.addrs.every(isLoopback));
  const interfaces = (): NetInterface[] => attempt('reading the interface list', () => native.interfaces().filter(chosen), {}, 'error') ?? [];

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
    now: native.now ?? Date.now,
    timer(ms, fn) {
      const h = os.setTimeout(() => attempt('timer callback threw', fn, {}, 'error'), Math.max(0, ms));
      return () => os.clearTimeout(h);
    },
    random: Math.random,
    interfaces,
    onInterfaces(fn): Cancel {
      // The first watcher starts the polling, from the list as it is now (told to no one yet).
      if (watchers.size === 0) check();
      watchers.add(fn);
      return () => {
        watchers.delete(fn);
        if (watchers.size === 0) os.clearTimeout(poll);
      };
    },
    open(o: OpenOptions): Socket {
      const s = openSocket(native, os, o, attempt, () => sockets.delete(s));
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

/** A socket over one native descriptor; its native errors are logged, never thrown, so the engine keeps its other sockets. */
function openSocket(native: Native, os: QjsOs, o: OpenOptions, attempt: Attempt, gone: () => void): Socket {
  const fd = native.open(o.family, o.port, o.group);
  const listeners: ((data: Uint8Array, meta: PacketMeta) => void)[] = [];
  let closed = false;

  const membership = (what: 'join' | 'leave', ifindex: number): void => {
    const group = o.group;
    if (!closed && group !== undefined) attempt(`${what} failed`, () => native[what](fd, o.family, group, ifindex), { group, ifindex });
  };

  os.setReadHandler(fd, () => {
    for (let n = 0; n < READ_BURST && !closed; n++) {
      const got = attempt('receive failed', () => native.recv(fd, o.family));
      if (!got) return;
      const { data, ...meta } = got;
      const bytes = new Uint8Array(data);
      for (const fn of listeners) attempt('packet handler threw', () => fn(bytes, meta), {}, 'error');
    }
  });

  return {
    join: (ifindex) => membership('join', ifindex),
    leave: (ifindex) => membership('leave', ifindex),
    send(data, to) {
      if (!closed) {
        attempt('send failed', () => native.send(fd, o.family, data.slice().buffer as ArrayBuffer, to.addr, to.port, to.ifindex ?? -1),
          { to: to.addr, ifindex: to.ifindex });
      }
    },
    onMessage: (fn) => void listeners.push(fn),
    close() {
      if (closed) return;
      closed = true;
      os.setReadHandler(fd, null);
      attempt('close failed', () => native.close(fd));
      gone();
    },
  };
}

function isLoopback(a: { family: 4 | 6; addr: string }): boolean {
  return a.family === 4 ? a.addr.startsWith('127.') : a.addr === '::1';
}
