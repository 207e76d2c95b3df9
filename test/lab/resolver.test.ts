// The stub resolver against a real unicast DNS server from Debian (dnsmasq),
// which ignores the MQTYPE option: the first A+AAAA lookup falls back to a
// separate AAAA query, and the server is remembered, so the next lookup asks
// without the option (draft-ietf-dnssd-multi-qtypes client rules); a reply
// too long for UDP is fetched again over TCP.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Lab } from './netns.js';
import { Proc, run } from './proc.js';
import { T } from '../../src/wire/index.js';

test('dnsmasq ignores MQTYPE: A+AAAA falls back to a second query once, then the server is asked without the option', async () => {
  const lab = new Lab('resolver');
  try {
    const [srv, cli] = lab.link(1, [{ ns: lab.netns('dns') }, { ns: lab.netns('client') }]);
    const dns = new Proc(lab, srv.ns, 'dnsmasq', ['--no-daemon', '--user=root', '--pid-file=', '--no-resolv', '--no-hosts',
      `--listen-address=${srv.v4}`, '--bind-interfaces', '--log-queries',
      '--host-record=printer.example.test,10.9.9.9,fd00::99', '--host-record=nas.example.test,10.9.9.10,fd00::100']);
    await dns.waitFor(/started/, 10_000);
    const p = await run(lab, cli.ns, process.execPath, ['--no-warnings', '--loader', 'ts-node/esm', 'test/lab/resolve.ts', srv.v4, 'printer.example.test', 'nas.example.test'], { timeoutMs: 30_000 });
    assert.is(p.status, 0, p.output);
    const [first, second] = p.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(first.results, [{ type: T.A, status: 'ok', data: ['10.9.9.9'] }, { type: T.AAAA, status: 'ok', data: ['fd00::99'] }]);
    assert.is(first.counters.mqtypeQueries, 1, 'the first lookup asked with MQTYPE');
    assert.is(first.counters.fallbacks, 1, 'and fell back when no MQTYPE-Response came');
    assert.is(first.mqtype, false, 'the server is remembered as not supporting MQTYPE');
    assert.equal(second.results, [{ type: T.A, status: 'ok', data: ['10.9.9.10'] }, { type: T.AAAA, status: 'ok', data: ['fd00::100'] }]);
    assert.is(second.counters.mqtypeQueries, 1, 'the second lookup did not use the option');
    // dnsmasq logged the three queries: A (with the option), AAAA (fallback), then A and AAAA for nas.
    await dns.waitFor(/query\[AAAA\] nas\.example\.test/, 5000);
    assert.is(dns.output.split('\n').filter((l) => /query\[A{1,4}\] printer\.example\.test/.test(l)).length, 2, dns.output);

    // The same through the command line, like dig.
    const q = await run(lab, cli.ns, process.execPath, ['--no-warnings', '--loader', 'ts-node/esm', 'platform/node/cli.ts', 'query', 'printer.example.test', 'A', 'AAAA', '--server', srv.v4], { timeoutMs: 30_000 });
    assert.is(q.status, 0, q.output);
    assert.match(q.stdout, /;; printer\.example\.test A: ok\nprinter\.example\.test\t\d+\tIN\tA\t10\.9\.9\.9/);
    assert.match(q.stdout, /;; printer\.example\.test AAAA: ok\nprinter\.example\.test\t\d+\tIN\tAAAA\tfd00::99/);
  } finally {
    lab.close();
  }
});

test('RFC 1123 §6.1.3.2: dnsmasq truncates a long UDP reply; the resolver asks again over TCP and gets every address', async () => {
  const lab = new Lab('resolver-tcp');
  try {
    const [srv, cli] = lab.link(1, [{ ns: lab.netns('dns') }, { ns: lab.netns('client') }]);
    const many = Array.from({ length: 40 }, (_, i) => `--host-record=many.example.test,10.8.0.${i + 1}`);
    const dns = new Proc(lab, srv.ns, 'dnsmasq', ['--no-daemon', '--user=root', '--pid-file=', '--no-resolv', '--no-hosts',
      `--listen-address=${srv.v4}`, '--bind-interfaces', '--log-queries', '--edns-packet-max=512', ...many]);
    await dns.waitFor(/started/, 10_000);
    const p = await run(lab, cli.ns, process.execPath, ['--no-warnings', '--loader', 'ts-node/esm', 'test/lab/resolve.ts', srv.v4, 'many.example.test'], { timeoutMs: 30_000 });
    assert.is(p.status, 0, p.output);
    const [r] = p.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const a = r.results.find((x: { type: number }) => x.type === T.A);
    assert.is(a.status, 'ok', p.stdout);
    assert.equal([...a.data].sort(), many.map((_, i) => `10.8.0.${i + 1}`).sort());
    assert.ok(r.counters.tcp >= 1, 'the A query went again over TCP');
    assert.is(r.counters.tcpFailed, 0);
    // dnsmasq logs TCP queries with their source port like UDP ones; it saw the A query at least twice (UDP, then TCP).
    await dns.waitFor(/query\[A\] many\.example\.test/, 5000);
    assert.ok(dns.output.split('\n').filter((l) => /query\[A\] many\.example\.test/.test(l)).length >= 2, dns.output);
  } finally {
    lab.close();
  }
});

test('a server that follows the MQTYPE rules answers A+AAAA in one exchange: one query with option 20, no fallback', async () => {
  const lab = new Lab('resolver-mq');
  try {
    const [srv, cli] = lab.link(1, [{ ns: lab.netns('dns') }, { ns: lab.netns('client') }]);
    const server = new Proc(lab, srv.ns, process.execPath, ['--no-warnings', '--loader', 'ts-node/esm', 'test/lab/dns-server.ts']);
    await server.waitFor(/^ready$/, 20_000);
    const p = await run(lab, cli.ns, process.execPath, ['--no-warnings', '--loader', 'ts-node/esm', 'test/lab/resolve.ts', srv.v4, 'www.example'], { timeoutMs: 30_000 });
    assert.is(p.status, 0, p.output);
    const [r] = p.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(r.results, [{ type: T.A, status: 'ok', data: ['192.0.2.80'] }, { type: T.AAAA, status: 'ok', data: ['2001:db8::80'] }]);
    assert.is(r.counters.mqtypeQueries, 1);
    assert.is(r.counters.fallbacks, 0);
    assert.is(r.mqtype, true, 'the server is remembered as supporting MQTYPE');
    await server.waitFor(/"question"/, 2000);
    const queries = server.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    assert.equal(queries, [{ question: { name: 'www.example', type: T.A, class: 1, qu: false }, mqtype: [[T.AAAA]] }], server.stdout);
  } finally {
    lab.close();
  }
});

test.run();
