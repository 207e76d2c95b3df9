// The stub resolver's public surface.
export { Resolver, isLinkLocalName } from './resolver.js';
export { mdnsLookup } from './local.js';
export type { LocalLookup, ResolverCounters, ResolverOptions } from './resolver.js';
export type { Result, Status } from './answer.js';
export type { ClientOptions, Counters, Upstream } from './client.js';
export type { CacheOptions } from './cache.js';
