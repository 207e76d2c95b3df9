// The simulated network: links, hosts and one virtual clock, all seeded.
//
//   const sim = new Sim({ seed: 7 });
//   const lan = sim.link('lan', { loss: 0.1 });
//   const a = sim.host('a', [{ name: 'eth0', link: lan, v4: '192.168.1.10/24', v6: 'fe80::10/64' }]);
//   start(a.platform); sim.run(10_000); console.log(sim.dump());
//
// Delivery rules (the ones a real stack would leave to configuration):
// - A send without `ifindex` (or '%zone') leaves on one interface: for
//   unicast the first up interface whose subnet holds the destination, else
//   the first up interface with an address of the family (multicast-capable
//   for multicast) - the "default interface" of a real socket.
// - Multicast reaches every socket, on every host whose interface is on that
//   link, that was opened with that group and port and joined it on that
//   interface - the sender's own included (multicast loopback).
// - Unicast reaches every socket bound to the port on the host(s) holding
//   the destination address on the sending interface's link.
// - A receiving interface must be up and hold an address of the packet's family.
// - Nothing crosses links: there are no routers and no loopback interface.
import { type Captured, type Describe, dump, pushCapped } from './capture.js';
import { Clock } from './clock.js';
import { Host, type IfaceSpec } from './host.js';
import { Link, type LinkOptions } from './link.js';
import { stream } from './random.js';
import { summary } from './summary.js';

export interface SimOptions {
  /** Same seed, same run (default 1). */
  seed?: number;
  /** Packets the capture keeps; past it the older half is dropped; 0 turns capture off (default 100,000). */
  captureLimit?: number;
  /** Log entries each host keeps, likewise (default 1,000). */
  logLimit?: number;
  /** How `dump` describes a payload (default: the DNS message in one line; hex when it does not decode). */
  describe?: Describe;
}

export class Sim {
  readonly clock: Clock;
  /** Every packet put on any link, oldest first; clear it with `sim.capture.length = 0`. */
  readonly capture: Captured[] = [];
  readonly links = new Map<string, Link>();
  readonly hosts = new Map<string, Host>();
  private readonly seed: number;
  private readonly captureLimit: number;
  private readonly logLimit: number;
  private readonly describe: Describe;

  constructor(opts: SimOptions = {}) {
    this.seed = opts.seed ?? 1;
    this.captureLimit = opts.captureLimit ?? 100_000;
    this.logLimit = opts.logLimit ?? 1_000;
    this.describe = opts.describe ?? summary;
    this.clock = new Clock();
  }

  /** Virtual milliseconds since the start. */
  get now(): number { return this.clock.now; }

  /** Runs everything due in the next `ms` milliseconds and moves the clock by `ms`. */
  run(ms: number): void { this.clock.runUntil(this.clock.now + ms); }

  /** Runs everything due up to virtual time `t`. */
  runUntil(t: number): void { this.clock.runUntil(t); }

  /** Runs the next event; false when nothing is scheduled. */
  step(): boolean { return this.clock.step(); }

  link(name: string, opts: LinkOptions = {}): Link {
    if (this.links.has(name)) throw new Error(`sim: link '${name}' exists`);
    const link = new Link(name, opts, this.clock, stream(this.seed, 'link:' + name),
      (c) => pushCapped(this.capture, c, this.captureLimit));
    this.links.set(name, link);
    return link;
  }

  host(name: string, ifaces: IfaceSpec[]): Host {
    if (this.hosts.has(name)) throw new Error(`sim: host '${name}' exists`);
    const host = new Host(name, this.clock, stream(this.seed, 'host:' + name), this.logLimit, ifaces);
    this.hosts.set(name, host);
    return host;
  }

  /** The capture (or part of it) as text, one packet per line, for failure messages. */
  dump(capture: readonly Captured[] = this.capture): string {
    return dump(capture, this.describe);
  }
}
