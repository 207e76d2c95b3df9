// The device build's config checks are generated from the same TypeBox
// schemas as the Node side's (DESIGN.md §3): the generated table is current,
// and on valid and broken configs the small checker agrees with TypeBox on
// whether the input is valid and on which field is wrong.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { DeviceConfig } from '../../platform/schema.js';
import { check } from '../../platform/quickjs/checks.js';
import { DEVICE_CONFIG } from '../../platform/quickjs/rules.gen.js';
import { generate, rule } from '../../scripts/gen-checks.js';

test('platform/quickjs/rules.gen.ts is what scripts/gen-checks.ts makes from platform/schema.ts today', () => {
  assert.is(readFileSync(new URL('../../platform/quickjs/rules.gen.ts', import.meta.url), 'utf8'), generate());
});

const good = {
  hostName: 'br', families: [4, 6], tsr: { layout: 'draft', code: 65002 }, tsrSkew: 2000,
  services: [{ name: 'My Web', type: '_http._tcp', port: 80, txt: { path: '/', flag: true }, subtypes: ['_printer'] }],
  upstreams: [{ addr: '192.0.2.53' }, { addr: '2001:db8::53', port: 5353 }], cacheSize: 500, logLevel: 'info',
};

const broken: [string, unknown][] = [
  ['/hostName', { ...good, hostName: 'bad name' }],
  ['/hostName', { services: [] }],
  ['/families/1', { ...good, families: [4, 5] }],
  ['/tsr/layout', { ...good, tsr: { layout: 'sideways' } }],
  ['/families', { ...good, families: [] }],
  ['/tsrSkew', { ...good, tsrSkew: -1 }],
  ['/services/0/name', { ...good, services: [{ name: 'x'.repeat(64), type: '_http._tcp', port: 1 }] }],
  ['/services/0/name', { ...good, services: [{ name: '', type: '_http._tcp', port: 1 }] }],
  ['/services/0/type', { ...good, services: [{ name: 'A', type: 'http', port: 1 }] }],
  ['/services/0/port', { ...good, services: [{ name: 'A', type: '_http._tcp', port: 70000 }] }],
  ['/services/0/txt/a=b', { ...good, services: [{ name: 'A', type: '_http._tcp', port: 1, txt: { 'a=b': 'c' } }] }],
  ['/upstreams/0/addr', { ...good, upstreams: [{ addr: 7 }] }],
  ['/logLevel', { ...good, logLevel: 'loud' }],
  ['/extra', { ...good, extra: 1 }],
  ['/constructor', { ...good, constructor: 1 }],
  ['/', 'not an object'],
];

test('the generated checker accepts what TypeBox accepts and names the field TypeBox names', () => {
  assert.ok(Value.Check(DeviceConfig, good));
  assert.is(check(DEVICE_CONFIG, good), undefined);
  for (const [field, config] of broken) {
    assert.not.ok(Value.Check(DeviceConfig, config), field);
    const mine = check(DEVICE_CONFIG, config);
    assert.ok(mine !== undefined && mine.startsWith(`${field}:`), `${field}: got ${mine}`);
    const theirs = [...Value.Errors(DeviceConfig, config)].map((e) => e.path || '/');
    assert.ok(theirs.includes(field), `${field}: TypeBox says ${theirs.join(', ')}`);
  }
});

test('bounds are told with what was expected', () => {
  assert.is(check(DEVICE_CONFIG, { ...good, families: [] }), '/families: expected at least 1 items');
  assert.is(check(DEVICE_CONFIG, { ...good, tsrSkew: 60001 }), '/tsrSkew: expected at most 60000');
  assert.is(check(DEVICE_CONFIG, { ...good, services: [{ name: 'x'.repeat(64), type: '_http._tcp', port: 1 }] }), '/services/0/name: expected at most 63 characters');
});

test('gen-checks refuses, naming the place, every schema the checker could not check', () => {
  const refused: [string, Record<string, unknown>][] = [
    ["schema keyword 'format'", { type: 'string', format: 'ipv4' }],
    ['a union of two types', { anyOf: [{ type: 'string' }, { type: 'integer', minimum: 0 }] }],
    ["type 'number'", { type: 'number' }],
    ['an integer without a minimum', { type: 'integer', maximum: 3 }],
    ["a pattern on type 'integer'", { type: 'integer', minimum: 0, pattern: '^1$' }],
    ['a list without an item schema', { type: 'array' }],
    ['additionalProperties other than false', { type: 'object', properties: {}, additionalProperties: true }],
  ];
  for (const [why, schema] of refused) {
    assert.throws(() => rule({ type: 'object', properties: { x: schema } }), (e: Error) => e.message.includes(`/x: ${why}`), why);
  }
});

test.run();
