// Run by build/qjs/qjs inside a lab namespace: starts the device program
// (dist/hush.mjs reads the config named by scriptArgs[1]) and then
// drives it through globalThis.hush, as an embedding program would: browse
// for _http._tcp and resolve a host, each result one JSON line on stdout.
//   qjs test/lab/qjs-driver.js CONFIG.json BROWSE_TYPE HOST.local
import * as std from 'std';
import * as os from 'os';
import '../../dist/hush.mjs';

const say = (o) => { std.out.puts(JSON.stringify(o) + '\n'); std.out.flush(); };
const [, , type, host] = scriptArgs;
say({ ready: globalThis.hush.hostName() });
globalThis.hush.browse(type, (e) => say({ browse: e.kind, instance: e.instance }));
os.setTimeout(() => globalThis.hush.resolve(host, [1, 28], (results) => say({ resolve: host, results: results.map((r) => ({ type: r.type, status: r.status, data: r.records.map((x) => x.data) })) })), 3000);
os.setTimeout(() => say({ counters: globalThis.hush.counters() }), 6000);
