// avahi-daemon as a lab peer: each daemon lives in one namespace with its own
// dbus-daemon (config and socket in a temp dir), its own avahi-daemon.conf,
// and a private mount namespace in which the temp dir's etc/ is bind-mounted
// over /etc/avahi (avahi reads services from the compiled-in
// /etc/avahi/services) and the temp dir's run/ over /run (pid file and
// socket in /run/avahi-daemon). The host's own /etc and /run are untouched.
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from './netns.js';
import { Proc, ethInterfaces, run, tempDir } from './proc.js';

/** One DNS-SD service instance, as a peer publishes it. */
export interface ServiceSpec {
  /** Instance name, any UTF-8. */
  name: string;
  /** Service type, e.g. '_http._tcp'. */
  type: string;
  port: number;
  /** TXT strings in wire order, e.g. ['path=/', 'flag']. */
  txt?: string[];
  /** Subtype labels ('_printer') or full subtype names ('_printer._sub._http._tcp'). */
  subtypes?: string[];
}

export interface AvahiOptions {
  /** Host label; avahi publishes `<hostName>.local`. */
  hostName: string;
  services?: ServiceSpec[];
  /** Debian's per-interface limit of 1,000 packets per second (default true); false sets ratelimit-interval-usec=0. */
  ratelimit?: boolean;
  /** use-ipv6 (default true). */
  ipv6?: boolean;
  /** allow-interfaces (default: the namespace's eth* interfaces). */
  interfaces?: string[];
}

export interface Avahi {
  ns: string;
  /** avahi-daemon's pid (from its pid file). */
  pid: number;
  hostName: string;
  /** D-Bus address of this daemon's private system bus. */
  bus: string;
  /** avahi-daemon's log so far (stderr). */
  log(): string;
  /** The `count`-th log line matching `re`; rejects after `timeoutMs` or if the daemon exits. */
  waitLog(re: RegExp, timeoutMs: number, count?: number): Promise<string>;
  /** Adds a service file; avahi sees it (inotify: "Files changed, reloading.") and publishes it. */
  publish(service: ServiceSpec): void;
  /** SIGTERM (avahi sends goodbyes), then waits for exit; the dbus-daemon stops too. */
  stop(): Promise<void>;
}

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function busConfig(socket: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=${xml(socket)}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
`;
}

function avahiConfig(o: AvahiOptions, interfaces: string[]): string {
  // avahi-daemon.conf(5). Debian ships ratelimit-interval-usec=1000000 and ratelimit-burst=1000.
  const limit = o.ratelimit === false ? ['ratelimit-interval-usec=0'] : ['ratelimit-interval-usec=1000000', 'ratelimit-burst=1000'];
  return [
    '[server]', `host-name=${o.hostName}`, 'domain-name=local', 'use-ipv4=yes', `use-ipv6=${o.ipv6 === false ? 'no' : 'yes'}`,
    `allow-interfaces=${interfaces.join(',')}`, 'enable-dbus=yes', ...limit,
    '[wide-area]', 'enable-wide-area=no',
    '[publish]', 'publish-hinfo=no', 'publish-workstation=no',
    '[reflector]', 'enable-reflector=no',
    '',
  ].join('\n');
}

/** A static service file (avahi.service(5)). */
function serviceFile(s: ServiceSpec): string {
  const sub = (s.subtypes ?? []).map((t) => (t.includes('._sub.') ? t : `${t}._sub.${s.type}`));
  return [
    `<?xml version="1.0" standalone='no'?>`,
    '<service-group>',
    `  <name>${xml(s.name)}</name>`,
    '  <service>',
    `    <type>${xml(s.type)}</type>`,
    ...sub.map((t) => `    <subtype>${xml(t)}</subtype>`),
    `    <port>${s.port}</port>`,
    ...(s.txt ?? []).map((t) => `    <txt-record>${xml(t)}</txt-record>`),
    '  </service>',
    '</service-group>',
    '',
  ].join('\n');
}

/** Starts dbus-daemon and avahi-daemon in `ns`; resolves once avahi logs "Server startup complete". */
export async function startAvahi(lab: Lab, ns: string, o: AvahiOptions): Promise<Avahi> {
  const dir = tempDir(lab, 'avahi');
  const etc = join(dir, 'etc'), runDir = join(dir, 'run'), socket = join(dir, 'bus');
  mkdirSync(join(etc, 'services'), { recursive: true });
  mkdirSync(runDir);
  writeFileSync(join(dir, 'bus.conf'), busConfig(socket));
  writeFileSync(join(etc, 'avahi-daemon.conf'), avahiConfig(o, o.interfaces ?? ethInterfaces(lab, ns)));
  writeFileSync(join(etc, 'hosts'), '');
  let files = 0;
  const writeService = (s: ServiceSpec): void => writeFileSync(join(etc, 'services', `s${files++}.service`), serviceFile(s));
  (o.services ?? []).forEach(writeService);

  const dbus = new Proc(lab, ns, 'dbus-daemon', [`--config-file=${join(dir, 'bus.conf')}`, '--nofork', '--print-address']);
  const bus = (await dbus.waitFor(/^unix:path=/, 10_000)).trim();
  const script = 'mount --bind "$1" /etc/avahi && mount --bind "$2" /run && mkdir -p /run/avahi-daemon && ' +
    'exec avahi-daemon --no-drop-root --no-chroot --no-rlimits --no-proc-title -f /etc/avahi/avahi-daemon.conf';
  const daemon = new Proc(lab, ns, 'unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', etc, runDir],
    { env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: bus } });
  await daemon.waitFor(/Server startup complete/, 15_000);
  const pid = Number(readFileSync(join(runDir, 'avahi-daemon', 'pid'), 'utf8'));

  return {
    ns, pid, hostName: o.hostName, bus,
    log: () => daemon.stderr,
    waitLog: (re, timeoutMs, count) => daemon.waitFor(re, timeoutMs, count),
    publish: writeService,
    async stop() {
      await daemon.stop('SIGTERM');
      await dbus.stop('SIGTERM');
    },
  };
}

/** One line of `avahi-browse -p`: '+' seen, '=' resolved (then host, address, port and txt are set). */
export interface BrowseRecord {
  event: '+' | '=';
  interface: string;
  protocol: 'IPv4' | 'IPv6';
  /** Instance name, unescaped. */
  name: string;
  type: string;
  domain: string;
  host?: string;
  address?: string;
  port?: number;
  /** TXT strings in wire order (avahi-browse prints them last first). */
  txt?: string[];
}

/** avahi's escapes (avahi_escape_label): '\.' and '\\' for themselves, '\DDD' for any other byte; decoded as UTF-8. */
function unescape(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && /^\d{3}$/.test(s.slice(i + 1, i + 4))) {
      bytes.push(Number(s.slice(i + 1, i + 4)));
      i += 3;
    } else {
      if (s[i] === '\\') i++;
      bytes.push(...Buffer.from(s[i] ?? '', 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The TXT field: "..." strings separated by spaces, '\"' and '\\' escaped, other bytes as '\DDD'. */
function parseTxt(field: string): string[] {
  const out: string[] = [];
  for (const m of field.matchAll(/"((?:[^"\\]|\\.)*)"/g)) out.push(unescape(m[1]));
  return out.reverse();
}

function parseBrowseLine(line: string): BrowseRecord | undefined {
  const f = line.split(';');
  if ((f[0] !== '+' && f[0] !== '=') || f.length < 6) return undefined;
  const rec: BrowseRecord = {
    event: f[0], interface: f[1], protocol: f[2] as BrowseRecord['protocol'], name: unescape(f[3]), type: f[4], domain: f[5],
  };
  if (f[0] === '=') {
    rec.host = f[6];
    rec.address = f[7];
    rec.port = Number(f[8]);
    // Only the TXT field (last) may hold further ';'.
    rec.txt = parseTxt(f.slice(9).join(';'));
  }
  return rec;
}

/**
 * `avahi-browse -pkt` (plus -r to resolve) in `ns`, talking to `avahi`'s
 * daemon: resolved records ('=') when resolving, else the '+' records.
 */
export async function avahiBrowse(lab: Lab, ns: string, avahi: Avahi, type: string, o: { resolve?: boolean; timeoutMs?: number } = {}): Promise<BrowseRecord[]> {
  const resolve = o.resolve ?? true;
  const args = ['-p', '-k', '-t', ...(resolve ? ['-r'] : []), type === '--all' ? '-a' : type];
  const p = await run(lab, ns, 'avahi-browse', args, { env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: avahi.bus }, timeoutMs: o.timeoutMs ?? 10_000 });
  if (p.status !== 0) throw new Error(`avahi-browse ${args.join(' ')} exited ${p.status}: ${p.stderr}`);
  return p.stdout.split('\n').map(parseBrowseLine).filter((r): r is BrowseRecord => r !== undefined && r.event === (resolve ? '=' : '+'));
}

/** `avahi-resolve -n` over IPv4 (-4) or IPv6 (-6): the address, or undefined when avahi could not resolve it. */
export async function avahiResolveName(lab: Lab, ns: string, avahi: Avahi, hostName: string, family: 4 | 6, timeoutMs = 10_000): Promise<string | undefined> {
  const p = await run(lab, ns, 'avahi-resolve', ['-n', `-${family}`, hostName], { env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: avahi.bus }, timeoutMs });
  return p.status === 0 ? /^\S+\t(\S+)/m.exec(p.stdout)?.[1] : undefined;
}
