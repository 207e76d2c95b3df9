// Which backend hush runs on under Node: the raw-socket one (platform/raw
// over the native AF_PACKET shim), which knows each packet's interface,
// destination and TTL and sends on exactly one interface; or dgram, which
// needs no privilege. 'auto' takes raw when the addon is built and the
// process may open raw sockets (CAP_NET_RAW), else dgram with one warning.
import { loadDevice } from '../native/device.js';
import { createRawPlatform } from '../raw/platform.js';
import { createNodePlatform } from './platform.js';
import type { NodePlatform, NodePlatformOptions } from './platform.js';

export const BACKENDS = ['auto', 'raw', 'dgram'] as const;
export type Backend = (typeof BACKENDS)[number];

export interface BackendOptions extends NodePlatformOptions {
  /** Default 'auto'. */
  backend?: Backend;
  /** Raw backend: the kernel filter that lets only mDNS reach JavaScript (default true). */
  filter?: boolean;
}

export type ChosenPlatform = NodePlatform & { readonly backend: 'raw' | 'dgram' };

/** `load` finds the raw device (tests hand in their own). */
export function createPlatform(opts: BackendOptions = {}, load: typeof loadDevice = loadDevice): ChosenPlatform {
  const backend = opts.backend ?? 'auto';
  if (!BACKENDS.includes(backend)) throw new TypeError(`hush: backend must be one of ${BACKENDS.join(', ')}, got ${String(backend)}`);
  const base = createNodePlatform(opts);
  if (backend === 'dgram') return Object.assign(base, { backend: 'dgram' as const });
  const loaded = load();
  if ('why' in loaded) {
    if (backend === 'raw') throw new Error(`hush: the raw backend is not available: ${loaded.why}`);
    base.log('warn', `raw backend not available (${loaded.why}); using dgram, which cannot tell a packet's interface, destination or TTL exactly (--backend dgram says so and silences this)`);
    return Object.assign(base, { backend: 'dgram' as const });
  }
  const raw = createRawPlatform(loaded.device, base, { interfaces: opts.interfaces, filter: opts.filter, log: base.log });
  return Object.assign(raw, { onInterfaces: raw.onInterfaces!, log: base.log, backend: 'raw' as const });
}
