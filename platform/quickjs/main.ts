// The device program: `qjs hush.mjs config.json`. It checks the config
// (rules generated from the TypeBox schemas), runs the responder and the
// querier on one endpoint over the hush_udp native module, publishes the
// configured services, and gives the embedding program `globalThis.hush`:
// publish, unpublish, proxy (TSR advertising proxy), resolve, browse,
// counters. Logs go to stderr, from `logLevel` up.
import * as std from 'std';
import * as qjsOs from 'os';
import * as udp from './hush_udp.so';
import type { LogLevel } from '../../src/platform.js';
import { createResponder } from '../../src/mdns/responder.js';
import type { ServiceHandle } from '../../src/mdns/responder.js';
import { createQuerier } from '../../src/mdns/querier.js';
import { browse as browseType } from '../../src/dnssd/browse.js';
import { Resolver } from '../../src/resolver/resolver.js';
import { mdnsLookup } from '../../src/resolver/local.js';
import type { ServiceSpec } from '../../src/dnssd/records.js';
import { createQjsPlatform } from './platform.js';
import type { Api, Config, DeviceOs } from './edge.js';
import { check } from './checks.js';
import { DEVICE_CONFIG, SERVICE } from './rules.gen.js';

const LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error'];

function fail(msg: string): never {
  std.err.puts(`hush: ${msg}\n`);
  std.exit(2);
}

const file = scriptArgs[1];
if (!file) fail('usage: qjs hush.mjs CONFIG.json');
const text = std.loadFile(file);
if (text === null) fail(`config ${file}: cannot be read`);
let config: Record<string, unknown>;
try {
  config = JSON.parse(text) as Record<string, unknown>;
} catch (e) {
  fail(`config ${file}: not JSON (${e})`);
}
const problem = check(DEVICE_CONFIG, config);
if (problem) fail(`config ${file} ${problem}`);
const c = config as unknown as Config;

const min = LEVELS.indexOf(c.logLevel ?? 'info');
const log = (level: LogLevel, msg: string, data?: object): void => {
  if (LEVELS.indexOf(level) >= min) std.err.puts(`hush ${level}: ${msg}${data ? ' ' + JSON.stringify(data) : ''}\n`);
};

const os = qjsOs as unknown as DeviceOs;
// The platform and the responder read their own options from the config and leave the rest.
const platform = createQjsPlatform(udp, os, { ...c, log });
const responder = createResponder(platform, c);
const querier = createQuerier(platform, { endpoint: responder.endpoint, cacheSize: c.cacheSize });
const published = new Set<ServiceHandle>();

function publish(spec: ServiceSpec): string {
  const bad = check(SERVICE, spec);
  if (bad) throw new TypeError(`hush.publish: service ${bad}`);
  const h = responder.publish(spec);
  h.on('established', () => log('info', 'established', { name: h.fullName }))
    .on('renamed', (d) => log('info', 'renamed', d as object));
  published.add(h);
  return h.fullName;
}

// What the schema cannot see (an upstream that is no IP address, a name too long in UTF-8 bytes) stops startup the same way.
let resolver: Resolver;
try {
  resolver = new Resolver(platform, { servers: c.upstreams ?? [], local: mdnsLookup(querier) });
  for (const s of c.services ?? []) publish(s);
} catch (e) {
  fail(`config ${file}: ${e instanceof Error ? e.message : String(e)}`);
}

// RFC 6762 §10.1: on SIGTERM or SIGINT, goodbyes for everything, then exit.
const stop = (): void => {
  void querier.close();
  void responder.close().then(() => std.exit(0));
};
for (const sig of [os.SIGTERM, os.SIGINT]) os.signal?.(sig, stop);

const api: Api = {
  publish,
  unpublish(fullName) {
    // By the name in use now: a service renamed after a conflict is found under its new name.
    const h = [...published].find((x) => x.fullName === fullName);
    if (!h) return false;
    published.delete(h);
    void h.unpublish();
    return true;
  },
  proxy: (spec) => responder.proxy(spec),
  resolve: (name, types, done) => resolver.lookup(name, types, done),
  browse: (type, fn) => browseType(querier, type, fn),
  counters: () => ({ mdns: { ...responder.counters }, resolver: { ...resolver.counters }, cached: querier.cache.size }),
  hostName: () => responder.hostName,
};
(globalThis as Record<string, unknown>).hush = api;
log('info', 'started', { hostName: responder.hostName, services: published.size });
