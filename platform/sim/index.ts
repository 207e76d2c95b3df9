// The simulated network platform (DESIGN.md §1): many hosts, virtual time, seeded impairments.
export { Sim, type SimOptions } from './sim.js';
export { Link, type LinkOptions } from './link.js';
export { Host, type IfaceSpec, type LogEntry, type SimPlatform, type SimSendTarget, type SimSocket } from './host.js';
export { type Captured, type Describe, dump, hex } from './capture.js';
export { Clock } from './clock.js';
export type { Accept } from './tcp.js';
export { stream } from './random.js';
export { summary } from './summary.js';
