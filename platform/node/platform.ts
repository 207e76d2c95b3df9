// The platform contract on Node.js: the monotonic clock, timers, Math.random,
// the OS interface list (polled for changes), dgram sockets and TCP streams.
import { networkInterfaces } from 'node:os';
import type { Cancel, LogLevel, NetInterface, Platform } from '../../src/platform.js';
import { copyInterfaces, sameInterfaces, tellInterfaces } from '../interfaces.js';
import { readInterfaces, sysfs } from './interfaces.js';
import { NodeSocket } from './socket.js';
import { NodeStream } from './stream.js';
import type { SocketHost } from './socket.js';

export type Log = (level: LogLevel, msg: string, data?: object) => void;

export interface NodePlatformOptions {
  /** Only these interfaces (by name); default every up, non-loopback interface with an address. */
  interfaces?: string[];
  /** How often the interface list is read for onInterfaces, in ms (default 2000). */
  pollMs?: number;
  /** Default: warnings and errors to stderr. */
  log?: Log;
}

export type NodePlatform = Platform & {
  onInterfaces(fn: (list: NetInterface[]) => void): Cancel;
  log: Log;
  /** Stops polling and closes every socket still open; resolves once queued packets have gone out. */
  close(): Promise<void>;
};

/** setTimeout's longest delay (2^31 - 1 ms); longer timers are chained. */
const MAX_DELAY = 0x7fffffff;

const stderrLog: Log = (level, msg, data) => {
  if (level === 'warn' || level === 'error') process.stderr.write(`hush ${level}: ${msg}${data ? ` ${JSON.stringify(data)}` : ''}\n`);
};

export function createNodePlatform(opts: NodePlatformOptions = {}): NodePlatform {
  const pollMs = opts.pollMs ?? 2000;
  const log = opts.log ?? stderrLog;
  let list: NetInterface[] = [];
  let readAt = -Infinity;
  let seen: NetInterface[] = [];
  let poll: ReturnType<typeof setInterval> | undefined;
  const watchers = new Set<(list: NetInterface[]) => void>();
  const sockets = new Set<NodeSocket>();
  /** Sockets closing or closed, so close() can wait for their last packets. */
  const all = new Set<NodeSocket>();
  const streams = new Set<NodeStream>();

  const refresh = (): NetInterface[] => {
    try {
      list = readInterfaces(networkInterfaces(), sysfs, opts.interfaces);
    } catch (e) {
      log('error', 'reading the interface list', { error: String(e) });
    }
    readAt = performance.now();
    return list;
  };
  const recent = (): NetInterface[] => (performance.now() - readAt < pollMs ? list : refresh());

  const check = (): void => {
    const now = refresh();
    if (sameInterfaces(seen, now)) return;
    seen = now;
    tellInterfaces(watchers, now, (e) => log('error', 'interface watcher threw', { error: String(e) }));
  };
  const stopPolling = (): void => {
    clearInterval(poll);
    poll = undefined;
  };

  const host: SocketHost = {
    list: recent,
    iface: (ifindex) => recent().find((i) => i.index === ifindex) ?? refresh().find((i) => i.index === ifindex),
    log,
    forget: (s) => { sockets.delete(s as NodeSocket); },
  };

  return {
    now: () => performance.now(),
    timer(ms, fn) {
      let t: ReturnType<typeof setTimeout>;
      const arm = (left: number): void => {
        t = setTimeout(left > MAX_DELAY ? () => arm(left - MAX_DELAY) : () => {
          try {
            fn();
          } catch (e) {
            log('error', 'timer callback threw', { error: String(e) });
          }
        }, Math.min(Math.max(left, 0), MAX_DELAY));
      };
      arm(ms);
      return () => clearTimeout(t);
    },
    random: Math.random,
    interfaces: () => copyInterfaces(refresh()),
    onInterfaces(fn) {
      watchers.add(fn);
      if (!poll) {
        seen = refresh();
        poll = setInterval(check, pollMs);
        // Watching the interfaces never keeps the process alive on its own.
        poll.unref();
      }
      return () => {
        watchers.delete(fn);
        if (!watchers.size) stopPolling();
      };
    },
    open(o) {
      if (o.family !== 4 && o.family !== 6) throw new Error(`hush: bad address family ${String(o.family)}`);
      if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new Error(`hush: bad port ${o.port}`);
      const s = new NodeSocket(o, host);
      sockets.add(s);
      all.add(s);
      return s;
    },
    connect(to) {
      const s: NodeStream = new NodeStream(to, () => streams.delete(s));
      streams.add(s);
      return s;
    },
    log,
    close() {
      for (const s of [...streams]) s.close();
      streams.clear();
      stopPolling();
      watchers.clear();
      for (const s of [...sockets]) s.close();
      const done = Promise.all([...all].map((s) => s.done)).then(() => undefined);
      all.clear();
      return done;
    },
  };
}
