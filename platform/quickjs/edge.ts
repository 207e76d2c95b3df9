// What crosses the edge of the device program: the config file it reads, the
// `globalThis.hush` API it offers, and the native modules it calls. The
// bundler keeps every property name reachable from `Edge` whole and shortens
// the others (scripts/kept-names.mjs), so these types must be complete.
import type { LogLevel } from '../../src/platform.js';
import type { ProxyHandle, ProxySpec } from '../../src/mdns/proxy.js';
import type { BrowseEvent, Stop } from '../../src/dnssd/browse.js';
import type { Resolver } from '../../src/resolver/resolver.js';
import type { Result } from '../../src/resolver/answer.js';
import type { ServiceSpec } from '../../src/dnssd/records.js';
import type { Native, QjsOs } from './platform.js';

/** The config file, as platform/node/schema.ts DeviceConfig describes it (checked by rules.gen.ts first). */
export interface Config {
  hostName: string; interfaces?: string[]; families?: (4 | 6)[]; ttl?: { host?: number; other?: number }; budget?: number;
  tsr?: { code?: number; layout?: 'apple' | 'draft' }; tsrSkew?: number; services?: ServiceSpec[];
  upstreams?: { addr: string; port?: number }[]; cacheSize?: number; logLevel?: LogLevel;
}

/** `globalThis.hush`, for the program that embeds QuickJS. */
export interface Api {
  /** Publishes a service; returns its full name. */
  publish(spec: ServiceSpec): string;
  /** Goodbye for a service by the full name it has now; false when there is none. */
  unpublish(fullName: string): boolean;
  proxy(spec: ProxySpec): ProxyHandle;
  resolve(name: string, types: number[], done: (results: Result[]) => void): void;
  /** Follows a service type; the result stops following. */
  browse(type: string, fn: (e: BrowseEvent) => void): Stop;
  counters(): { mdns: Record<string, number>; resolver: Resolver['counters']; cached: number };
  hostName(): string;
}

/** QuickJS's os module as the device program uses it (signals where the build has them). */
export type DeviceOs = QjsOs & { signal?(sig: number, fn: (() => void) | null): void; SIGTERM: number; SIGINT: number };

export interface Edge { config: Config; api: Api; native: Native; os: DeviceOs }
