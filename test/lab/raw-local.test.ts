// The raw backend beside a responder of its own host (issue 7): hush
// (`--backend raw`) and avahi-daemon in one namespace, on one link with a
// peer namespace. A frame a raw port writes goes to the wire only, so avahi
// hears hush only through the local-only copy the guard loops back with TTL
// / hop limit 0 (platform/raw/socket.ts); avahi's own multicast reaches
// hush's raw port as outgoing. Checked: `hush resolve --backend raw` finds
// avahi's host name; with `hush publish --backend raw` running,
// avahi-resolve and avahi-browse on the same host find hush's name and
// service; a capture on the link's bridge sees no frame with TTL 0 and the
// host's frames all with TTL 255.
//
// hush resolve runs before hush publishes: both responders publish the
// reverse-mapping PTR of the host's addresses (RFC 6762 §4), and avahi
// takes hush's as a conflict and renames its host again and again (hush
// counts it as reverseConflict and keeps its name), as it does beside hush
// on dgram.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Lab } from './netns.js';
import type { Member } from './netns.js';
import { avahiBrowse, avahiResolveName, startAvahi } from './avahi.js';
import type { Avahi } from './avahi.js';
import { startCapture } from './capture.js';
import type { Capture } from './capture.js';
import { Proc, run } from './proc.js';

const CLI = ['--no-warnings', '--loader', 'ts-node/esm', 'platform/node/cli.ts'];
const HOST = 'rawlocal';
const AVAHI_HOST = 'avahilocal';
const NAME = 'Raw Local';
const TYPE = '_http._tcp';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Ctx { lab: Lab; h: Member; avahi: Avahi; hush: Proc; capture: Capture }

const local = suite<Ctx>('raw backend beside avahi-daemon on the same host');

local.before(async (ctx) => {
  const lab = new Lab('rlocal');
  ctx.lab = lab;
  const [h] = lab.link(1, [{ ns: lab.netns('host'), ifname: 'eth1' }, { ns: lab.netns('peer') }]);
  ctx.h = h;
  ctx.capture = await startCapture(lab, `${lab.prefix}-br1`, 'br0');
  ctx.avahi = await startAvahi(lab, h.ns, { hostName: AVAHI_HOST });
  // avahi's announcements (RFC 6762 §8.3: at least two, a second apart, then doubling) are over before hush asks.
  await sleep(6000);
});

local.after((ctx) => ctx.lab?.close());

local('hush resolve --backend raw on the same host finds avahi\'s host name (its query looped to avahi, the answer heard as outgoing)', async ({ lab, h }) => {
  const p = await run(lab, h.ns, process.execPath, [...CLI, 'resolve', `${AVAHI_HOST}.local`, '--json', '--wait', '3000', '--backend', 'raw'], { timeoutMs: 30_000 });
  const found = p.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l.replace(/^\S+ /, '')) as { kind: string; family: number; address: string });
  assert.ok(found.some((e) => e.kind === 'add' && e.family === 4 && e.address === h.v4), `status ${p.status}: ${p.output}`);
});

local('avahi-resolve -n on the same host resolves hush\'s host name (only the looped copy can carry the answer)', async (ctx) => {
  const { lab, h, avahi } = ctx;
  ctx.hush = new Proc(lab, h.ns, process.execPath, [...CLI, 'publish', NAME, TYPE, '8080', 'path=/', '--host', HOST, '--backend', 'raw']);
  await ctx.hush.waitFor(/on the raw backend/, 20_000);
  await ctx.hush.waitFor(/established/, 20_000);
  assert.is(await avahiResolveName(lab, h.ns, avahi, `${HOST}.local`, 4), h.v4);
});

local('avahi-browse -r on the same host finds hush\'s service, resolved to its port and address', async ({ lab, h, avahi }) => {
  const seen = (await avahiBrowse(lab, h.ns, avahi, TYPE)).filter((r) => r.name === NAME && r.protocol === 'IPv4');
  assert.ok(seen.length > 0, 'avahi-browse did not find the service');
  assert.equal(seen.map((r) => [r.host, r.port, r.address, r.txt]), [[`${HOST}.local`, 8080, h.v4, ['path=/']]]);
});

local('the link carries no frame with TTL / hop limit 0, and every frame from the host has 255', async ({ capture, h, lab }) => {
  const linkLocal = /inet6 (fe80::[0-9a-f:]+)\//.exec(lab.exec(h.ns, 'ip', ['-6', 'addr', 'show', 'dev', h.ifname]))![1];
  const ours = new Set([h.v4, h.v6, linkLocal]);
  const r = await capture.stop();
  assert.equal(r.frames.filter((f) => f.ipTtl === 0).map((f) => f.src), [], 'local-only copies on the wire');
  const mine = r.frames.filter((f) => ours.has(f.src));
  assert.ok(mine.length > 5, `${mine.length} frames from the host`);
  assert.equal(mine.filter((f) => f.ipTtl !== 255).map((f) => [f.src, f.ipTtl]), []);
  assert.is(r.malformedCount, 0);
});

local.run();
