// The command line rejects bad input before any socket opens: the message
// names the field (and the file), the exit status is 2; decode reports a
// malformed packet with its offset.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function hush(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--no-warnings', '--loader', 'ts-node/esm', 'platform/node/cli.ts', ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'hush-cli-'));

test('hush publish: a service type that is not _name._tcp/_udp is refused, naming /type', () => {
  const r = hush('publish', 'My Web', 'http', '8080');
  assert.is(r.status, 2);
  assert.match(r.stderr, /service \/type: Expected string to match/);
});

test('hush publish: a port over 65535 is refused, naming /port', () => {
  const r = hush('publish', 'My Web', '_http._tcp', '70000');
  assert.is(r.status, 2);
  assert.match(r.stderr, /service \/port: .*65535/);
});

test('hush browse / publish: an unknown --backend is refused, naming the option and the choices', () => {
  for (const args of [['browse', '_http._tcp', '--backend', 'pcap'], ['publish', 'My Web', '_http._tcp', '8080', '--backend', 'pcap']]) {
    const r = hush(...args);
    assert.is(r.status, 2);
    assert.match(r.stderr, '--backend must be auto, raw, dgram, got pcap');
  }
});

test('hush run --config: a bad field is reported with the file and the field', () => {
  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify({ hostName: 'box', services: [{ name: 'A', type: '_http._tcp', port: 80, txt: { 'a=b': 'c' } }] }));
  const r = hush('run', '--config', file);
  assert.is(r.status, 2);
  assert.ok(r.stderr.includes(`${file} /services/0/txt/a=b: Unexpected property`), r.stderr);
});

test('hush run --config: unreadable JSON is reported with the file', () => {
  const file = join(dir, 'broken.json');
  writeFileSync(file, '{"hostName": ');
  const r = hush('run', '--config', file);
  assert.is(r.status, 2);
  assert.ok(r.stderr.includes(`${file}: cannot read JSON`), r.stderr);
});

test('hush decode: a truncated packet is reported with offset and reason, exit 1', () => {
  const r = hush('decode', '0000ffff');
  assert.is(r.status, 1);
  assert.match(r.stderr, /malformed packet: truncated header: 12 bytes needed, 4 left at offset 0/);
});

test('hush decode: a query prints as JSON', () => {
  const r = hush('decode', '0000000000010000000000000474657374056c6f63616c0000ff0001');
  assert.is(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).questions, [{ name: 'test.local', type: 255, class: 1, qu: false }]);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
