// The machine resources the raw sockets share: one raw port per interface,
// kept open while any socket has joined on it (the IPv4 and the IPv6 socket
// both hear everything it receives), and one guard per family and port, with
// each group membership on it held once however many sockets asked for it.
import { parseIp } from '../../src/net.js';
import type { Guard, RawDevice, RawPort } from './device.js';
import { multicastMac } from './ethernet.js';
import { codeOf, type Tally, why } from './tally.js';

/** RFC 6762 §3 and §20: the groups whose MACs every port receives. */
const MDNS_MACS = ['224.0.0.251', 'ff02::fb'].map((g) => multicastMac(parseIp(g)!));

interface PortEntry { port: RawPort; users: number }
interface GuardEntry { guard: Guard; users: number; members: Map<string, number> }

export class Ports {
  private readonly ports = new Map<number, PortEntry>();
  private readonly guards = new Map<string, GuardEntry>();

  constructor(
    private readonly device: RawDevice,
    private readonly filter: boolean,
    private readonly tally: Tally,
    private readonly onFrame: (ifindex: number, frame: Uint8Array, outgoing: boolean, checksumTrusted: boolean) => void,
  ) {}

  /** The open port of an interface. */
  port(ifindex: number): RawPort | undefined { return this.ports.get(ifindex)?.port; }

  /** The interfaces with an open port. */
  get indexes(): number[] { return [...this.ports.keys()]; }

  /** One more user of the interface's port, opening it for the first; false (counted, logged once) when it cannot be opened. */
  attach(ifindex: number): boolean {
    const e = this.ports.get(ifindex);
    if (e) {
      e.users++;
      return true;
    }
    try {
      const port = this.device.openPort(ifindex, { memberships: MDNS_MACS, filter: this.filter },
        (frame, outgoing, checksumTrusted) => this.onFrame(ifindex, frame, outgoing, checksumTrusted));
      this.ports.set(ifindex, { port, users: 1 });
      return true;
    } catch (e) {
      this.tally.problem(`openPort.${codeOf(e)}`, 'warn', 'cannot open a raw port', { ifindex, ...why(e) });
      return false;
    }
  }

  /** One user fewer; the last closes the port. */
  detach(ifindex: number): void {
    const e = this.ports.get(ifindex);
    if (!e || --e.users > 0) return;
    this.closePort(ifindex);
  }

  /** Closes an interface's port whoever uses it (the interface went away). */
  closePort(ifindex: number): void {
    const e = this.ports.get(ifindex);
    if (!e) return;
    this.ports.delete(ifindex);
    try {
      e.port.close();
    } catch (err) {
      this.tally.problem(`closePort.${codeOf(err)}`, 'debug', 'closing a raw port', { ifindex, ...why(err) });
    }
  }

  /** One more user of the family's guard on `port`, opening it for the first; undefined (counted, logged once) when it cannot be opened. */
  guardUp(family: 4 | 6, port: number): Guard | undefined {
    const k = `${family}/${port}`;
    const e = this.guards.get(k);
    if (e) {
      e.users++;
      return e.guard;
    }
    try {
      const guard = this.device.openGuard(family, port);
      this.guards.set(k, { guard, users: 1, members: new Map() });
      return guard;
    } catch (err) {
      this.tally.problem(`openGuard.${codeOf(err)}`, 'warn', `cannot open the IPv${family} guard socket`, { port, ...why(err) });
      return undefined;
    }
  }

  /** One user fewer; the last closes the guard. */
  guardDown(family: 4 | 6, port: number): void {
    const k = `${family}/${port}`;
    const e = this.guards.get(k);
    if (!e || --e.users > 0) return;
    this.closeGuard(k);
  }

  /** The guard's membership of `group` on the interface, made on the first ask. */
  join(family: 4 | 6, port: number, group: string, ifindex: number): void {
    const e = this.guards.get(`${family}/${port}`);
    if (!e) return;
    const k = `${group}%${ifindex}`;
    const n = e.members.get(k) ?? 0;
    if (n === 0) {
      try {
        e.guard.join(group, ifindex);
      } catch (err) {
        this.tally.problem(`guardJoin.${codeOf(err)}`, 'warn', `cannot join ${group}`, { ifindex, ...why(err) });
        return;
      }
    }
    e.members.set(k, n + 1);
  }

  /** Undoes one join; the last drops the membership, unless the interface is gone (`gone`: the kernel dropped it already). */
  leave(family: 4 | 6, port: number, group: string, ifindex: number, gone = false): void {
    const e = this.guards.get(`${family}/${port}`);
    const k = `${group}%${ifindex}`;
    const n = e?.members.get(k);
    if (!e || n === undefined) return;
    if (n > 1) {
      e.members.set(k, n - 1);
      return;
    }
    e.members.delete(k);
    if (gone) return;
    try {
      e.guard.leave(group, ifindex);
    } catch (err) {
      this.tally.problem(`guardLeave.${codeOf(err)}`, 'debug', `cannot leave ${group}`, { ifindex, ...why(err) });
    }
  }

  /** Whether the guard of a family and port holds a membership of `group` on the interface. */
  member(family: 4 | 6, port: number, group: string, ifindex: number): boolean {
    return this.guards.get(`${family}/${port}`)?.members.has(`${group}%${ifindex}`) ?? false;
  }

  /** The guard of a family and port, if open. */
  guard(family: 4 | 6, port: number): Guard | undefined { return this.guards.get(`${family}/${port}`)?.guard; }

  /** Closes every port and guard. */
  closeAll(): void {
    for (const ifindex of [...this.ports.keys()]) this.closePort(ifindex);
    for (const k of [...this.guards.keys()]) this.closeGuard(k);
  }

  private closeGuard(k: string): void {
    const e = this.guards.get(k);
    if (!e) return;
    this.guards.delete(k);
    try {
      e.guard.close();
    } catch (err) {
      this.tally.problem(`closeGuard.${codeOf(err)}`, 'debug', 'closing a guard socket', why(err));
    }
  }
}
