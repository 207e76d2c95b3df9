// Run inside a lab namespace: one Node process that publishes a service with
// createResponder and browses the same type through responder.querier(), on
// one set of sockets. Prints 'ready', then one JSON line per browse event;
// SIGTERM says goodbye and exits.
//   node --loader ts-node/esm test/lab/publish-browse.ts NAME TYPE PORT
import { createResponder } from '../../platform/node/index.js';
import { browse } from '../../src/dnssd/browse.js';

const [name, type, port] = process.argv.slice(2);
const r = createResponder({ hostName: 'hushboth' });
r.publish({ name, type, port: Number(port) });
const stop = browse(r.querier(), type, (e) => console.log(JSON.stringify({ kind: e.kind, instance: e.instance })));
console.log('ready');
process.on('SIGTERM', () => {
  stop.stop();
  void r.close().then(() => process.exit(0));
});
