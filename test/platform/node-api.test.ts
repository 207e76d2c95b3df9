// The Node API (platform/node/index.ts) checks options and proxy
// registrations against the TypeBox schemas before the engine sees them;
// run here on a sim host, so no socket opens.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Sim } from '../../platform/sim/index.js';
import { ConfigError, createResponder } from '../../platform/node/index.js';

function node() {
  const sim = new Sim({ seed: 3 });
  const host = sim.host('h', [{ name: 'eth0', link: sim.link('lan'), v4: '192.168.9.2/24' }]);
  return { sim, r: createResponder({ hostName: 'br', families: [4], tsr: { layout: 'draft' }, tsrSkew: 1000 }, host.platform) };
}

test('TSR options are checked by name: layout, code, skew', () => {
  const { sim } = node();
  const p = sim.host('x', []).platform;
  const bad = (o: object, field: RegExp) => {
    let e: unknown;
    try {
      createResponder({ hostName: 'br', ...o } as never, p);
    } catch (x) {
      e = x;
    }
    assert.ok(e instanceof ConfigError, String(e));
    assert.match((e as Error).message, field);
  };
  bad({ tsr: { layout: 'sideways' } }, /\/tsr\/layout/);
  bad({ tsr: { code: 70000 } }, /\/tsr\/code/);
  bad({ tsrSkew: -5 }, /\/tsrSkew/);
});

test('proxy(): a valid registration probes; bad fields are refused naming them', () => {
  const { sim, r } = node();
  const h = r.proxy({ hostName: 'dev', addresses: ['192.168.9.99'], services: [{ name: 'Dev', type: '_http._tcp', port: 80 }], tsr: { received: sim.now, checksum: 7 } });
  assert.is(h.state, 'probing');
  sim.run(5000);
  assert.is(h.state, 'established');
  const refused = (spec: object, field: RegExp) => assert.throws(() => r.proxy(spec as never), (e: Error) => e instanceof ConfigError && field.test(e.message));
  refused({ hostName: 'dev', addresses: [] }, /\/addresses/);
  refused({ hostName: 'de v', addresses: ['192.168.9.99'] }, /\/hostName/);
  refused({ hostName: 'dev', addresses: ['192.168.9.99'], tsr: { received: 0, checksum: -1 } }, /\/tsr\/checksum/);
  refused({ hostName: 'dev', addresses: ['192.168.9.99'], services: [{ name: 'A', type: 'http', port: 1 }] }, /\/services\/0\/type/);
});

test.run();
