// Network-namespace lab: every real socket of a lab test lives in namespaces
// this module creates, joined by a bridge that is itself inside a namespace,
// so nothing ever reaches the host's own interfaces. Everything it makes is
// removed by close(), also when the process exits or is interrupted.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';

export interface Member {
  /** Full namespace name. */
  ns: string;
  /** Interface inside the namespace. */
  ifname: string;
  v4: string;
  v6: string;
}

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.trim()}`);
  return r.stdout;
}

export function needRoot(): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) throw new Error('the lab needs root (network namespaces)');
  sh('ip', ['-V']);
}

let serial = 0;

export class Lab {
  readonly prefix: string;
  private readonly spaces: string[] = [];
  private readonly children = new Set<ChildProcess>();
  private readonly cleanup = (): void => this.close();

  constructor(tag: string) {
    needRoot();
    this.prefix = `hush-${tag}-${process.pid}-${serial++}`;
    process.on('exit', this.cleanup);
  }

  /** Creates a namespace with loopback up; returns its full name. */
  netns(name: string): string {
    const ns = `${this.prefix}-${name}`;
    sh('ip', ['netns', 'add', ns]);
    this.spaces.push(ns);
    this.exec(ns, 'ip', ['link', 'set', 'lo', 'up']);
    // No duplicate address detection: addresses are usable at once.
    this.exec(ns, 'sysctl', ['-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);
    return ns;
  }

  /**
   * One link: a bridge in its own namespace and a veth into each member
   * namespace, numbered 10.<net>.0.(i+1)/24 and fd00:<net>::(i+1)/64, with
   * the multicast route on the member's interface.
   */
  link(net: number, members: { ns: string; ifname?: string }[]): Member[] {
    const hub = this.netns(`br${net}`);
    this.exec(hub, 'ip', ['link', 'add', 'br0', 'type', 'bridge']);
    this.exec(hub, 'ip', ['link', 'set', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
    this.exec(hub, 'ip', ['link', 'set', 'br0', 'up']);
    return members.map(({ ns, ifname = `eth${net}` }, i) => {
      const peer = `p${net}x${i}`;
      sh('ip', ['link', 'add', ifname, 'netns', ns, 'type', 'veth', 'peer', 'name', peer, 'netns', hub]);
      this.exec(hub, 'ip', ['link', 'set', peer, 'master', 'br0', 'up']);
      const v4 = `10.${net}.0.${i + 1}`;
      const v6 = `fd00:${net}::${i + 1}`;
      this.exec(ns, 'ip', ['addr', 'add', `${v4}/24`, 'dev', ifname]);
      this.exec(ns, 'ip', ['-6', 'addr', 'add', `${v6}/64`, 'dev', ifname, 'nodad']);
      this.exec(ns, 'ip', ['link', 'set', ifname, 'up']);
      this.exec(ns, 'ip', ['route', 'replace', '224.0.0.0/4', 'dev', ifname]);
      return { ns, ifname, v4, v6 };
    });
  }

  /** Runs a command inside a namespace and returns its stdout; throws on failure. */
  exec(ns: string, cmd: string, args: string[]): string {
    return sh('ip', ['netns', 'exec', ns, cmd, ...args]);
  }

  /** Starts a long-running command inside a namespace; close() kills it. */
  spawn(ns: string, cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  close(): void {
    for (const child of this.children) child.kill('SIGKILL');
    this.children.clear();
    for (const ns of this.spaces.splice(0).reverse()) {
      // Kill anything still running in the namespace before deleting it.
      const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.split(/\s+/).filter(Boolean);
      for (const pid of pids) spawnSync('kill', ['-9', pid]);
      spawnSync('ip', ['netns', 'del', ns]);
    }
    process.off('exit', this.cleanup);
  }
}
