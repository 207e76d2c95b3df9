// The platform contract (DESIGN.md §2): everything the portable core may ask
// of the world. Backends in platform/ implement it; nothing else in src/ may
// touch sockets, clocks or randomness.

export type Cancel = () => void;

export interface NetAddress {
  family: 4 | 6;
  addr: string;
  /** Prefix length of the on-link subnet, for the RFC 6762 §11 source check. */
  prefix: number;
}

export interface NetInterface {
  index: number;
  name: string;
  up: boolean;
  multicast: boolean;
  addrs: NetAddress[];
}

export interface PacketMeta {
  /** What the backend knows; anything it cannot tell stays undefined. */
  src: string;
  srcPort: number;
  ifindex?: number;
  dst?: string;
  ttl?: number;
}

export interface SendTarget {
  addr: string;
  port: number;
  ifindex?: number;
}

export interface Socket {
  join(ifindex: number): void;
  leave(ifindex: number): void;
  send(data: Uint8Array, to: SendTarget): void;
  onMessage(fn: (data: Uint8Array, meta: PacketMeta) => void): void;
  close(): void;
}

/**
 * A TCP connection (the resolver's fallback after a truncated UDP reply,
 * RFC 7766). Writes made before it connects are sent once it does.
 */
export interface Stream {
  write(data: Uint8Array): void;
  onData(fn: (chunk: Uint8Array) => void): void;
  /** Called once when the connection ends: with the reason when it failed. */
  onEnd(fn: (error?: string) => void): void;
  close(): void;
}

export interface OpenOptions {
  family: 4 | 6;
  port: number;
  group?: string;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Platform {
  /** Monotonic milliseconds. */
  now(): number;
  /** One-shot timer; the returned function cancels it. */
  timer(ms: number, fn: () => void): Cancel;
  /** Uniform in [0, 1); the simulator seeds it. */
  random(): number;
  interfaces(): NetInterface[];
  onInterfaces?(fn: (list: NetInterface[]) => void): Cancel;
  open(opts: OpenOptions): Socket;
  /** A TCP connection; a backend without TCP leaves it out and truncated replies stay truncated. */
  connect?(to: { addr: string; port: number }): Stream;
  log?(level: LogLevel, msg: string, data?: object): void;
}
