// hush as an mDNS client next to avahi-daemon (issue 4 lab): `hush browse`
// sees avahi's service and its removal when avahi says goodbye; `hush
// resolve` resolves the instance (host, port, TXT, addresses) and avahi's
// host name over IPv4 and IPv6; one Node process publishes and browses on
// one set of sockets. All inside namespaces this file creates.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Lab } from './netns.js';
import { avahiBrowse, startAvahi } from './avahi.js';
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

test('one process publishes and browses through responder.querier(): it sees its own service and avahi\'s, avahi resolves its service, and it holds one port-5353 socket per family', async () => {
  const lab = new Lab('querier-both');
  try {
    const [a, b] = lab.link(1, [{ ns: lab.netns('avahi') }, { ns: lab.netns('hush') }]);
    const avahi = await startAvahi(lab, a.ns, { hostName: 'avahipeer', services: [{ name: 'Avahi Web', type: '_http._tcp', port: 8081 }] });
    await avahi.waitLog(/Service "Avahi Web" .*successfully established/, 15_000);
    const both = new Proc(lab, b.ns, process.execPath, ['--no-warnings', '--loader', 'ts-node/esm', 'test/lab/publish-browse.ts', 'Hush Web', '_http._tcp', '8090']);
    await both.waitFor(/^ready$/m, 20_000);
    await both.waitFor(/"kind":"add","instance":"Avahi Web"/, 15_000);
    await both.waitFor(/"kind":"add","instance":"Hush Web"/, 15_000);
    const seen = await avahiBrowse(lab, a.ns, avahi, '_http._tcp');
    const mine = seen.find((x) => x.name === 'Hush Web' && x.protocol === 'IPv4');
    assert.ok(mine, JSON.stringify(seen));
    assert.is(mine.port, 8090);
    assert.is(mine.host, 'hushboth.local');
    const sockets = lab.exec(b.ns, 'ss', ['-uanpH']).split('\n').filter((l) => /:5353\s/.test(l) && /"node"/.test(l));
    assert.is(sockets.length, 2, sockets.join('\n'));
    await both.stop('SIGTERM');
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
