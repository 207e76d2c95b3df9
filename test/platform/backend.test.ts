// Choosing the Node backend (issue 7): raw when the device loads, dgram with
// one warning under 'auto' when it does not, an error naming why under
// 'raw', and a typed error for a backend that does not exist. No socket is
// opened: the device is the in-memory one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPlatform } from '../../platform/node/backend.js';
import type { Backend } from '../../platform/node/backend.js';
import { FakeDevice, iface } from '../raw/fake-device.js';

const NO_DEVICE = { why: 'no CAP_NET_RAW for raw sockets (probe: socket(AF_PACKET): Operation not permitted)' };

function logged(): { lines: { level: string; msg: string }[]; log: (level: string, msg: string) => void } {
  const lines: { level: string; msg: string }[] = [];
  return { lines, log: (level, msg) => { lines.push({ level, msg }); } };
}

test('auto without the device: dgram, and one warning that says why and how to silence it', async () => {
  const l = logged();
  const p = createPlatform({ backend: 'auto', log: l.log }, () => NO_DEVICE);
  assert.is(p.backend, 'dgram');
  assert.is(l.lines.length, 1);
  assert.is(l.lines[0].level, 'warn');
  assert.match(l.lines[0].msg, 'no CAP_NET_RAW');
  assert.match(l.lines[0].msg, '--backend dgram');
  await p.close();
});

test('auto with the device: raw, on the device\'s interfaces, and no warning', async () => {
  const l = logged();
  const device = new FakeDevice([iface(2, 'eth0', '02:00:00:00:00:02', ['10.0.0.2/24', 'fe80::2/64'])]);
  const p = createPlatform({ log: l.log }, () => ({ device }));
  assert.is(p.backend, 'raw');
  assert.equal(p.interfaces().map((i) => i.name), ['eth0']);
  assert.equal(l.lines, []);
  await p.close();
});

test('raw without the device is an error that says why; dgram never asks for it', async () => {
  assert.throws(() => createPlatform({ backend: 'raw' }, () => NO_DEVICE), /raw backend is not available: no CAP_NET_RAW/);
  let asked = false;
  const p = createPlatform({ backend: 'dgram' }, () => { asked = true; return NO_DEVICE; });
  assert.is(p.backend, 'dgram');
  assert.not.ok(asked);
  await p.close();
});

test('an unknown backend is refused, naming the option', () => {
  assert.throws(() => createPlatform({ backend: 'pcap' as Backend }), (e: unknown) => e instanceof TypeError && /backend must be one of auto, raw, dgram, got pcap/.test(e.message));
});

test.run();
