// The portable core: the codec, the responder, the querier and its cache,
// DNS-SD browse/resolve, and the unicast stub resolver.
export * from './wire/index.js';
export { createResponder, Responder } from './mdns/responder.js';
export { createQuerier, Querier } from './mdns/querier.js';
export { Endpoint } from './mdns/endpoint.js';
export type { EndpointOptions } from './mdns/endpoint.js';
export type { Ask, QuerierOptions, Watch, WatchListener, WatchOptions } from './mdns/querier.js';
export { Cache } from './mdns/cache.js';
export type { CacheEntry, CacheEvent } from './mdns/cache.js';
export { browse, browseTypes, lookup, resolve } from './dnssd/browse.js';
export type { AddressEvent, BrowseEvent, Resolved, Stop, TypeEvent } from './dnssd/browse.js';
export type { ResponderOptions, ServiceHandle } from './mdns/responder.js';
export type { ServiceSpec, Ttls } from './dnssd/records.js';
export type * from './platform.js';
export * from './resolver/index.js';
