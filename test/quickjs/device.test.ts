// The device program (dist/hush.mjs) inside the real QuickJS engines
// (bellard and quickjs-ng, via quickjs-emscripten; harness in ./device.ts) on
// the sim: host 'dev' (192.168.1.10/24, fe80::10/64) and peers on the same
// link. Each scenario runs twice in a fresh sim with the same seed, once with
// the device program and once with the same engines on Node, and the packets
// on the link (time, addresses, bytes) must be the same.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RELEASE_SYNC, type QuickJSSyncVariant } from 'quickjs-emscripten';
import ngModule from '@jitl/quickjs-ng-wasmfile-release-sync';
import { Sim } from '../../platform/sim/index.js';
import type { Captured, Host } from '../../platform/sim/index.js';
import { createResponder } from '../../src/mdns/responder.js';
import { createQuerier } from '../../src/mdns/querier.js';
import { browse } from '../../src/dnssd/browse.js';
import type { BrowseEvent } from '../../src/dnssd/browse.js';
import type { ServiceSpec } from '../../src/dnssd/records.js';
import { decode, encode, message, T } from '../../src/wire/index.js';
import type { Message } from '../../src/wire/index.js';
import { deviceCode, startDevice } from './device.js';

// The package's exports give ESM importers its CommonJS typings (see engine.test.ts).
const NG = ngModule as unknown as QuickJSSyncVariant;
const MDNS = '224.0.0.251';
const SEED = 7;
const WEB: ServiceSpec = { name: 'Dev Web', type: '_http._tcp', port: 80, txt: { path: '/' } };
const code = deviceCode();

interface World { sim: Sim; dev: Host; peer: Host }

function world(): World {
  const sim = new Sim({ seed: SEED });
  const lan = sim.link('lan');
  const dev = sim.host('dev', [{ name: 'eth0', link: lan, v4: '192.168.1.10/24', v6: 'fe80::10/64' }]);
  const peer = sim.host('peer', [{ name: 'eth0', link: lan, v4: '192.168.1.20/24', v6: 'fe80::20/64' }]);
  return { sim, dev, peer };
}

/** The capture in comparable form: one line per packet with its bytes in hex. */
const lines = (capture: readonly Captured[]): string[] => capture.map((c) =>
  `${c.t} ${c.at} ${c.from.host} ${c.from.addr}:${c.from.port} > ${c.to.addr}:${c.to.port} ${Buffer.from(c.data).toString('hex')}`);

const sent = (capture: readonly Captured[], host: string): { t: number; m: Message; to: string }[] =>
  capture.filter((c) => c.from.host === host).map((c) => ({ t: c.t, m: decode(c.data), to: c.to.addr }));

/**
 * Scenario 1, the peer's part: after the device is established, a QM question
 * for the service type, a legacy unicast question (source port ≠ 5353) for
 * the host's address, and a QU question for the SRV.
 */
function askDevice(w: World): void {
  const mdns = w.peer.platform.open({ family: 4, port: 5353, group: MDNS });
  mdns.join(1);
  const legacy = w.peer.platform.open({ family: 4, port: 0 });
  const ask = (at: number, s: typeof mdns, q: Message['questions'][number], id = 0): void => {
    w.sim.clock.at(at, () => s.send(encode(message({ id, questions: [q] })), { addr: MDNS, port: 5353 }));
  };
  ask(3000, mdns, { name: '_http._tcp.local', type: T.PTR, class: 1, qu: false });
  ask(4000, legacy, { name: 'dev.local', type: T.A, class: 1, qu: false }, 0x1234);
  ask(5000, mdns, { name: 'Dev Web._http._tcp.local', type: T.SRV, class: 1, qu: true });
}

/** Scenario 2, the peer's part: a Node responder on 'peer' publishes 'Peer Web', then unpublishes it at 8 s. */
function peerService(w: World): void {
  const r = createResponder(w.peer.platform, { hostName: 'peer' });
  const h = r.publish({ name: 'Peer Web', type: '_http._tcp', port: 8080, txt: { path: '/x' } });
  w.sim.clock.at(8000, () => void h.unpublish());
}

for (const [name, variant] of [['bellard', RELEASE_SYNC], ['quickjs-ng', NG]] as const) {
  const s = suite(`device program in QuickJS ${name}`);

  s('rfc6762 §8, §6, §5.4, §6.7, §10.1: probes, announcements, answers and goodbye are byte for byte those of the Node responder', async () => {
    const node = world();
    askDevice(node);
    const r = createResponder(node.dev.platform, { hostName: 'dev' });
    const h = r.publish(WEB);
    node.sim.clock.at(6000, () => void h.unpublish());
    node.sim.run(10_000);

    const qjs = world();
    askDevice(qjs);
    const d = await startDevice({ variant, host: qjs.dev, code, config: JSON.stringify({ hostName: 'dev', services: [WEB] }) });
    try {
      qjs.sim.clock.at(6000, () => d.run('hush.unpublish("Dev Web._http._tcp.local")'));
      qjs.sim.run(10_000);
      assert.equal(d.errors, []);
      assert.is(d.exitCode, undefined);
      assert.ok(d.stderr.includes('hush info: established {"name":"Dev Web._http._tcp.local"}'), d.stderr.join('\n'));

      const out = sent(qjs.sim.capture, 'dev');
      const probes = out.filter((p) => !p.m.qr && p.m.authorities.length > 0);
      const announced = out.filter((p) => p.m.qr && p.t < 3000);
      const goodbye = out.filter((p) => p.m.qr && p.m.answers.some((a) => a.type === T.PTR && a.name === '_http._tcp.local' && a.ttl === 0));
      assert.is(probes.length, 6, 'three probes per family');
      assert.is(announced.length, 4, 'two announcements per family');
      assert.ok(out.some((p) => p.t >= 3000 && p.t < 4000 && p.m.answers.some((a) => a.type === T.PTR && a.data === 'Dev Web._http._tcp.local')), 'QM answer');
      assert.ok(out.some((p) => p.t >= 4000 && p.m.id === 0x1234 && p.to === '192.168.1.20'), 'legacy unicast answer');
      assert.ok(out.some((p) => p.t >= 5000 && p.t < 6000 && p.to === '192.168.1.20' && p.m.answers.some((a) => a.type === T.SRV)), 'QU answer');
      assert.is(goodbye.length, 2, 'one goodbye per family');
      assert.equal(lines(qjs.sim.capture), lines(node.sim.capture), `QuickJS:\n${qjs.sim.dump()}\nNode:\n${node.sim.dump()}`);
    } finally {
      d.dispose();
    }
  });

  s('rfc6763 §4: hush.browse sees a peer\'s service come and go, with the same events and queries as browse() on Node', async () => {
    const node = world();
    peerService(node);
    const r = createResponder(node.dev.platform, { hostName: 'dev' });
    const q = createQuerier(node.dev.platform, { endpoint: r.endpoint });
    const seen: BrowseEvent[] = [];
    node.sim.clock.at(3000, () => void browse(q, '_http._tcp', (e) => seen.push(e)));
    node.sim.run(12_000);

    const qjs = world();
    peerService(qjs);
    const d = await startDevice({ variant, host: qjs.dev, code, config: JSON.stringify({ hostName: 'dev' }) });
    try {
      qjs.sim.clock.at(3000, () => d.run('globalThis.seen = []; hush.browse("_http._tcp", (e) => seen.push(e));'));
      qjs.sim.run(12_000);
      assert.equal(d.errors, []);
      const got = d.json<BrowseEvent[]>('seen');
      // Seen on eth0/4 and eth0/6: added on one link, updated as the other joins and leaves, removed.
      assert.equal(got.map((e) => [e.kind, e.instance, e.links.length]),
        [['add', 'Peer Web', 1], ['update', 'Peer Web', 2], ['update', 'Peer Web', 1], ['remove', 'Peer Web', 0]]);
      assert.equal(got, JSON.parse(JSON.stringify(seen)));
      const queries = sent(qjs.sim.capture, 'dev').filter((p) => !p.m.qr && p.m.questions.some((x) => x.name === '_http._tcp.local'));
      assert.ok(queries.length >= 2, 'a browse query per family');
      assert.equal(lines(qjs.sim.capture), lines(node.sim.capture), `QuickJS:\n${qjs.sim.dump()}\nNode:\n${node.sim.dump()}`);
    } finally {
      d.dispose();
    }
  });

  s('a bad config is named on stderr and the program exits 2 before opening any socket', async () => {
    for (const [config, line] of [
      ['{"hostName": "bad name"}', 'hush: config config.json /hostName: expected host label without .local'],
      ['{"hostName": "dev", "services": [{"name": "x", "type": "http", "port": 80}]}',
        'hush: config config.json /services/0/type: expected service type such as \'_http._tcp\''],
      ['{"hostName": ', 'hush: config config.json: not JSON (SyntaxError: '],
    ]) {
      const w = world();
      const d = await startDevice({ variant, host: w.dev, code, config });
      try {
        w.sim.run(10_000);
        assert.is(d.exitCode, 2, config);
        assert.equal(d.errors, [], config);
        assert.is(d.stderr.length, 1, d.stderr.join('\n'));
        assert.ok(d.stderr[0].startsWith(line), `${config}: ${d.stderr[0]}`);
        assert.is(w.sim.capture.length, 0, 'nothing sent');
        assert.is(w.sim.clock.pending, 0, 'nothing scheduled');
      } finally {
        d.dispose();
      }
    }
  });

  s.run();
}
