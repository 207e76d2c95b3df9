// Run inside a lab namespace: resolves names through the stub resolver on
// the Node platform and prints one JSON line per resolve (results, counters,
// whether the server is believed to support MQTYPE).
//   node --loader ts-node/esm test/lab/resolve.ts SERVER NAME [NAME ...]
import { Resolver } from '../../src/resolver/index.js';
import { T } from '../../src/wire/index.js';
import { createNodePlatform } from '../../platform/node/platform.js';

const [server, ...names] = process.argv.slice(2);
const p = createNodePlatform();
const r = new Resolver(p, { servers: [{ addr: server }] });
for (const name of names) {
  const results = await r.resolve(name, [T.A, T.AAAA]);
  console.log(JSON.stringify({
    name, counters: r.counters, mqtype: r.supportsMqtype({ addr: server }) ?? null,
    results: results.map((x) => ({ type: x.type, status: x.status, data: x.records.map((rec) => rec.data) })),
  }));
}
r.close();
await p.close();
