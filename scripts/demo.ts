// `make demo`: two network namespaces joined by a private bridge; hush
// publishes a service in one, avahi (a real peer from Debian) browses and
// resolves it from the other; then everything is removed. Nothing is sent on
// this machine's own interfaces.
import { existsSync } from 'node:fs';
import { Lab, needRoot } from '../test/lab/netns.js';
import { avahiBrowse, avahiResolveName, startAvahi } from '../test/lab/avahi.js';
import { Proc } from '../test/lab/proc.js';

const CLI = 'dist/node/platform/node/cli.js';

async function main(): Promise<void> {
  needRoot();
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run make build first`);
  const lab = new Lab('demo');
  try {
    const pub = lab.netns('publisher'), browse = lab.netns('browser');
    const [p] = lab.link(1, [{ ns: pub }, { ns: browse }]);
    console.log(`namespaces: ${pub} (${p.v4}, ${p.v6}) and ${browse}, on a private bridge`);
    console.log('\n$ hush publish "hush demo" _http._tcp 8080 path=/demo --host hushdemo');
    const hush = new Proc(lab, pub, process.execPath, [CLI, 'publish', 'hush demo', '_http._tcp', '8080', 'path=/demo', '--host', 'hushdemo']);
    hush.child.stdout?.on('data', (s: Buffer) => process.stdout.write(`  [hush] ${s}`));
    await hush.waitFor(/established/, 20_000);

    console.log('\n$ avahi-browse -rpt _http._tcp   (avahi-daemon in the other namespace)');
    const avahi = await startAvahi(lab, browse, { hostName: 'browser' });
    for (const r of await avahiBrowse(lab, browse, avahi, '_http._tcp', { resolve: true, timeoutMs: 10_000 })) {
      console.log(`  found "${r.name}" ${r.type} over ${r.protocol}: ${r.host} ${r.address} port ${r.port} txt ${JSON.stringify(r.txt)}`);
    }
    console.log('\n$ avahi-resolve -n hushdemo.local   (-4 and -6)');
    console.log(`  IPv4 ${await avahiResolveName(lab, browse, avahi, 'hushdemo.local', 4)}`);
    console.log(`  IPv6 ${await avahiResolveName(lab, browse, avahi, 'hushdemo.local', 6)}`);

    console.log('\nCtrl-C to hush:');
    await hush.stop('SIGINT');
    await avahi.stop();
  } finally {
    lab.close();
    console.log('\nnamespaces removed.');
  }
}

main().catch((e: unknown) => {
  console.error(`demo failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
