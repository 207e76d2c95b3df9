// troglobit mdnsd (Debian's mdnsd 0.12, IPv4 only) as a lab peer, and its
// query tool mquery. mdnsd reads mdnsd.service(5) files from a directory
// given on its command line; it runs in its own UTS namespace so its host
// name is the lab's, not the machine's.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from './netns.js';
import type { ServiceSpec } from './avahi.js';
import { Proc, ethInterfaces, run, tempDir } from './proc.js';

export interface MdnsdOptions {
  services: ServiceSpec[];
  /** The UTS host name mdnsd runs under (default 'mdnsd'). */
  hostName?: string;
  /** Interface (default: the namespace's first eth*). */
  ifname?: string;
}

export interface Mdnsd {
  ns: string;
  pid: number;
  log(): string;
  waitLog(re: RegExp, timeoutMs: number, count?: number): Promise<string>;
  stop(): Promise<void>;
}

/** mdnsd.service(5): one service per file; mdnsd has no subtypes. */
function serviceFile(s: ServiceSpec): string {
  if (s.subtypes?.length) throw new Error('mdnsd cannot publish subtypes');
  return [`name ${s.name}`, `type ${s.type}`, `port ${s.port}`, ...(s.txt ?? []).map((t) => `txt ${t}`), ''].join('\n');
}

/**
 * Starts `mdnsd -n` on one interface with IP TTL 255 (its default is 1,
 * which RFC 6762 §11 receivers may drop); resolves once it has sent its first probe.
 */
export async function startMdnsd(lab: Lab, ns: string, o: MdnsdOptions): Promise<Mdnsd> {
  const dir = tempDir(lab, 'mdnsd');
  o.services.forEach((s, i) => writeFileSync(join(dir, `s${i}.service`), serviceFile(s)));
  const ifname = o.ifname ?? ethInterfaces(lab, ns)[0];
  const script = 'hostname "$1" && exec mdnsd -n -i "$2" -t 255 -l debug "$3"';
  const p = new Proc(lab, ns, 'unshare', ['-u', 'sh', '-c', script, 'sh', o.hostName ?? 'mdnsd', ifname, dir]);
  await p.waitFor(/Send Probing/, 10_000);
  return {
    ns,
    pid: p.pid,
    log: () => p.output,
    waitLog: (re, timeoutMs, count) => p.waitFor(re, timeoutMs, count),
    async stop() {
      await p.stop('SIGTERM');
    },
  };
}

/** What mquery printed: services seen by the default scan, records in -s mode. */
export interface MqueryResult {
  /** Default mode: '+ NAME (ADDR)' lines, a name (type or instance) and the responder's address. */
  found: { name: string; from: string }[];
  /** Simple mode (-s): 'TYPE NAME for N seconds ...' lines. */
  answers: { type: string; name: string; ttl: number; data: string }[];
  output: string;
}

/**
 * Runs mquery for `waitSec` seconds. Names need the trailing dot
 * ('_http._tcp.local.'). Note: its repeated queries carry known answers
 * whose PTR data is an IPv4 address (tshark flags them malformed), and go
 * out with IP TTL 1.
 */
export async function mquery(lab: Lab, ns: string, o: { name?: string; type?: number; simple?: boolean; ifname?: string; waitSec?: number } = {}): Promise<MqueryResult> {
  const waitSec = o.waitSec ?? 3;
  const args = ['-i', o.ifname ?? ethInterfaces(lab, ns)[0], '-w', String(waitSec), ...(o.simple ? ['-s'] : []),
    ...(o.type !== undefined ? ['-t', String(o.type)] : []), ...(o.name !== undefined ? [o.name] : [])];
  const p = await run(lab, ns, 'mquery', args, { timeoutMs: (waitSec + 10) * 1000 });
  const found: MqueryResult['found'] = [], answers: MqueryResult['answers'] = [];
  for (const line of p.stdout.split('\n')) {
    const plus = /^\+ (.*) \(([^()]*)\)$/.exec(line);
    if (plus) found.push({ name: plus[1], from: plus[2] });
    const rr = /^(\S+)(?: \(\d+\))? (.*?) for (-?\d+) seconds (?:to |with )(.*)$/.exec(line);
    if (rr) answers.push({ type: rr[1], name: rr[2], ttl: Number(rr[3]), data: rr[4].replace(/^ip /, '') });
  }
  return { found, answers, output: p.output };
}
