// The advertising proxy on the sim (draft-tllq-tsr-05 and the quiet rules of
// seed 000): border routers 'br1'..'brN' register a Thread client 'dev' for
// it, an observer's querier watches the client's names, and each scenario
// runs twice: with TSR data in the registrations, and without (plain RFC
// 6762, the baseline). Counted from the second registration on: packets and
// bytes on the link(s) by kind, packets with TSR options, how each
// registration ends, and what the observer believes about dev.local A.
//
// Partition and heal: br1 with observer obs1 on one link, br2 with obs2 on
// another, same subnet. Healing moves br2's and obs2's interfaces onto the
// first link with Host.setInterfaces, keeping name and addresses: the hosts'
// endpoints see no interface change (as when a switch between two segments
// comes back), so nothing is re-announced and only the traffic that follows
// (obs1 asks for dev.local A) can bring the two registrars together. A lossy
// single link would not do: it silences the observers too.
import { Sim } from '../platform/sim/index.js';
import type { Captured, Link } from '../platform/sim/index.js';
import { createResponder } from '../src/mdns/responder.js';
import type { Responder } from '../src/mdns/responder.js';
import { createQuerier } from '../src/mdns/querier.js';
import type { Querier } from '../src/mdns/querier.js';
import type { ProxyHandle, ProxySpec } from '../src/mdns/proxy.js';
import { decode, T } from '../src/wire/index.js';
import type { Message, Rec, Srv, TsrOption } from '../src/wire/index.js';
import type { Bench } from './run.js';

const SEED = 1;
const KEY = 0x1234abcd;
const OTHER_KEY = 0x0badf00d;
const ADDR_A = '192.168.1.99';
const ADDR_B = '192.168.1.77';
const HOST = 'dev.local';
const SVC = { name: 'Dev Web', type: '_http._tcp', port: 80 };
const INSTANCE = 'Dev Web._http._tcp.local';
/** Virtual time the first registration has before the second one comes. */
const SETTLE = 10_000;
/** Virtual time measured after the second registration (and after the heal). */
const AFTER = 20_000;

type Mode = 'tsr' | 'off';

interface Observer { name: string; q: Querier }

interface World {
  sim: Sim;
  links: Link[];
  br: Responder[];
  obs: Observer[];
}

/** What the link carried in a window, by kind. */
interface Traffic { packets: number; bytes: number; probes: number; queries: number; responses: number; goodbyes: number; tsr: number }

interface Ending { router: string; state: string; hostName: string; events: string[]; stateAtOnce: string }

interface Row {
  scenario: string;
  routers: number;
  mode: Mode;
  traffic: Traffic;
  /** Probe packets each router sent in the window. */
  probesBy: Record<string, number>;
  registrations: Ending[];
  /** Each observer's cached dev.local A addresses, and where the service's SRV points. */
  observers: { name: string; a: string[]; srv: string[] }[];
  renamed: boolean;
  /** br1 (the first registrar) sent a goodbye for the client's records. */
  br1Goodbye: boolean;
  /** TSR rows: the draft's expectations that failed (none: passed); null for the baseline. */
  failures: string[] | null;
  /** The window's packets, kept when an expectation failed. */
  dump?: string;
}

/** Routers 192.168.1.1..n on one link, or br2 (and obs2) on a second one for a partition. */
function world(n: number, partition: boolean): World {
  const sim = new Sim({ seed: SEED });
  const main = sim.link('lan');
  const links = partition ? [main, sim.link('lan-b')] : [main];
  const side = (i: number): Link => (partition && i === 2 ? links[1] : main);
  const br: Responder[] = [];
  for (let i = 1; i <= n; i++) {
    const h = sim.host(`br${i}`, [{ name: 'eth0', link: side(i), v4: `192.168.1.${i}/24` }]);
    br.push(createResponder(h.platform, { hostName: `br${i}`, families: [4] }));
  }
  const obs: Observer[] = [];
  for (let i = 1; i <= links.length; i++) {
    const h = sim.host(`obs${i}`, [{ name: 'eth0', link: links[i - 1], v4: `192.168.1.${49 + i}/24` }]);
    const q = createQuerier(h.platform, { families: [4] });
    q.watch({ name: HOST, type: T.A });
    q.watch({ name: INSTANCE, type: T.SRV });
    obs.push({ name: `obs${i}`, q });
  }
  // The routers' own names are probed and announced before anything is counted.
  sim.run(5000);
  return { sim, links, br, obs };
}

/** Partition over: br2 and obs2 keep their interface and address, now on the first link. */
function heal(w: World): void {
  w.sim.hosts.get('br2')!.setInterfaces([{ name: 'eth0', link: w.links[0], v4: '192.168.1.2/24' }]);
  w.sim.hosts.get('obs2')!.setInterfaces([{ name: 'eth0', link: w.links[0], v4: '192.168.1.51/24' }]);
}

interface Registered { router: string; h: ProxyHandle; events: string[]; stateAtOnce: string }

/** The client's registration at router `i` (1-based); the baseline leaves `tsr` out. */
function register(w: World, i: number, addr: string, mode: Mode, checksum = KEY, received = w.sim.now): Registered {
  const spec: ProxySpec = { hostName: 'dev', addresses: [addr], services: [SVC] };
  if (mode === 'tsr') spec.tsr = { received, checksum };
  const h = w.br[i - 1].proxy(spec);
  const events: string[] = [];
  for (const e of ['stale', 'conflict', 'renamed'] as const) h.on(e, () => events.push(e));
  return { router: `br${i}`, h, events, stateAtOnce: h.state };
}

const tsrOptions = (m: Message): TsrOption[] =>
  m.additionals.filter((r) => r.type === T.OPT).flatMap((r) => r.data as TsrOption[]).filter((o) => o.kind === 'tsr');

const lower = (s: string): string => s.toLowerCase();

/** A record of the client: its host name, its instance, or the PTR to the instance. */
const ofClient = (r: Rec): boolean =>
  [lower(HOST), lower(INSTANCE)].includes(lower(r.name)) || (r.type === T.PTR && typeof r.data === 'string' && lower(r.data) === lower(INSTANCE));

interface Seen { c: Captured; m: Message }

function traffic(seen: Seen[]): Traffic {
  const t: Traffic = { packets: 0, bytes: 0, probes: 0, queries: 0, responses: 0, goodbyes: 0, tsr: 0 };
  for (const { c, m } of seen) {
    t.packets++;
    t.bytes += c.data.length;
    if (!m.qr) {
      // RFC 6762 §8.1: a probe is a query with the proposed records in the authority section.
      if (m.authorities.length > 0) t.probes++; else t.queries++;
    } else if (m.answers.length > 0 && m.answers.every((r) => r.ttl === 0)) t.goodbyes++; // §10.1
    else t.responses++;
    if (tsrOptions(m).length > 0) t.tsr++;
  }
  return t;
}

/** Everything the row reports, read from the packets since `t`, the handles and the observers' caches. */
function measure(w: World, scenario: string, mode: Mode, t: number, regs: Registered[]): Row {
  const captured = w.sim.capture.filter((c) => c.t >= t && !c.dropped);
  const seen = captured.map((c) => ({ c, m: decode(c.data) }));
  const probesBy: Record<string, number> = {};
  for (const { c, m } of seen) if (!m.qr && m.authorities.length > 0) probesBy[c.from.host] = (probesBy[c.from.host] ?? 0) + 1;
  const registrations = regs.map((r) => ({ router: r.router, state: r.h.state, hostName: r.h.hostName, events: r.events, stateAtOnce: r.stateAtOnce }));
  return {
    scenario,
    routers: w.br.length,
    mode,
    traffic: traffic(seen),
    probesBy,
    registrations,
    observers: w.obs.map((o) => ({
      name: o.name,
      a: o.q.cache.get(HOST, T.A).map((e) => String(e.rec.data)).sort(),
      srv: o.q.cache.get(INSTANCE, T.SRV).map((e) => (e.rec.data as Srv).target).sort(),
    })),
    renamed: registrations.some((r) => r.hostName !== 'dev' || r.events.includes('renamed')),
    br1Goodbye: seen.some(({ c, m }) => c.from.host === 'br1' && m.qr && m.answers.some((r) => r.ttl === 0 && ofClient(r))),
    failures: null,
  };
}

/** TSR rows are held to the draft; a failure keeps the window's packets for the report. */
function judge(row: Row, w: World, t: number, checks: [boolean, string][]): Row {
  if (row.mode !== 'tsr') return row;
  row.failures = checks.filter(([good]) => !good).map(([, what]) => what);
  if (row.failures.length) row.dump = w.sim.dump(w.sim.capture.filter((c) => c.t >= t));
  return row;
}

const only = (addrs: string[], addr: string): boolean => addrs.length === 1 && addrs[0] === addr;

/** The move rules (draft §3.4 and seed 000): every cache ends with the new data, the old registrar is stale and silent, no rename. */
function moved(row: Row, first: Registered, second: Registered): [boolean, string][] {
  return [
    [row.observers.every((o) => only(o.a, ADDR_B)), `every observer holds only ${ADDR_B}`],
    [!row.renamed, 'no rename'],
    [first.h.state === 'stale', 'br1 stale'],
    [second.h.state === 'established', 'br2 established'],
    [!row.br1Goodbye, 'no goodbye from br1'],
  ];
}

/** Scenario 1: the client re-registers at br2, with a new address, 10 s after br1. */
function move(n: number, mode: Mode): Row {
  const w = world(n, false);
  const first = register(w, 1, ADDR_A, mode);
  w.sim.run(SETTLE);
  const t = w.sim.now;
  const second = register(w, 2, ADDR_B, mode);
  w.sim.run(AFTER);
  const row = measure(w, 'move', mode, t, [first, second]);
  return judge(row, w, t, moved(row, first, second));
}

/** Scenario 2: the move happens while br2 is cut off; then the links join and obs1 asks for dev.local A. */
function partition(mode: Mode): Row {
  const w = world(2, true);
  const first = register(w, 1, ADDR_A, mode);
  w.sim.run(SETTLE);
  const t = w.sim.now;
  const second = register(w, 2, ADDR_B, mode);
  w.sim.run(SETTLE);
  heal(w);
  void w.obs[0].q.query({ name: HOST, type: T.A });
  w.sim.run(AFTER);
  const row = measure(w, 'partition+heal', mode, t, [first, second]);
  return judge(row, w, t, moved(row, first, second));
}

/** Scenario 3: anycast SRP: br1 and br2 get the same registration at the same instant. */
function simultaneous(mode: Mode): Row {
  const w = world(2, false);
  const t = w.sim.now;
  const regs = [register(w, 1, ADDR_A, mode, KEY, t), register(w, 2, ADDR_A, mode, KEY, t)];
  w.sim.run(AFTER);
  const row = measure(w, 'simultaneous', mode, t, regs);
  return judge(row, w, t, [
    // Seed 000: "Only the first server should probe": one series of 3 probes (RFC 6762 §8.1).
    [row.traffic.probes === 3, 'one probe series: 3 probes on the link'],
    [regs.every((r) => r.h.state === 'established' && r.events.length === 0), 'both established, no conflict'],
    [row.observers.every((o) => only(o.a, ADDR_A)), `the observer holds only ${ADDR_A}`],
  ]);
}

/** Scenario 4: another client (another key) registers the name at br2 while br1 holds it. */
function otherKey(mode: Mode): Row {
  const w = world(2, false);
  const first = register(w, 1, ADDR_A, mode);
  w.sim.run(SETTLE);
  const t = w.sim.now;
  const second = register(w, 2, ADDR_B, mode, OTHER_KEY);
  w.sim.run(AFTER);
  const row = measure(w, 'other key', mode, t, [first, second]);
  return judge(row, w, t, [
    // Draft §3.1: records on the name with another key checksum are a conflict, found locally, without probing.
    [second.stateAtOnce === 'conflict', 'br2 conflict at once'],
    [(row.probesBy.br2 ?? 0) === 0, 'no probe from br2'],
    [first.h.state === 'established', 'br1 keeps the name'],
    [row.observers.every((o) => only(o.a, ADDR_A)), `the observer holds only ${ADDR_A}`],
  ]);
}

/** Every scenario, each run with TSR and then as the baseline. */
const SCENARIOS: ((mode: Mode) => Row)[] = [
  ...[2, 3, 5].map((n) => (mode: Mode) => move(n, mode)),
  partition,
  simultaneous,
  otherKey,
];

const states = (r: Row): string => r.registrations.map((x) => `${x.router} ${x.state}${x.hostName === 'dev' ? '' : ` (${x.hostName})`}`).join(', ');

const caches = (r: Row): string =>
  r.observers.map((o) => `${r.observers.length > 1 ? o.name + ' ' : ''}${o.a.length ? o.a.join(' ') : '-'}`).join('; ');

export function tsr(): Bench {
  const rows = SCENARIOS.flatMap((run) => [run('tsr'), run('off')]);
  const table = [['scenario', 'routers', 'mode', 'packets', 'bytes', 'probes', 'queries', 'responses', 'goodbyes', 'tsr packets',
    'final states', 'observer dev.local A', 'renamed', 'br1 goodbye', 'expectations']];
  for (const r of rows) {
    const x = r.traffic;
    table.push([r.scenario, String(r.routers), r.mode, String(x.packets), String(x.bytes), String(x.probes), String(x.queries),
      String(x.responses), String(x.goodbyes), String(x.tsr), states(r), caches(r), r.renamed ? 'yes' : 'no', r.br1Goodbye ? 'yes' : 'no',
      r.failures === null ? '' : r.failures.length ? 'FAILED: ' + r.failures.join('; ') : 'met']);
  }
  return {
    rows: table,
    json: {
      seed: SEED,
      settle_ms: SETTLE,
      measured_ms_after_second_registration: AFTER,
      partition: `br2 registers ${SETTLE} ms after br1 on the other link; the links join ${SETTLE} ms later and obs1 asks; ${AFTER} ms more are measured`,
      addresses: { before: ADDR_A, after: ADDR_B },
      counted: 'every packet on the links from the second registration on (simultaneous: from both registrations)',
      scenarios: rows,
    },
    ok: rows.every((r) => r.failures === null || r.failures.length === 0),
  };
}
