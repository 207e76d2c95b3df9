// A lab peer: the Node platform run inside a network namespace (started as
// `ip netns exec NS node --loader ts-node/esm test/lab/agent.ts '{options}'`),
// driven by JSON lines on stdin and reporting on stdout. Commands and events
// are typed in agent-client.ts, which is how tests start and drive it.
import { createInterface } from 'node:readline';
import type { Socket } from '../../src/platform.js';
import { createPlatform } from '../../platform/node/backend.js';
import type { AgentEvent, AgentOptions, AgentReply, AgentRequest } from './agent-client.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as AgentOptions;

const emit = (m: AgentEvent | AgentReply): void => { process.stdout.write(`${JSON.stringify(m)}\n`); };

const platform = createPlatform({
  ...opts,
  backend: opts.backend ?? 'dgram',
  log: (level, msg, data) => emit({ event: 'log', level, msg, ...(data ? { data: data as Record<string, unknown> } : {}) }),
});
platform.onInterfaces((list) => emit({ event: 'interfaces-changed', list }));

const sockets: Socket[] = [];

function socket(n: number): Socket {
  const s = sockets[n];
  if (!s) throw new Error(`no socket ${n}`);
  return s;
}

function run(r: AgentRequest): unknown {
  switch (r.cmd) {
    case 'interfaces':
      return platform.interfaces();
    case 'open': {
      const s = platform.open({ family: r.family, port: r.port, group: r.group });
      const n = sockets.push(s) - 1;
      s.onMessage((data, meta) => emit({ event: 'message', sock: n, hex: Buffer.from(data).toString('hex'), ...meta }));
      return n;
    }
    case 'join':
      socket(r.sock).join(r.ifindex);
      return null;
    case 'leave':
      socket(r.sock).leave(r.ifindex);
      return null;
    case 'send':
      socket(r.sock).send(Buffer.from(r.hex, 'hex'), { addr: r.addr, port: r.port, ifindex: r.ifindex });
      return null;
    case 'close':
      socket(r.sock).close();
      return null;
    case 'exit':
      platform.close();
      process.stdin.destroy();
      return null;
  }
}

// Without its test (stdin closed) the agent lets go of its sockets and ends.
createInterface({ input: process.stdin }).on('close', () => platform.close()).on('line', (line) => {
  const r = JSON.parse(line) as AgentRequest;
  try {
    emit({ id: r.id, ok: true, result: run(r) });
  } catch (e) {
    emit({ id: r.id, ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});
emit({ event: 'ready' });
