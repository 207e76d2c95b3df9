// The MAC addresses unicast replies go to: learned from the frames peers
// send us (the query a reply answers came in with its sender's MAC), per
// interface, at most `cap` of them; the least recently used goes first.
// A peer not in the table is reached through the kernel (ARP, ND) instead.
import type { Mac } from './ethernet.js';

export class Neighbours {
  /** By `${ifindex} ${ip}`; a Map keeps insertion order, so the first key is the least recently used. */
  private readonly table = new Map<string, Mac>();

  constructor(readonly cap = 256) {
    if (!Number.isInteger(cap) || cap < 1) throw new TypeError(`raw: neighbours cap ${cap} is not a positive integer`);
  }

  get size(): number { return this.table.size; }

  /** Remembers that `ip` on interface `ifindex` sends from `mac`; `ip` is in canonical form (formatIp). */
  learn(ifindex: number, ip: string, mac: Mac): void {
    const k = `${ifindex} ${ip}`;
    this.table.delete(k);
    this.table.set(k, mac);
    if (this.table.size > this.cap) this.table.delete(this.table.keys().next().value!);
  }

  /** The MAC `ip` last sent from on interface `ifindex`. */
  get(ifindex: number, ip: string): Mac | undefined {
    const k = `${ifindex} ${ip}`;
    const mac = this.table.get(k);
    if (mac) {
      this.table.delete(k);
      this.table.set(k, mac);
    }
    return mac;
  }

  /** Drops every entry of an interface that went away. */
  forget(ifindex: number): void {
    for (const k of [...this.table.keys()]) if (k.startsWith(`${ifindex} `)) this.table.delete(k);
  }
}
