// TCP on the sim, as much as a DNS client needs: a connection is a reliable,
// ordered byte pipe between two hosts on one link, each direction's data
// arriving after the link's delay, in the order written. Segments are not
// modelled: they are neither captured nor lost.
import type { Cancel, Stream } from '../../src/platform.js';
import type { Clock } from './clock.js';

export type Accept = (s: Stream, peer: { addr: string; port: number }) => void;

/** One end of a connection. */
export class SimStream implements Stream {
  peer?: SimStream;
  private readonly data: ((chunk: Uint8Array) => void)[] = [];
  private readonly end: ((error?: string) => void)[] = [];
  private closed = false;
  /** When the last thing sent to the peer arrives; later sends arrive no earlier. */
  private last = 0;

  constructor(private readonly clock: Clock, private readonly delay: number) {}

  write(chunk: Uint8Array): void {
    if (this.closed) return;
    const copy = chunk.slice();
    this.toPeer((p) => p.deliver(copy));
  }

  onData(fn: (chunk: Uint8Array) => void): void { this.data.push(fn); }
  onEnd(fn: (error?: string) => void): void { this.end.push(fn); }

  /** Closes this end; the peer's onEnd follows after the delay. Nothing more is told to this end. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.toPeer((p) => p.finish());
  }

  /** Ends this end from outside (the connection could not be made). */
  fail(error: string): Cancel {
    return this.clock.at(this.clock.now + this.delay, () => this.finish(error));
  }

  private toPeer(fn: (p: SimStream) => void): void {
    this.last = Math.max(this.last, this.clock.now + this.delay);
    this.clock.at(this.last, () => { if (this.peer) fn(this.peer); });
  }

  private deliver(chunk: Uint8Array): void {
    if (!this.closed) for (const fn of this.data.slice()) fn(chunk.slice());
  }

  private finish(error?: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const fn of this.end.slice()) fn(error);
  }
}

/** A connected pair: the client's end now, the server's handed to `accept` once the SYN would arrive. */
export function connectPair(clock: Clock, delay: number, accept: Accept, from: { addr: string; port: number }): SimStream {
  const client = new SimStream(clock, delay);
  const server = new SimStream(clock, delay);
  client.peer = server;
  server.peer = client;
  clock.at(clock.now + delay, () => accept(server, from));
  return client;
}
