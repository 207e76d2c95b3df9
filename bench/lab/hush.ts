// hush's responder measured in the lab the same way bench/lab/avahi.ts
// measures avahi-daemon: the CLI (built, as users run it) in namespace A
// publishes its host name; the generator in B steps up legacy A queries.
import { existsSync } from 'node:fs';
import { Lab } from '../../test/lab/netns.js';
import { Proc } from '../../test/lab/proc.js';
import { legacyThroughput } from './legacy-load.js';
import type { Throughput } from './legacy-load.js';

const CLI = 'dist/node/platform/node/cli.js';

export async function hushLegacyThroughput(o: { seconds?: number; rates?: number[] } = {}): Promise<Throughput> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: make build`);
  const lab = new Lab('bench-hush-qps');
  try {
    const [a, b] = lab.link(1, [{ ns: lab.netns('a') }, { ns: lab.netns('b') }]);
    const hush = new Proc(lab, a.ns, process.execPath, [CLI, 'publish', 'bench', '_http._tcp', '80', '--host', 'bench-host']);
    await hush.waitFor(/established/, 20_000);
    return await legacyThroughput(lab, { ns: b.ns, target: a.v4, name: 'bench-host.local', type: 'A', expect: a.v4, pid: hush.pid }, o);
  } finally {
    lab.close();
  }
}
