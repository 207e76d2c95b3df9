// One host running a responder and a querier: on one shared endpoint they
// use one port-5353 socket per family, so a unicast reply (RFC 6762 §5.4)
// reaches the querier; on two endpoints it reaches only the newest socket,
// as on Linux, and the querier never hears it. Host 'h' (192.168.1.40) runs
// both; the harness's responder on 'r' answers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Host } from '../../platform/sim/index.js';
import type { OpenOptions, Platform } from '../../src/platform.js';
import { createQuerier } from '../../src/mdns/querier.js';
import type { Querier } from '../../src/mdns/querier.js';
import { createResponder } from '../../src/mdns/responder.js';
import type { Responder } from '../../src/mdns/responder.js';
import { T } from '../../src/wire/index.js';
import { HTTP, Lab, NAMES, R, SETTLE } from './harness.js';

const H = '192.168.1.40';

/** The host's platform, with every socket it opens and closes counted. */
function counted(host: Host): { p: Platform; open: number; closed: number } {
  const n = { p: host.platform as Platform, open: 0, closed: 0 };
  n.p = {
    ...host.platform,
    open: (o: OpenOptions) => {
      const s = host.platform.open(o);
      n.open++;
      return { ...s, join: s.join.bind(s), leave: s.leave.bind(s), send: s.send.bind(s), onMessage: s.onMessage.bind(s), close: () => { n.closed++; s.close(); } };
    },
  };
  return n;
}

function setup(shared: boolean): { lab: Lab; r: Responder; q: Querier; sockets: ReturnType<typeof counted> } {
  const lab = new Lab({ responder: { families: [4] } });
  lab.run(SETTLE);
  const host = lab.sim.host('h', [{ name: 'eth0', link: lab.lan, v4: `${H}/24` }]);
  const sockets = counted(host);
  // The querier first: without sharing, the responder's socket is the newest and takes unicast.
  const q = createQuerier(sockets.p, { families: [4] });
  const r = createResponder(sockets.p, shared ? { hostName: 'both', endpoint: q.endpoint } : { hostName: 'both', families: [4] });
  return { lab, r, q, sockets };
}

test('shared endpoint: one port-5353 socket per family; the unicast QU answer reaches the querier', () => {
  const { lab, q, sockets } = setup(true);
  assert.is(sockets.open, 1);
  const t = lab.now;
  const events: string[] = [];
  q.watch({ name: NAMES.host, type: T.A }, (ev, e) => events.push(`${ev} ${String(e.rec.data)}`), { qu: true });
  lab.run(500);
  const reply = lab.sent(t).find((p) => p.m.qr);
  assert.ok(reply && !reply.multicast && reply.dst === H, lab.dump(t));
  assert.equal(events, [`add ${R.v4}`]);
});

test('two endpoints on one host: the unicast QU answer goes to the newest socket and the querier misses it', () => {
  const { lab, q, sockets } = setup(false);
  assert.is(sockets.open, 2);
  const t = lab.now;
  const events: string[] = [];
  q.watch({ name: NAMES.host, type: T.A }, (ev) => events.push(ev), { qu: true });
  lab.run(500);
  assert.ok(lab.sent(t).some((p) => p.m.qr && !p.multicast && p.dst === H), lab.dump(t));
  assert.equal(events, []);
});

test('shared endpoint: the querier finds the service its own responder publishes (multicast loopback)', () => {
  const { lab, r, q } = setup(true);
  r.publish({ ...HTTP, name: 'Local' });
  const found: string[] = [];
  q.watch({ name: '_http._tcp.local', type: T.PTR }, (ev, e) => found.push(`${ev} ${String(e.rec.data)}`));
  lab.run(SETTLE);
  assert.ok(found.includes('add Local._http._tcp.local'), found.join('\n'));
  assert.is(r.counters.conflicts ?? 0, 0);
});

test('shared endpoint: the first engine to close leaves the other running; the last one closes the socket', async () => {
  const { lab, r, q, sockets } = setup(true);
  lab.run(SETTLE);
  await r.close();
  assert.is(sockets.closed, 0);
  const t = lab.now;
  const events: string[] = [];
  q.watch({ name: NAMES.host, type: T.A }, (ev) => events.push(ev));
  lab.run(500);
  assert.equal(events, ['add'], lab.dump(t));
  await q.close();
  assert.is(sockets.closed, 1);
});

test('bad arguments: options the shared endpoint owns, or an endpoint of another platform, are refused by name', () => {
  const lab = new Lab();
  const other = new Lab();
  assert.throws(() => createQuerier(lab.host.platform, { endpoint: lab.r.endpoint, families: [4] }), /families belongs to the shared endpoint/);
  assert.throws(() => createQuerier(other.host.platform, { endpoint: lab.r.endpoint }), /endpoint runs on another platform/);
  assert.throws(() => createQuerier(lab.host.platform, { endpoint: {} as never }), /endpoint must be an Endpoint/);
});

test.run();
