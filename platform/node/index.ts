// hush on Node: the responder over dgram, with every option and service
// checked against the schemas before it reaches the engine, and a querier
// that shares its sockets.
import type { Platform } from '../../src/platform.js';
import { createResponder as create } from '../../src/mdns/responder.js';
import type { Responder, ServiceHandle } from '../../src/mdns/responder.js';
import { createQuerier } from '../../src/mdns/querier.js';
import type { Querier } from '../../src/mdns/querier.js';
import { check, Proxy, ResponderOptions, Service } from '../schema.js';
import type { ProxyInput, ResponderInput, ServiceInput } from '../schema.js';
import type { ProxyHandle } from '../../src/mdns/proxy.js';
import { createNodePlatform } from './platform.js';

export { ConfigError } from '../schema.js';
export type { ServiceHandle } from '../../src/mdns/responder.js';
export type { ProxyHandle } from '../../src/mdns/proxy.js';

export interface NodeResponder {
  readonly hostName: string;
  readonly counters: Readonly<Record<string, number>>;
  /** Throws ConfigError naming the field when the service is not valid. */
  publish(service: ServiceInput): ServiceHandle;
  /**
   * Registers a client on its behalf (an advertising proxy), with TSR
   * conflict resolution when `tsr` is given (draft-tllq-tsr-05). Throws
   * ConfigError naming the field when the registration is not valid.
   */
  proxy(client: ProxyInput): ProxyHandle;
  /**
   * The querier on this responder's sockets and links (made on first use):
   * browse and resolve from the same process without a second port-5353
   * socket, which on Linux would take unicast replies from the first. It
   * closes with the responder.
   */
  querier(options?: { cacheSize?: number }): Querier;
  /** Goodbyes for everything, then the sockets close. */
  close(): Promise<void>;
}

/**
 * Starts a responder on this host's interfaces (or `platform`, for tests).
 * Throws ConfigError naming the field when an option is not valid.
 */
export function createResponder(options: ResponderInput, platform?: Platform & { close?(): void | Promise<void> }): NodeResponder {
  const opts = check(ResponderOptions, options, 'responder options');
  const p = platform ?? createNodePlatform({ interfaces: opts.interfaces });
  const r: Responder = create(p, opts);
  let q: Querier | undefined;
  return {
    get hostName() { return r.hostName; },
    get counters() { return r.counters; },
    publish(service) {
      return r.publish(check(Service, service, 'service'));
    },
    proxy(client) {
      return r.proxy(check(Proxy, client, 'proxy registration'));
    },
    querier(options = {}) {
      q ??= createQuerier(p, { endpoint: r.endpoint, cacheSize: options.cacheSize });
      return q;
    },
    async close() {
      await q?.close();
      await r.close();
      await p.close?.();
    },
  };
}
