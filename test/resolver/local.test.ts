// resolve(name, types) for .local names goes through the mDNS querier
// (issue 4: "`.local` names and link-local reverse names through the querier").
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Sim } from '../../platform/sim/index.js';
import { createResponder } from '../../src/mdns/responder.js';
import { createQuerier } from '../../src/mdns/querier.js';
import { Resolver, mdnsLookup } from '../../src/resolver/index.js';
import { T } from '../../src/wire/index.js';

function setup() {
  const sim = new Sim({ seed: 5 });
  const lan = sim.link('lan');
  const a = sim.host('a', [{ name: 'eth0', link: lan, v4: '192.168.3.10/24', v6: 'fe80::10/64' }]);
  const b = sim.host('b', [{ name: 'eth0', link: lan, v4: '192.168.3.20/24', v6: 'fe80::20/64' }]);
  createResponder(a.platform, { hostName: 'alpha' });
  sim.run(3000);
  const q = createQuerier(b.platform);
  const r = new Resolver(b.platform, { servers: [], local: mdnsLookup(q, 1000) });
  return { sim, r };
}

test('resolve("alpha.local", [A, AAAA]) asks mDNS and returns both address types', async () => {
  const { sim, r } = setup();
  const p = r.resolve('alpha.local', [T.A, T.AAAA]);
  sim.run(1500);
  const results = await p;
  assert.equal(results.map((x) => [x.type, x.status, x.records.map((rec) => rec.data)]), [[T.A, 'ok', ['192.168.3.10']], [T.AAAA, 'ok', ['fe80::10']]]);
});

test('resolve of a .local name nobody holds ends in timeout, not an invented negative answer', async () => {
  const { sim, r } = setup();
  const p = r.resolve('nobody.local', [T.A]);
  sim.run(1500);
  assert.equal((await p).map((x) => [x.type, x.status, x.records.length]), [[T.A, 'timeout', 0]]);
});

test('a link-local reverse name (169.254/16) resolves to the host name through mDNS (RFC 6762 §4)', async () => {
  const sim = new Sim({ seed: 6 });
  const lan = sim.link('lan');
  const a = sim.host('a', [{ name: 'eth0', link: lan, v4: '169.254.5.5/16' }]);
  const b = sim.host('b', [{ name: 'eth0', link: lan, v4: '169.254.7.7/16' }]);
  createResponder(a.platform, { hostName: 'alpha' });
  sim.run(3000);
  const r = new Resolver(b.platform, { servers: [], local: mdnsLookup(createQuerier(b.platform), 1000) });
  const p = r.resolve('5.5.254.169.in-addr.arpa', [T.PTR]);
  sim.run(1500);
  assert.equal((await p).map((x) => [x.status, x.records.map((rec) => rec.data)]), [['ok', ['alpha.local']]]);
});

test.run();
