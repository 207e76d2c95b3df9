// The portable core: the codec, the responder and the DNS-SD model.
export * from './wire/index.js';
export { createResponder, Responder } from './mdns/responder.js';
export type { ResponderOptions, ServiceHandle } from './mdns/responder.js';
export type { ServiceSpec, Ttls } from './dnssd/records.js';
export type * from './platform.js';
export * from './resolver/index.js';
