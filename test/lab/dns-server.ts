// Run inside a lab namespace: the test DNS server of test/resolver/server.ts
// on Node's sockets, following the MQTYPE server rules of
// draft-ietf-dnssd-multi-qtypes. Prints one JSON line per query it answers.
//   node --loader ts-node/esm test/lab/dns-server.ts
import { createNodePlatform } from '../../platform/node/platform.js';
import { RECORDS, ZONE, mqtypeOpts, serve } from '../resolver/server.js';
import { OPT } from '../../src/wire/index.js';

const server = serve(createNodePlatform(), 4, { mode: 'mqtype', records: RECORDS, zone: ZONE });
let seen = 0;
setInterval(() => {
  for (; seen < server.queries.length; seen++) {
    const q = server.queries[seen];
    console.log(JSON.stringify({ question: q.questions[0], mqtype: mqtypeOpts(q, OPT.MQTYPE_QUERY) }));
  }
}, 20);
console.log('ready');
