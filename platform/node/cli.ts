#!/usr/bin/env node
// The hush command line. Today it decodes packets; publish, browse, resolve
// and query arrive with the responder and querier.
import { readFileSync } from 'node:fs';
import { DecodeError, decode } from '../../src/wire/index.js';

const USAGE = `usage: hush decode [--tsr-layout apple|draft] [--tsr-code N] HEX|-
  decode   print a DNS/mDNS message (hex on the command line, or raw bytes on stdin with '-') as JSON`;

function json(x: unknown): string {
  return JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? { hex: Buffer.from(v).toString('hex') } : v), 2);
}

function fail(msg: string): never {
  process.stderr.write(`hush: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

function main(argv: string[]): void {
  const [cmd, ...args] = argv;
  if (cmd !== 'decode') fail(cmd ? `unknown command ${cmd}` : 'no command');
  let tsrLayout: 'apple' | 'draft' = 'apple';
  let tsrCode: number | undefined;
  let input: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--tsr-layout') {
      const v = args[++i];
      if (v !== 'apple' && v !== 'draft') fail('--tsr-layout must be apple or draft');
      tsrLayout = v;
    } else if (a === '--tsr-code') {
      tsrCode = Number(args[++i]);
      if (!Number.isInteger(tsrCode) || tsrCode < 0 || tsrCode > 65535) fail('--tsr-code must be 0..65535');
    } else if (input === undefined) input = a;
    else fail(`unexpected argument ${a}`);
  }
  if (input === undefined) fail('decode needs a packet');
  let bytes: Uint8Array;
  if (input === '-') bytes = new Uint8Array(readFileSync(0));
  else {
    const hex = input.replace(/[\s:]/g, '');
    if (!/^([0-9a-fA-F]{2})*$/.test(hex)) fail('the packet must be hex digits, two per byte');
    bytes = new Uint8Array(Buffer.from(hex, 'hex'));
  }
  try {
    process.stdout.write(json(decode(bytes, { tsrLayout, tsrCode })) + '\n');
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    process.stderr.write(`hush: malformed packet: ${e.reason} at offset ${e.offset}\n`);
    process.exit(1);
  }
}

main(process.argv.slice(2));
