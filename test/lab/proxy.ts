// Run inside a lab namespace: a border router, one Node process running a
// hush responder (IPv4 only) that registers clients as an advertising proxy
// when told on stdin. Options as JSON in argv[2]: { hostName, layout? }.
// Commands, one JSON line each:
//   {"cmd":"proxy","hostName":"dev","addresses":[...],"services":[...],"checksum":N}
//     registers with TSR data { received: now, checksum }
//   {"cmd":"exit"}   goodbyes, sockets closed, exit
// Output lines: 'ready', 'state <state> <hostName>' (the synchronous result
// of the registration), '<event> <json detail>' for each handle event, and
// 'closed' last.
import { createInterface } from 'node:readline';
import { createNodePlatform } from '../../platform/node/platform.js';
import { createResponder } from '../../src/mdns/responder.js';
import type { ProxyEvent } from '../../src/mdns/proxy.js';
import type { ServiceSpec } from '../../src/dnssd/records.js';
import type { TsrLayout } from '../../src/wire/index.js';

export interface ProxyOptions { hostName: string; layout?: TsrLayout }

export type ProxyCommand =
  | { cmd: 'proxy'; hostName: string; addresses: string[]; services: ServiceSpec[]; checksum: number }
  | { cmd: 'exit' };

const EVENTS: ProxyEvent[] = ['probing', 'established', 'renamed', 'stale', 'conflict', 'error'];

const opts = JSON.parse(process.argv[2] ?? '{}') as ProxyOptions;
const platform = createNodePlatform();
const r = createResponder(platform, { hostName: opts.hostName, families: [4], ...(opts.layout ? { tsr: { layout: opts.layout } } : {}) });

const say = (line: string): void => { process.stdout.write(`${line}\n`); };

async function exit(): Promise<void> {
  await r.close();
  await platform.close();
  say('closed');
  process.exit(0);
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const c = JSON.parse(line) as ProxyCommand;
  if (c.cmd === 'exit') {
    void exit();
    return;
  }
  const h = r.proxy({ hostName: c.hostName, addresses: c.addresses, services: c.services, tsr: { received: platform.now(), checksum: c.checksum } });
  for (const e of EVENTS) h.on(e, (detail) => say(`${e} ${JSON.stringify(detail ?? null)}`));
  say(`state ${h.state} ${h.hostName}`);
});
process.on('SIGTERM', () => void exit());
say('ready');
