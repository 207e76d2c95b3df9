#!/usr/bin/env node
// The hush command line: publish services on the LAN, serve a config file,
// decode packets. Browse, resolve and query arrive with the querier.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { DecodeError, decode } from '../../src/wire/index.js';
import type { ServiceHandle } from '../../src/mdns/responder.js';
import { check, Config, ConfigError } from '../schema.js';
import type { ServiceInput } from '../schema.js';
import { createResponder } from './index.js';

const USAGE = `usage:
  hush publish NAME TYPE PORT [KEY=VALUE|KEY ...] [--subtype _SUB]... [--host LABEL] [--interface IF]...
      publish a service until Ctrl-C (like dns-sd -R / avahi-publish -s), e.g.
      hush publish "My Web" _http._tcp 8080 path=/ --subtype _printer
  hush run --config FILE
      serve every service of a JSON config: {"hostName": "...", "services": [{"name", "type", "port", "txt"}]}
  hush decode [--tsr-layout apple|draft] [--tsr-code N] HEX|-
      print a DNS/mDNS message (hex, or raw bytes on stdin with '-') as JSON`;

class UsageError extends Error {}

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

function serve(hostName: string, interfaces: string[] | undefined, services: ServiceInput[]): void {
  const r = createResponder({ hostName, ...(interfaces ? { interfaces } : {}) });
  for (const s of services) follow(r.publish(s));
  say(`host ${r.hostName}; Ctrl-C sends goodbyes and stops`);
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
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string => {
      if (i + 1 >= args.length) throw new UsageError(`${a} needs a value`);
      return args[++i];
    };
    if (a === '--subtype') subtypes.push(value());
    else if (a === '--host') host = value();
    else if (a === '--interface') interfaces.push(value());
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
  serve(host, interfaces.length ? interfaces : undefined, [{ name, type, port: Number(port), txt, ...(subtypes.length ? { subtypes } : {}) }]);
}

function run(args: string[]): void {
  if (args[0] !== '--config' || args.length !== 2) throw new UsageError('run needs --config FILE');
  const file = args[1];
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError('', `cannot read JSON: ${(e as Error).message}`, file);
  }
  const cfg = check(Config, raw, file);
  serve(cfg.hostName, cfg.interfaces, cfg.services);
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

const commands: Record<string, (args: string[]) => void> = { publish, run, decode: decodeCmd };

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
