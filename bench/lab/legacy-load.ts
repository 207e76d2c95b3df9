// Legacy unicast load generator (RFC 6762 §6.7): sends one-question queries
// from ordinary ephemeral ports (never 5353) straight to a responder's
// unicast address on port 5353, at a fixed rate for a fixed time, matches
// each reply to its query by socket and random ID, checks it, and prints
//   {"sent","answered","bad","rate","seconds","elapsed_s","p50_ms","p99_ms"}
// Run it inside a lab namespace, never on the host's interfaces:
//   ip netns exec NS node --no-warnings --loader ts-node/esm bench/lab/legacy-load.ts \
//     --target 10.1.0.1 --name host.local --type A --rate 1000 --seconds 5 [--expect 10.1.0.1]
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Lab } from '../../test/lab/netns.js';
import { run } from '../../test/lab/proc.js';
import { decode, encode, message, nameEq } from '../../src/wire/index.js';
import { T } from '../../src/wire/types.js';
import type { Message } from '../../src/wire/types.js';

/** Hard caps: the load is bounded whatever the caller asks. */
export const MAX_RATE = 200_000;
export const MAX_SECONDS = 30;

export interface LoadOptions {
  target: string;
  name: string;
  /** RR type mnemonic from src/wire's T (default 'A'). */
  type?: string;
  rate: number;
  seconds: number;
  /** Answer data a reply must carry to count (e.g. the address of an A record). */
  expect?: string;
  /** A query without a reply after this long is lost (default 1000). */
  timeoutMs?: number;
}

export interface LoadResult {
  sent: number;
  /** Replies that echo the question and answer it (with `expect`'s data when given). */
  answered: number;
  /** Replies to our queries that were wrong. */
  bad: number;
  rate: number;
  seconds: number;
  /** How long sending actually took. */
  elapsed_s: number;
  p50_ms: number;
  p99_ms: number;
}

/** Latency histogram with 10 µs buckets up to the timeout. */
class Histogram {
  private readonly counts: Uint32Array;
  private total = 0;
  constructor(maxMs: number) {
    this.counts = new Uint32Array(Math.ceil(maxMs * 100) + 1);
  }
  add(ms: number): void {
    this.counts[Math.min(this.counts.length - 1, Math.max(0, Math.round(ms * 100)))]++;
    this.total++;
  }
  quantile(q: number): number {
    if (this.total === 0) return NaN;
    const want = Math.ceil(q * this.total);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) if ((seen += this.counts[i]) >= want) return i / 100;
    return NaN;
  }
}

/** §6.7: the reply echoes the question; an answer of the asked name and type carries the expected data. */
function good(m: Message, name: string, type: number, expect: string | undefined): boolean {
  if (!m.qr || m.rcode !== 0) return false;
  const q = m.questions[0];
  if (!q || !nameEq(q.name, name) || q.type !== type) return false;
  return m.answers.some((r) => nameEq(r.name, name) && r.type === type && (expect === undefined || r.data === expect));
}

export async function load(o: LoadOptions): Promise<LoadResult> {
  const type = T[(o.type ?? 'A') as keyof typeof T];
  if (type === undefined) throw new Error(`unknown type ${o.type}`);
  if (!(o.rate > 0 && o.rate <= MAX_RATE)) throw new Error(`rate must be in (0, ${MAX_RATE}]`);
  if (!(o.seconds > 0 && o.seconds <= MAX_SECONDS)) throw new Error(`seconds must be in (0, ${MAX_SECONDS}]`);
  const timeoutMs = o.timeoutMs ?? 1000;
  const total = Math.floor(o.rate * o.seconds);
  // RFC 6762 §6.7 legacy query: ID chosen by the querier, plain (QM) question.
  const template = encode(message({ questions: [{ name: o.name, type, class: 1, qu: false }] }));
  // One socket per 20,000 queries/s keeps the outstanding IDs of each well below 65,536.
  const sockets = Array.from({ length: Math.min(16, Math.ceil(o.rate / 20_000)) }, () =>
    dgram.createSocket({ type: isIPv6(o.target) ? 'udp6' : 'udp4', recvBufferSize: 1 << 22 }));
  // Send time per (socket, id); 0 = free.
  const pending = sockets.map(() => new Float64Array(65536));
  // Sends in order, to expire unanswered ones: socket * 65536 + id, and time.
  const ring = Math.ceil(o.rate * (timeoutMs / 1000 + 1)) + 1024;
  const queueKey = new Uint32Array(ring), queueTime = new Float64Array(ring);
  let head = 0, tail = 0;
  const hist = new Histogram(timeoutMs);
  const res: LoadResult = { sent: 0, answered: 0, bad: 0, rate: o.rate, seconds: o.seconds, elapsed_s: 0, p50_ms: NaN, p99_ms: NaN };
  const now = (): number => performance.now();

  sockets.forEach((s, k) => s.on('message', (data) => {
    const id = data.length >= 2 ? (data[0] << 8) | data[1] : -1;
    const at = id >= 0 ? pending[k][id] : 0;
    if (at === 0) return; // late, or not ours
    pending[k][id] = 0;
    let m: Message | undefined;
    try { m = decode(data); } catch { m = undefined; }
    if (m && good(m, o.name, type, o.expect)) {
      res.answered++;
      hist.add(now() - at);
    } else res.bad++;
  }));

  return new Promise((resolve, reject) => {
    let bound = 0;
    for (const s of sockets) {
      s.once('error', reject);
      s.bind(0, () => { if (++bound === sockets.length) start(); });
    }
    let t0 = 0;
    const expire = (t: number): void => {
      while (head !== tail && queueTime[head] + timeoutMs <= t) {
        const key = queueKey[head], k = key >>> 16, id = key & 0xffff;
        if (pending[k][id] === queueTime[head]) pending[k][id] = 0;
        head = (head + 1) % ring;
      }
    };
    const send = (t: number): void => {
      const k = res.sent % sockets.length;
      let id = 0;
      // A random ID not outstanding on this socket (some always are free: see the socket count).
      do id = Math.floor(Math.random() * 65536); while (pending[k][id] !== 0);
      const buf = Buffer.from(template);
      buf[0] = id >> 8;
      buf[1] = id & 0xff;
      pending[k][id] = t;
      queueKey[tail] = (k << 16) | id;
      queueTime[tail] = t;
      tail = (tail + 1) % ring;
      sockets[k].send(buf, 5353, o.target);
      res.sent++;
    };
    const tick = (): void => {
      const t = now();
      expire(t);
      const due = Math.min(total, Math.floor(((t - t0) / 1000) * o.rate));
      while (res.sent < due) send(t);
      if (res.sent < total) setTimeout(tick, 1);
      else {
        res.elapsed_s = (t - t0) / 1000;
        setTimeout(finish, timeoutMs);
      }
    };
    const finish = (): void => {
      for (const s of sockets) s.close();
      res.p50_ms = hist.quantile(0.5);
      res.p99_ms = hist.quantile(0.99);
      resolve(res);
    };
    const start = (): void => {
      t0 = now();
      tick();
    };
  });
}

/** Runs this program inside `ns` and returns what it printed. */
export async function runLegacyLoad(lab: Lab, ns: string, o: LoadOptions): Promise<LoadResult> {
  const args = ['--no-warnings', '--loader', 'ts-node/esm', fileURLToPath(import.meta.url),
    '--target', o.target, '--name', o.name, '--type', o.type ?? 'A', '--rate', String(o.rate), '--seconds', String(o.seconds),
    ...(o.expect !== undefined ? ['--expect', o.expect] : []), ...(o.timeoutMs !== undefined ? ['--timeout-ms', String(o.timeoutMs)] : [])];
  const p = await run(lab, ns, process.execPath, args, { cwd: fileURLToPath(new URL('../..', import.meta.url)), timeoutMs: (o.seconds + 60) * 1000 });
  const json = /^\{.*\}$/m.exec(p.stdout)?.[0];
  if (p.status !== 0 || json === undefined) throw new Error(`legacy-load exited ${p.status}: ${p.output}`);
  return JSON.parse(json) as LoadResult;
}

/** utime + stime of a process, in clock ticks (proc(5): fields 14 and 15). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

export interface ThroughputStep {
  rate: number;
  sent: number;
  answered: number;
  answered_ratio: number;
  /** What the generator managed to send per second (below `rate`: the generator, not the responder, was the limit). */
  sent_per_s: number;
  p50_ms: number;
  p99_ms: number;
  /** The responder's CPU time (user + system) during the step per answered query. */
  cpu_us_per_query: number;
}

export interface Throughput {
  /** Highest stepped rate with ≥ 99% answered (0 if none). */
  qps: number;
  /** Responder CPU per answered query over all steps that passed. */
  cpu_us_per_query: number;
  seconds_per_step: number;
  steps: ThroughputStep[];
}

export const RATES = [1000, 2000, 5000, 10_000, 20_000, 30_000, 40_000, 60_000, 80_000, 100_000, 120_000, 160_000, 200_000];

/**
 * Steps the generator (in namespace `t.ns`) through `rates` against a
 * responder whose process is `t.pid`, `seconds` each, until a step gets fewer
 * than 99% of its queries answered.
 */
export async function legacyThroughput(lab: Lab, t: { ns: string; pid: number } & Omit<LoadOptions, 'rate' | 'seconds'>, o: { seconds?: number; rates?: number[] } = {}): Promise<Throughput> {
  const { ns, pid, ...query } = t;
  const seconds = o.seconds ?? 10;
  const clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
  const steps: ThroughputStep[] = [];
  for (const rate of o.rates ?? RATES) {
    const before = cpuTicks(pid);
    const r = await runLegacyLoad(lab, ns, { ...query, rate, seconds });
    const ticks = cpuTicks(pid) - before;
    steps.push({
      rate, sent: r.sent, answered: r.answered, answered_ratio: r.answered / r.sent, sent_per_s: Math.round(r.sent / r.elapsed_s),
      p50_ms: r.p50_ms, p99_ms: r.p99_ms, cpu_us_per_query: r.answered ? (ticks * 1e6) / clkTck / r.answered : NaN,
    });
    if (r.answered < 0.99 * r.sent) break;
  }
  const passed = steps.filter((s) => s.answered_ratio >= 0.99);
  const answered = passed.reduce((n, s) => n + s.answered, 0);
  const us = passed.reduce((n, s) => n + s.cpu_us_per_query * s.answered, 0);
  return { qps: passed.length ? Math.max(...passed.map((s) => s.rate)) : 0, cpu_us_per_query: answered ? us / answered : NaN, seconds_per_step: seconds, steps };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values: v } = parseArgs({
    options: {
      target: { type: 'string' }, name: { type: 'string' }, type: { type: 'string', default: 'A' },
      rate: { type: 'string' }, seconds: { type: 'string' }, expect: { type: 'string' }, 'timeout-ms': { type: 'string' },
    },
  });
  if (!v.target || !v.name || !v.rate || !v.seconds) {
    console.error('usage: legacy-load.ts --target ADDR --name NAME [--type A] --rate R --seconds S [--expect DATA] [--timeout-ms MS]');
    process.exit(2);
  }
  load({
    target: v.target, name: v.name, type: v.type, rate: Number(v.rate), seconds: Number(v.seconds), expect: v.expect,
    timeoutMs: v['timeout-ms'] === undefined ? undefined : Number(v['timeout-ms']),
  }).then((r) => console.log(JSON.stringify(r)), (e: Error) => { console.error(e.message); process.exit(1); });
}
