// hush as an mDNS client next to avahi-daemon (issue 4 lab): `hush browse`
// sees avahi's service and its removal when avahi says goodbye; `hush
// resolve` resolves the instance (host, port, TXT, addresses) and avahi's
// host name over IPv4 and IPv6. All inside namespaces this file creates.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Lab } from './netns.js';
import { startAvahi } from './avahi.js';
import { Proc, run } from './proc.js';

const CLI = ['--no-warnings', '--loader', 'ts-node/esm', 'platform/node/cli.ts'];

test('hush browse and resolve find avahi\'s service and host; browse reports removal within 2 s of avahi\'s goodbye', async () => {
  const lab = new Lab('querier');
  try {
    const [a, b] = lab.link(1, [{ ns: lab.netns('avahi') }, { ns: lab.netns('hush') }]);
    const avahi = await startAvahi(lab, a.ns, { hostName: 'avahipeer', services: [{ name: 'Avahi Web', type: '_http._tcp', port: 8081, txt: ['path=/a', 'v=1'] }] });
    await avahi.waitLog(/Service "Avahi Web" .*successfully established/, 15_000);

    const browser = new Proc(lab, b.ns, process.execPath, [...CLI, 'browse', '_http._tcp', '--json']);
    const added = JSON.parse((await browser.waitFor(/"kind":"add".*Avahi Web/, 15_000)).replace(/^\S+ /, ''));
    assert.is(added.instance, 'Avahi Web');

    const svc = await run(lab, b.ns, process.execPath, [...CLI, 'resolve', 'Avahi Web._http._tcp.local', '--json', '--wait', '3000'], { timeoutMs: 30_000 });
    const lines = svc.stdout.trim().split('\n').map((l) => JSON.parse(l.replace(/^\S+ /, '')));
    const last = lines[lines.length - 1];
    assert.ok(last, svc.output);
    assert.is(last.host, 'avahipeer.local');
    assert.is(last.port, 8081);
    assert.equal(last.txt, ['path=/a', 'v=1']);
    assert.ok(last.addresses.includes(a.v4), `addresses ${last.addresses}`);

    const host = await run(lab, b.ns, process.execPath, [...CLI, 'resolve', 'avahipeer.local', '--json', '--wait', '3000'], { timeoutMs: 30_000 });
    const addrs = host.stdout.trim().split('\n').map((l) => JSON.parse(l.replace(/^\S+ /, ''))).filter((e) => e.kind === 'add');
    assert.ok(addrs.some((e) => e.family === 4 && e.address === a.v4), host.output);
    assert.ok(addrs.some((e) => e.family === 6), host.output);

    const stopped = Date.now();
    await avahi.stop();
    await browser.waitFor(/"kind":"remove".*Avahi Web/, 5000);
    assert.ok(Date.now() - stopped < 2000 + 500, `removed ${Date.now() - stopped} ms after the goodbye`);
    await browser.stop('SIGINT');
  } finally {
    lab.close();
  }
});

test('avahi killed with SIGKILL (no goodbye): hush resolve reports the instance gone when its SRV expires, 120 s after it was last heard (RFC 6762 §10)', async () => {
  const lab = new Lab('querier-kill');
  try {
    const [a, b] = lab.link(1, [{ ns: lab.netns('avahi') }, { ns: lab.netns('hush') }]);
    const avahi = await startAvahi(lab, a.ns, { hostName: 'avahipeer', services: [{ name: 'Doomed', type: '_http._tcp', port: 8082 }] });
    await avahi.waitLog(/Service "Doomed" .*successfully established/, 15_000);
    const resolver = new Proc(lab, b.ns, process.execPath, [...CLI, 'resolve', 'Doomed._http._tcp.local', '--json', '--wait', '300000']);
    await resolver.waitFor(/"kind":"resolved"/, 15_000);
    const killed = Date.now();
    process.kill(avahi.pid, 'SIGKILL');
    await resolver.waitFor(/"kind":"remove"/, 180_000);
    const after = (Date.now() - killed) / 1000;
    // The SRV (TTL 120) was last heard at most a few seconds before the kill.
    assert.ok(after > 100 && after < 125, `removed ${after.toFixed(1)} s after SIGKILL`);
    await resolver.stop('SIGINT');
  } finally {
    lab.close();
  }
});

test.run();
