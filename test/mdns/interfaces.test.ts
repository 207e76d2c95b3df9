// A/AAAA per interface (RFC 6762 §6.2, §14) and following interface and
// address changes: probe and announce on a new interface only (§8), goodbye
// for an address that went away (§10.1), re-announce on a new one (§8.4).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encode, message, T } from '../../src/wire/index.js';
import type { Link } from '../../platform/sim/index.js';
import { find, HTTP, isProbe, isResponse, keys, Lab, MDNS, NAMES, q, R, SETTLE } from './harness.js';

const WIFI = { v4: '10.0.0.1', v6: 'fe80::1:1' };
const WIFI_REV4 = '1.0.0.10.in-addr.arpa';

/** The responder on 'lan' (eth0) and 'wifi' (wlan0), with a second peer 'w' on wifi. */
function twoLinks(): { lab: Lab; wifi: Link } {
  let wifi!: Link;
  const lab = new Lab({
    responder: { families: [4] },
    ifaces: (sim, lan) => {
      wifi = sim.link('wifi');
      return [
        { name: 'eth0', link: lan, v4: `${R.v4}/24`, v6: `${R.v6}/64` },
        { name: 'wlan0', link: wifi, v4: `${WIFI.v4}/24`, v6: `${WIFI.v6}/64` },
      ];
    },
  });
  lab.sim.host('w', [{ name: 'wlan0', link: wifi, v4: '10.0.0.2/24', v6: 'fe80::2/64' }]);
  return { lab, wifi };
}

const addresses = (recs: { type: number; data: unknown }[]): unknown[] => recs.filter((r) => r.type === T.A || r.type === T.AAAA).map((r) => r.data).sort();

test('rfc6762 §6.2/§14 a host on two links probes, announces and answers on each link only with that interface\'s addresses', () => {
  const { lab } = twoLinks();
  lab.r.publish(HTTP);
  lab.run(SETTLE);
  const own = { lan: [R.v4, R.v6].sort(), wifi: [WIFI.v4, WIFI.v6].sort() };
  for (const link of ['lan', 'wifi'] as const) {
    const sent = lab.sent(0, { link });
    assert.is(sent.filter(isProbe).length, 3, lab.dump());
    assert.is(sent.filter(isResponse).length, 2, lab.dump());
    // "...it MUST include all addresses that are valid on the interface on which it is sending the message, and MUST NOT include addresses that are not valid on that interface"
    for (const p of sent) assert.equal(addresses([...p.m.answers, ...p.m.authorities, ...p.m.additionals]), own[link], `${link}: ${lab.dump()}`);
    const rev = sent.filter(isResponse).flatMap((p) => p.m.answers).filter((r) => r.type === T.PTR && r.name.endsWith('.arpa')).map((r) => r.name).sort();
    assert.equal(rev, link === 'lan' ? [NAMES.rev6, NAMES.rev4, NAMES.rev6, NAMES.rev4].sort() : rev.filter((n) => n !== NAMES.rev4 && n !== NAMES.rev6));
  }
  // Queries on each link.
  const t = lab.now;
  lab.ask([q(NAMES.host, T.A)]);
  lab.sim.hosts.get('w')!.platform.open({ family: 4, port: 5353 }).send(encode(message({ questions: [q(NAMES.host, T.A)] })), { addr: MDNS[4], port: 5353 });
  lab.run(1000);
  for (const link of ['lan', 'wifi'] as const) {
    const got = lab.sent(t, { link }).filter(isResponse);
    assert.is(got.length, 1, lab.dump(t));
    assert.equal(addresses([...got[0].m.answers, ...got[0].m.additionals]), own[link], lab.dump(t));
  }
  // A reverse query for the wifi address is not answered on lan.
  const t2 = lab.now;
  lab.ask([q(WIFI_REV4, T.PTR)]);
  lab.run(1000);
  assert.is(lab.sent(t2).length, 0, lab.dump(t2));
});

test('rfc6762 §8 a new interface: probe and announce there only; the other link stays quiet', () => {
  const lab = new Lab({ responder: { families: [4] } });
  lab.r.publish(HTTP);
  lab.run(SETTLE);
  const wifi = lab.sim.link('wifi');
  const t = lab.now;
  lab.host.setInterfaces([
    { name: 'eth0', link: lab.lan, v4: `${R.v4}/24`, v6: `${R.v6}/64` },
    { name: 'wlan0', link: wifi, v4: `${WIFI.v4}/24`, v6: `${WIFI.v6}/64` },
  ]);
  lab.run(SETTLE);
  // §8: "...receives an indication of a network interface 'Link Change' event ... it MUST perform the two startup steps"
  assert.is(lab.sent(t, { link: 'lan' }).length, 0, lab.dump(t));
  const sent = lab.sent(t, { link: 'wifi' });
  assert.is(sent.filter(isProbe).length, 3, lab.dump(t));
  assert.is(sent.filter(isResponse).length, 2, lab.dump(t));
  assert.is(sent.length, 5);
  for (const p of sent) assert.equal(addresses([...p.m.answers, ...p.m.authorities]), [WIFI.v4, WIFI.v6].sort());
  assert.ok(sent.filter(isResponse).every((p) => find(p.m.answers, 'My Web._http._tcp.local', T.SRV).length === 1));
});

test('rfc6762 §8 an interface that goes down and up again: probe and announce there again', () => {
  const lab = new Lab({ responder: { families: [4] } });
  lab.r.publish(HTTP);
  lab.run(SETTLE);
  lab.host.ifDown('eth0');
  lab.run(SETTLE);
  const t = lab.now;
  lab.host.ifUp('eth0');
  lab.run(SETTLE);
  // §8: "...receives an indication of a network interface 'Link Change' event ... it MUST perform the two startup steps"
  const sent = lab.sent(t);
  assert.is(sent.filter(isProbe).length, 3, lab.dump(t));
  assert.is(sent.filter(isResponse).length, 2, lab.dump(t));
  assert.ok(sent.filter(isResponse).every((p) => find(p.m.answers, 'My Web._http._tcp.local', T.SRV).length === 1));
});

test('rfc6762 §10.1 a removed address: a goodbye for its A record (and reverse PTR), no re-probe, nothing else', () => {
  const lab = new Lab({
    responder: { families: [4] },
    ifaces: (_sim, lan) => [{ name: 'eth0', link: lan, v4: [`${R.v4}/24`, '192.168.1.11/24'], v6: `${R.v6}/64` }],
  });
  lab.run(SETTLE);
  const t = lab.now;
  lab.host.removeAddress('eth0', '192.168.1.11');
  lab.run(SETTLE);
  const sent = lab.sent(t);
  assert.is(sent.length, 1, lab.dump(t));
  assert.equal(keys(sent[0].m.answers.filter((r) => r.type !== T.NSEC)), ['11.1.168.192.in-addr.arpa PTR! 0', 'hush.local A! 0']);
  assert.is(find(sent[0].m.answers, NAMES.host, T.A)[0].data, '192.168.1.11');
  // The address is no longer answered.
  const t2 = lab.now;
  lab.ask([q(NAMES.host, T.A)]);
  lab.run(1000);
  const got = lab.sent(t2).filter(isResponse);
  assert.is(got.length, 1);
  assert.equal(find(got[0].m.answers, NAMES.host, T.A).map((r) => r.data), [R.v4]);
});

test('rfc6762 §8.4/§10.2 a new address: re-announced twice without probing, with the whole A RRSet of the interface', () => {
  const lab = new Lab({ responder: { families: [4] } });
  lab.run(SETTLE);
  const t = lab.now;
  lab.host.addAddress('eth0', '192.168.1.11/24');
  lab.run(SETTLE);
  const sent = lab.sent(t);
  // §8.4: "...if any of a host's IP addresses change, it MUST re-announce those address records."
  assert.is(sent.filter((p) => !p.m.qr).length, 0, 'no probe: the name is already ours');
  assert.is(sent.length, 2, lab.dump(t));
  assert.is(sent[1].t - sent[0].t, 1000);
  for (const p of sent) {
    // §10.2: "Any time a host sends a response packet containing some members of a unique RRSet, it MUST send the entire RRSet" -
    // the cache-flush bit on 192.168.1.11 alone would flush 192.168.1.10 from every cache.
    assert.equal(find(p.m.answers, NAMES.host, T.A).map((r) => r.data).sort(), [R.v4, '192.168.1.11'], lab.dump(t));
  }
});

test.run();
