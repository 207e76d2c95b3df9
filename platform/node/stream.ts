// The Stream of the platform contract over a Node TCP socket (node:net).
// Errors end the stream with their message; nothing is thrown to the caller.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { Stream } from '../../src/platform.js';

export class NodeStream implements Stream {
  private readonly sock: Socket;
  private ended = false;
  private readonly endFns: ((error?: string) => void)[] = [];

  /** `gone` is called once the socket is closed, whichever side closed it. */
  constructor(to: { addr: string; port: number }, gone: () => void) {
    this.sock = connect({ host: to.addr, port: to.port, noDelay: true });
    this.sock.on('error', (e) => this.finish(e.message));
    this.sock.on('close', () => {
      this.finish();
      gone();
    });
  }

  write(data: Uint8Array): void {
    if (!this.ended) this.sock.write(data);
  }

  onData(fn: (chunk: Uint8Array) => void): void {
    this.sock.on('data', (b: Buffer) => { if (!this.ended) fn(new Uint8Array(b.buffer, b.byteOffset, b.length)); });
  }

  onEnd(fn: (error?: string) => void): void { this.endFns.push(fn); }

  close(): void {
    this.ended = true;
    this.sock.destroy();
  }

  private finish(error?: string): void {
    if (this.ended) return;
    this.ended = true;
    for (const fn of this.endFns) fn(error);
  }
}
