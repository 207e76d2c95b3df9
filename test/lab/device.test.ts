// The device program under the real QuickJS 2021-03-27 engine (issue 6):
// build/qjs/qjs runs dist/hush.mjs with the hush_udp native module in
// one namespace; avahi-daemon in another resolves what it publishes, and the
// program, driven through globalThis.hush (test/lab/qjs-driver.js), browses
// and resolves avahi's service and host. tshark reads every packet.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab } from './netns.js';
import { avahiBrowse, avahiResolveName, startAvahi } from './avahi.js';
import { startCapture } from './capture.js';
import { Proc } from './proc.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const QJS = `${ROOT}build/qjs/qjs`;
const dir = mkdtempSync(join(tmpdir(), 'hush-device-'));

test.before(() => {
  const r = spawnSync('make', ['-s', 'device'], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`make device failed: ${r.stdout}${r.stderr}`);
});

test('qjs runs the device program: avahi resolves its service and host; through globalThis.hush it browses and resolves avahi\'s; tshark finds nothing malformed', async () => {
  const lab = new Lab('device');
  try {
    const [dev, peer] = lab.link(1, [{ ns: lab.netns('dev') }, { ns: lab.netns('avahi') }]);
    const capture = await startCapture(lab, `${lab.prefix}-br1`, 'br0');
    const avahi = await startAvahi(lab, peer.ns, { hostName: 'avahipeer', services: [{ name: 'Avahi Web', type: '_http._tcp', port: 8081 }] });
    await avahi.waitLog(/Service "Avahi Web" .*successfully established/, 15_000);
    const config = join(dir, 'device.json');
    writeFileSync(config, JSON.stringify({ hostName: 'qjsbox', families: [4, 6], services: [{ name: 'QJS Web', type: '_http._tcp', port: 8080, txt: { path: '/' } }], logLevel: 'info' }));
    const started = Date.now();
    const prog = new Proc(lab, dev.ns, QJS, [`${ROOT}test/lab/qjs-driver.js`, config, '_http._tcp', 'avahipeer.local'], { cwd: ROOT });
    await prog.waitFor(/"ready":"qjsbox.local"/, 10_000);
    await prog.waitFor(/hush info: established .*QJS Web/, 15_000);
    const establishedMs = Date.now() - started;

    const seen = await avahiBrowse(lab, peer.ns, avahi, '_http._tcp', { resolve: true, timeoutMs: 10_000 });
    const mine = seen.find((r) => r.name === 'QJS Web' && r.protocol === 'IPv4');
    assert.ok(mine, JSON.stringify(seen));
    assert.is(mine.port, 8080);
    assert.is(mine.host, 'qjsbox.local');
    assert.is(mine.address, dev.v4);
    assert.equal(mine.txt, ['path=/']);
    assert.is(await avahiResolveName(lab, peer.ns, avahi, 'qjsbox.local', 4), dev.v4);

    await prog.waitFor(/"browse":"add","instance":"Avahi Web"/, 10_000);
    const resolved = JSON.parse(await prog.waitFor(/"resolve":"avahipeer.local"/, 15_000));
    const a = resolved.results.find((r: { type: number }) => r.type === 1);
    assert.equal({ status: a.status, data: a.data }, { status: 'ok', data: [peer.v4] });
    assert.is(resolved.results.find((r: { type: number }) => r.type === 28).status, 'ok');
    const counters = JSON.parse(await prog.waitFor(/"counters"/, 10_000)).counters;
    assert.is(counters.mdns.malformed ?? 0, 0);
    assert.is(counters.mdns.internalError ?? 0, 0);
    await prog.stop('SIGTERM');

    const result = await capture.stop();
    assert.ok(result.frames.length > 10, `${result.frames.length} frames`);
    // SIGTERM: RFC 6762 §10.1 goodbyes (every TTL 0) from the device before it exits.
    assert.ok(result.frames.some((f) => f.src === dev.v4 && f.response && f.ttls.length > 0 && f.ttls.every((t) => t === 0)), 'goodbye on SIGTERM');
    assert.is(result.malformedCount, 0);
    assert.ok(result.frames.filter((f) => f.src === dev.v4).every((f) => f.ipTtl === 255), 'IP TTL 255 from the device');
    console.log(`  device: established ${establishedMs} ms after start`);
  } finally {
    lab.close();
  }
});

test('an interface that goes away is logged and dropped; the program keeps answering on the link it still has', async () => {
  const lab = new Lab('device-gone');
  try {
    const devNs = lab.netns('dev');
    const [dev, peer] = lab.link(1, [{ ns: devNs }, { ns: lab.netns('avahi') }]);
    lab.link(2, [{ ns: devNs }, { ns: lab.netns('other') }]);
    // The group route points at link 2, which then vanishes: sends must name their interface.
    lab.exec(devNs, 'ip', ['route', 'replace', '224.0.0.0/4', 'dev', 'eth2']);
    const avahi = await startAvahi(lab, peer.ns, { hostName: 'avahipeer' });
    const config = join(dir, 'gone.json');
    writeFileSync(config, JSON.stringify({ hostName: 'qjsbox', families: [4], services: [{ name: 'QJS Web', type: '_http._tcp', port: 8080 }], logLevel: 'debug' }));
    const prog = new Proc(lab, devNs, QJS, [`${ROOT}dist/hush.mjs`, config], { cwd: ROOT });
    await prog.waitFor(/hush info: established .*QJS Web/, 15_000);
    lab.exec(devNs, 'ip', ['link', 'del', 'eth2']);
    // The interface list is polled every 2 s; what the native module then reports is logged, never thrown.
    await new Promise((r) => setTimeout(r, 3000));
    assert.is(prog.child.exitCode, null, 'still running');
    assert.is(await avahiResolveName(lab, peer.ns, avahi, 'qjsbox.local', 4), dev.v4);
    const seen = await avahiBrowse(lab, peer.ns, avahi, '_http._tcp', { resolve: true, timeoutMs: 10_000 });
    assert.ok(seen.some((r) => r.name === 'QJS Web' && r.address === dev.v4), JSON.stringify(seen));
    assert.not.match(prog.output, /internal error|TypeError|uncaught/i);
    await prog.stop('SIGTERM');
  } finally {
    lab.close();
  }
});

test('a bad config stops the program before any socket opens: the message names the file and the field, exit status 2', () => {
  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify({ hostName: 'qjsbox', services: [{ name: 'A', type: 'http', port: 1 }] }));
  const r = spawnSync(QJS, [`${ROOT}dist/hush.mjs`, file], { encoding: 'utf8', timeout: 10_000 });
  assert.is(r.status, 2);
  assert.match(r.stderr, new RegExp(`hush: config ${file} /services/0/type: expected service type`));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
