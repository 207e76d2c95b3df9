// The test side of a lab agent (test/lab/agent.ts): starts one inside a
// namespace and talks to it. call() sends a command and resolves with its
// result; next() hands out the agent's events in the order they came,
// skipping none of the ones a test does not ask for.
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import type { LogLevel, NetInterface } from '../../src/platform.js';
import type { Lab } from './netns.js';

export interface AgentOptions {
  interfaces?: string[];
  pollMs?: number;
  /** The Node backend (platform/node/backend.ts); default dgram. */
  backend?: 'raw' | 'dgram';
}

export type AgentCommand =
  | { cmd: 'interfaces' }
  | { cmd: 'open'; family: 4 | 6; port: number; group?: string }
  | { cmd: 'join' | 'leave'; sock: number; ifindex: number }
  | { cmd: 'send'; sock: number; hex: string; addr: string; port: number; ifindex?: number }
  | { cmd: 'close'; sock: number }
  | { cmd: 'exit' };

export interface AgentResults {
  interfaces: NetInterface[];
  open: number;
  join: null;
  leave: null;
  send: null;
  close: null;
  exit: null;
}

export type AgentEvent =
  | { event: 'ready' }
  | { event: 'message'; sock: number; hex: string; src: string; srcPort: number; ifindex?: number; dst?: string; ttl?: number }
  | { event: 'interfaces-changed'; list: NetInterface[] }
  | { event: 'log'; level: LogLevel; msg: string; data?: Record<string, unknown> };

/** A command line to the agent: an id to match the reply. */
export type AgentRequest = AgentCommand & { id: number };
export type AgentReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

type Of<K extends AgentEvent['event']> = Extract<AgentEvent, { event: K }>;

export interface Agent {
  readonly ns: string;
  call<C extends AgentCommand>(c: C, timeoutMs?: number): Promise<AgentResults[C['cmd']]>;
  /** The earliest event of this kind (that `where` accepts) not handed out yet; undefined when none comes within the time. */
  next<K extends AgentEvent['event']>(kind: K, where?: (e: Of<K>) => boolean, timeoutMs?: number): Promise<Of<K> | undefined>;
  /** Asks the agent to exit; kills it when it does not. */
  stop(): Promise<void>;
}

const AGENT = fileURLToPath(new URL('./agent.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Waiter { kind: string; where?: (e: never) => boolean; done(e: AgentEvent | undefined): void }

export async function startAgent(lab: Lab, ns: string, opts: AgentOptions = {}, startMs = 20000): Promise<Agent> {
  const child: ChildProcess = lab.spawn(ns, process.execPath, ['--no-warnings', '--loader', 'ts-node/esm', AGENT, JSON.stringify(opts)],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const events: AgentEvent[] = [];
  const waiters: Waiter[] = [];
  const replies = new Map<number, (r: AgentReply) => void>();
  let stderr = '';
  let exited: string | undefined;
  let serial = 0;

  const matches = (w: Waiter, e: AgentEvent): boolean => e.event === w.kind && (!w.where || (w.where as (e: AgentEvent) => boolean)(e));
  const dispatch = (e: AgentEvent): void => {
    const w = waiters.find((x) => matches(x, e));
    if (w) {
      waiters.splice(waiters.indexOf(w), 1);
      w.done(e);
    } else events.push(e);
  };

  let buf = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buf += chunk;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const m = JSON.parse(line) as AgentEvent | AgentReply;
      if ('event' in m) dispatch(m);
      else replies.get(m.id)?.(m);
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  child.on('exit', (code, signal) => {
    exited = `agent in ${ns} exited (${code ?? signal})${stderr ? `: ${stderr.trim()}` : ''}`;
    for (const r of [...replies.values()]) r({ id: -1, ok: false, error: exited });
    for (const w of waiters.splice(0)) w.done(undefined);
  });

  const next = <K extends AgentEvent['event']>(kind: K, where?: (e: Of<K>) => boolean, timeoutMs = 3000): Promise<Of<K> | undefined> =>
    new Promise((resolve) => {
      const w: Waiter = { kind, where: where as Waiter['where'], done: (e) => { clearTimeout(t); resolve(e as Of<K> | undefined); } };
      const i = events.findIndex((e) => matches(w, e));
      if (i >= 0) {
        resolve(events.splice(i, 1)[0] as Of<K>);
        return;
      }
      const t = setTimeout(() => {
        waiters.splice(waiters.indexOf(w), 1);
        resolve(undefined);
      }, exited ? 0 : timeoutMs);
      waiters.push(w);
    });

  const call = <C extends AgentCommand>(c: C, timeoutMs = 5000): Promise<AgentResults[C['cmd']]> =>
    new Promise((resolve, reject) => {
      if (exited) {
        reject(new Error(exited));
        return;
      }
      const id = ++serial;
      const t = setTimeout(() => {
        replies.delete(id);
        reject(new Error(`agent in ${ns}: no reply to ${c.cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      replies.set(id, (r) => {
        clearTimeout(t);
        replies.delete(id);
        if (r.ok) resolve(r.result as AgentResults[C['cmd']]);
        else reject(new Error(`agent in ${ns}: ${c.cmd}: ${r.error}`));
      });
      child.stdin!.write(`${JSON.stringify({ ...c, id })}\n`);
    });

  const ready = await next('ready', undefined, startMs);
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(exited ?? `agent in ${ns} did not start within ${startMs} ms: ${stderr.trim()}`);
  }

  return {
    ns,
    call,
    next,
    async stop() {
      if (exited) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      await call({ cmd: 'exit' }, 2000).catch(() => undefined);
      const t = setTimeout(() => child.kill('SIGKILL'), 2000);
      await gone;
      clearTimeout(t);
    },
  };
}
