#!/usr/bin/env node
// The hush command line: publish services on the LAN, serve a config file,
// browse and resolve with mDNS, query unicast DNS, decode packets.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { DecodeError, decode, T } from '../../src/wire/index.js';
import type { Rec } from '../../src/wire/index.js';
import { Resolver } from '../../src/resolver/index.js';
import { createQuerier } from '../../src/mdns/querier.js';
import { browse, browseTypes, lookup, resolve } from '../../src/dnssd/browse.js';
import type { Stop } from '../../src/dnssd/browse.js';
import type { TxtValue } from '../../src/wire/txt.js';
import { createNodePlatform } from './platform.js';
import { BACKENDS, createPlatform } from './backend.js';
import type { Backend } from './backend.js';
import type { ServiceHandle } from '../../src/mdns/responder.js';
import { check, Config, ConfigError } from '../schema.js';
import type { ServiceInput } from '../schema.js';
import { createResponder } from './index.js';

const USAGE = `usage:
  hush publish NAME TYPE PORT [KEY=VALUE|KEY ...] [--subtype _SUB]... [--host LABEL] [--interface IF]... [--backend B]
      publish a service until Ctrl-C (like dns-sd -R / avahi-publish -s), e.g.
      hush publish "My Web" _http._tcp 8080 path=/ --subtype _printer
  hush run --config FILE [--backend B]
      serve every service of a JSON config: {"hostName": "...", "services": [{"name", "type", "port", "txt"}]}
  hush browse TYPE|--all [--json] [--backend B]
      watch a service type (or every type) on the link until Ctrl-C, like dns-sd -B / avahi-browse
  hush resolve NAME [--json] [--wait MS] [--backend B]
      'My Web._http._tcp.local': host, port, TXT and addresses; 'printer.local': its A and AAAA
  hush query NAME [TYPE ...] --server ADDR[#PORT] [--json]
      one-shot unicast DNS lookup (like dig); several types go in one MQTYPE query when the server supports it
  hush decode [--tsr-layout apple|draft] [--tsr-code N] HEX|-
      print a DNS/mDNS message (hex, or raw bytes on stdin with '-') as JSON
  --backend auto|raw|dgram
      raw: AF_PACKET through the native addon (needs CAP_NET_RAW): each packet's exact interface,
      destination and TTL; dgram: plain UDP sockets; auto (default): raw when it can, else dgram`;

class UsageError extends Error {}

function backendOf(v: string | undefined): Backend {
  const b = BACKENDS.find((x) => x === v);
  if (!b) throw new UsageError(`--backend must be ${BACKENDS.join(', ')}, got ${v ?? 'nothing'}`);
  return b;
}

function json(x: unknown): string {
  return JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? { hex: Buffer.from(v).toString('hex') } : v), 2);
}

/** The first label of this machine's name, made a valid host label. */
function defaultHost(): string {
  const label = hostname().split('.')[0].replace(/[^A-Za-z0-9-]/g, '-').replace(/^-+|-+$/g, '');
  return label.slice(0, 63) || 'hush';
}

function say(line: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`);
}

function follow(h: ServiceHandle): void {
  h.on('probing', () => say(`probing     ${h.fullName}`))
    .on('established', () => say(`established ${h.fullName}`))
    .on('conflict', () => say(`conflict    ${h.fullName}`))
    .on('renamed', (d) => { const r = d as { from: string; to: string }; say(`renamed     "${r.from}" -> "${r.to}"`); });
}

function serve(hostName: string, interfaces: string[] | undefined, services: ServiceInput[], backend: Backend): void {
  const p = createPlatform({ interfaces, backend });
  const r = createResponder({ hostName, ...(interfaces ? { interfaces } : {}) }, p);
  for (const s of services) follow(r.publish(s));
  say(`host ${r.hostName} on the ${p.backend} backend; Ctrl-C sends goodbyes and stops`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void r.close().then(() => { say('goodbye sent'); process.exit(0); });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function publish(args: string[]): void {
  const positional: string[] = [];
  const subtypes: string[] = [];
  const interfaces: string[] = [];
  let host = defaultHost();
  let backend: Backend = 'auto';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string => {
      if (i + 1 >= args.length) throw new UsageError(`${a} needs a value`);
      return args[++i];
    };
    if (a === '--subtype') subtypes.push(value());
    else if (a === '--host') host = value();
    else if (a === '--interface') interfaces.push(value());
    else if (a === '--backend') backend = backendOf(value());
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else positional.push(a);
  }
  const [name, type, port, ...pairs] = positional;
  if (port === undefined) throw new UsageError('publish needs NAME TYPE PORT');
  if (!/^\d+$/.test(port)) throw new UsageError(`PORT must be a number, got ${port}`);
  const txt: Record<string, string | true> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq < 0) txt[p] = true;
    else txt[p.slice(0, eq)] = p.slice(eq + 1);
  }
  serve(host, interfaces.length ? interfaces : undefined, [{ name, type, port: Number(port), txt, ...(subtypes.length ? { subtypes } : {}) }], backend);
}

function run(args: string[]): void {
  const plain = args.length === 2, withBackend = args.length === 4 && args[2] === '--backend';
  if (args[0] !== '--config' || !(plain || withBackend)) throw new UsageError('run needs --config FILE [--backend B]');
  const backend = withBackend ? backendOf(args[3]) : 'auto';
  const file = args[1];
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError('', `cannot read JSON: ${(e as Error).message}`, file);
  }
  const cfg = check(Config, raw, file);
  serve(cfg.hostName, cfg.interfaces, cfg.services, backend);
}

function decodeCmd(args: string[]): void {
  let tsrLayout: 'apple' | 'draft' = 'apple';
  let tsrCode: number | undefined;
  let input: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--tsr-layout') {
      const v = args[++i];
      if (v !== 'apple' && v !== 'draft') throw new UsageError('--tsr-layout must be apple or draft');
      tsrLayout = v;
    } else if (a === '--tsr-code') {
      tsrCode = Number(args[++i]);
      if (!Number.isInteger(tsrCode) || tsrCode < 0 || tsrCode > 65535) throw new UsageError('--tsr-code must be 0..65535');
    } else if (input === undefined) input = a;
    else throw new UsageError(`unexpected argument ${a}`);
  }
  if (input === undefined) throw new UsageError('decode needs a packet');
  let bytes: Uint8Array;
  if (input === '-') bytes = new Uint8Array(readFileSync(0));
  else {
    const hex = input.replace(/[\s:]/g, '');
    if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new UsageError('the packet must be hex digits, two per byte');
    bytes = new Uint8Array(Buffer.from(hex, 'hex'));
  }
  try {
    process.stdout.write(json(decode(bytes, { tsrLayout, tsrCode })) + '\n');
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    process.stderr.write(`hush: malformed packet: ${e.reason} at offset ${e.offset}\n`);
    process.exitCode = 1;
  }
}

const TYPES: Record<string, number> = { ...T };
const typeName = (n: number): string => Object.keys(T).find((k) => TYPES[k] === n) ?? `TYPE${n}`;

function recordLine(r: Rec): string {
  const data = typeof r.data === 'string' ? r.data : json(r.data).replace(/\s+/g, ' ');
  return `${r.name}\t${r.ttl}\tIN\t${typeName(r.type)}\t${data}`;
}

function query(args: string[]): void {
  const positional: string[] = [];
  let server: string | undefined;
  let asJson = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--server') {
      if (i + 1 >= args.length) throw new UsageError('--server needs an address');
      server = args[++i];
    } else if (a === '--json') asJson = true;
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else positional.push(a);
  }
  const [name, ...typeArgs] = positional;
  if (!name) throw new UsageError('query needs a NAME');
  if (!server) throw new UsageError('query needs --server ADDR (.local names come with the mDNS querier)');
  const types = (typeArgs.length ? typeArgs : ['A']).map((t) => {
    const n = /^\d+$/.test(t) ? Number(t) : TYPES[t.toUpperCase()];
    if (n === undefined || n > 65535) throw new UsageError(`unknown TYPE ${t}`);
    return n;
  });
  const [addr, port] = server.split('#');
  if (port !== undefined && !/^\d+$/.test(port)) throw new UsageError(`--server port must be a number, got ${port}`);
  const p = createNodePlatform();
  const r = new Resolver(p, { servers: [{ addr, ...(port ? { port: Number(port) } : {}) }] });
  void r.resolve(name, types).then((results) => {
    if (asJson) process.stdout.write(json({ name, server, results }) + '\n');
    else for (const x of results) {
      process.stdout.write(`;; ${name} ${typeName(x.type)}: ${x.status}\n`);
      for (const rec of x.records) process.stdout.write(recordLine(rec) + '\n');
    }
    r.close();
    return p.close();
  }, (e: unknown) => {
    process.stderr.write(`hush: ${(e as Error).message}\n`);
    process.exitCode = 2;
    r.close();
    return p.close();
  });
}

/** Flags shared by browse and resolve: --json, --wait MS, --backend B; the rest are positional. */
function flags(args: string[]): { positional: string[]; asJson: boolean; wait: number; backend: Backend } {
  const positional: string[] = [];
  let asJson = false;
  let backend: Backend = 'auto';
  let wait = 3000;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--json') asJson = true;
    else if (a === '--wait') {
      const v = args[++i];
      if (v === undefined || !/^\d+$/.test(v)) throw new UsageError('--wait needs milliseconds');
      wait = Number(v);
    } else if (a === '--backend') backend = backendOf(args[++i]);
    else if (a === '--all') positional.push(a);
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else positional.push(a);
  }
  return { positional, asJson, wait, backend };
}

const txtText = (txt: Map<string, TxtValue>): string[] =>
  [...txt].map(([k, v]) => (v === true ? k : `${k}=${Buffer.from(v).toString('utf8')}`));

/** Runs mDNS work until Ctrl-C or `ms`, then stops it and closes the sockets. */
function session(ms: number | undefined, backend: Backend, start: (q: ReturnType<typeof createQuerier>) => Stop | Stop[]): void {
  const p = createPlatform({ backend });
  const q = createQuerier(p);
  const stops = [start(q)].flat();
  const end = (): void => {
    for (const s of stops) s.stop();
    void q.close().then(() => p.close()).then(() => process.exit(0));
  };
  process.on('SIGINT', end);
  process.on('SIGTERM', end);
  if (ms !== undefined) setTimeout(end, ms);
}

function browseCmd(args: string[]): void {
  const { positional, asJson, backend } = flags(args);
  const [type] = positional;
  if (!type) throw new UsageError('browse needs a TYPE such as _http._tcp, or --all');
  session(undefined, backend, (q) => type === '--all'
    ? browseTypes(q, (e) => say(asJson ? JSON.stringify(e) : `${e.kind.padEnd(6)} ${e.type}`))
    : browse(q, type, (e) => say(asJson ? JSON.stringify(e) : `${e.kind.padEnd(6)} "${e.instance}" ${e.type} on ${e.links.join(', ')}`)));
}

function resolveCmd(args: string[]): void {
  const { positional, asJson, wait, backend } = flags(args);
  const [name] = positional;
  if (!name) throw new UsageError('resolve needs a NAME');
  if (!/\.local\.?$/i.test(name)) throw new UsageError('resolve takes .local names; use hush query NAME --server ADDR for others');
  if (/\._(tcp|udp)\.local\.?$/i.test(name)) {
    session(wait, backend, (q) => resolve(q, name, (r) => {
      const out = { ...r, txt: txtText(r.txt) };
      say(asJson ? JSON.stringify(out) : `${r.kind} ${r.name}: ${r.host}:${r.port} addresses ${r.addresses.join(' ')} txt ${JSON.stringify(out.txt)}`);
    }));
  } else {
    session(wait, backend, (q) => lookup(q, name, (e) => say(asJson ? JSON.stringify(e) : `${e.kind} ${e.host} ${e.address}`)));
  }
}

const commands: Record<string, (args: string[]) => void> = { publish, run, browse: browseCmd, resolve: resolveCmd, query, decode: decodeCmd };

function main(argv: string[]): void {
  const [cmd, ...args] = argv;
  try {
    const fn = commands[cmd];
    if (!fn) throw new UsageError(cmd ? `unknown command ${cmd}` : 'no command');
    fn(args);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`hush: ${e.message}\n${USAGE}\n`);
      process.exit(2);
    }
    if (e instanceof ConfigError) {
      process.stderr.write(`hush: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
}

main(process.argv.slice(2));
