// A small authoritative DNS server on a sim host, for the resolver tests and
// the MQTYPE bench. Its behaviour toward MQTYPE is chosen by `mode`:
//   'mqtype'  follows the server rules of draft-ietf-dnssd-multi-qtypes-14 §3.3/§3.4
//   'ignore'  ignores the option, like dnsmasq (answers the primary question only)
//   'formerr' answers FORMERR to any query carrying an option it does not know
//   'dupOption' / 'dupType' / 'primaryType'  answer like 'mqtype' but with a broken MQTYPE-Response
// `rcode` forces a response code, `drop` ignores the first N queries, `tamper` edits each reply.
// Over TCP (RFC 1035 §4.2.2 framing, when `serve` is given a listen function)
// it answers in full; over UDP a reply longer than `udpMax` goes out
// truncated: TC set, no records (RFC 2181 §9).
import { Sim } from '../../platform/sim/index.js';
import type { Host } from '../../platform/sim/index.js';
import type { Cancel, Platform, Socket, Stream } from '../../src/platform.js';
import { CLASS_IN, OPT, T, decode, encode, message, nameEq } from '../../src/wire/index.js';
import type { EdnsOption, Message, Question, Rec } from '../../src/wire/index.js';

export type Mode = 'mqtype' | 'ignore' | 'formerr' | 'dupOption' | 'dupType' | 'primaryType';

export interface ServerOptions {
  mode?: Mode;
  /** Records served; names under `zone` without records of a type get NODATA, others NXDOMAIN. */
  records?: Rec[];
  zone?: string;
  rcode?: number;
  drop?: number;
  tamper?: (reply: Message) => void;
  /** Longest UDP reply in bytes; a longer one is sent truncated. */
  udpMax?: number;
  /** Edits each TCP reply (after `tamper`); 'silent' accepts connections and never answers; 'none' does not listen. */
  tcp?: ((reply: Message) => void) | 'silent' | 'none';
}

/** How a server accepts TCP connections: a sim host's listen, or Node's net in the lab. */
export type Listen = (port: number, accept: (s: Stream) => void) => Cancel;

export interface TestServer {
  sock: Socket;
  /** Every decoded query received over UDP, oldest first. */
  queries: Message[];
  /** Every decoded query received over TCP, oldest first. */
  tcpQueries: Message[];
  opts: ServerOptions;
}

export const rr = (name: string, type: number, data: Rec['data'], ttl = 300): Rec => ({ name, type, class: CLASS_IN, flush: false, ttl, data });

export const soa = (zone: string): Rec => rr(zone, T.SOA, {
  mname: 'ns.' + zone, rname: 'hostmaster.' + zone, serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: 60,
}, 120);

const isMeta = (t: number): boolean => t === 0 || t === T.OPT || (t >= 128 && t <= 255);

/** The MQTYPE option lists of `m` with `code` (20 or 21), in order. */
export const mqtypeOpts = (m: Message, code: number): number[][] =>
  m.additionals.filter((r) => r.type === T.OPT).flatMap((r) => (r.data as EdnsOption[]))
    .filter((o) => o.kind === 'mqtype' && o.code === code).map((o) => (o as { types: number[] }).types);

/** Serves on port 53 of any platform: a sim host's, or Node's inside a lab namespace (test/lab/dns-server.ts). */
export function serve(platform: Platform, family: 4 | 6, opts: ServerOptions, listen?: Listen): TestServer {
  const sock = platform.open({ family, port: 53 });
  const server: TestServer = { sock, queries: [], tcpQueries: [], opts };
  if (opts.tcp !== 'none') listen?.(53, (s) => serveStream(s, server));
  sock.onMessage((data, meta) => {
    let q: Message;
    try {
      q = decode(data);
    } catch {
      return;
    }
    server.queries.push(q);
    if (opts.drop !== undefined && opts.drop > 0) {
      opts.drop--;
      return;
    }
    const reply = answer(q, opts);
    opts.tamper?.(reply);
    let out = encode(reply);
    if (opts.udpMax !== undefined && out.length > opts.udpMax) {
      out = encode({ ...reply, tc: true, answers: [], authorities: [], additionals: reply.additionals.filter((r) => r.type === T.OPT) });
    }
    sock.send(out, { addr: meta.src, port: meta.srcPort });
  });
  return server;
}

/** RFC 1035 §4.2.2: messages on a connection, each after a two-byte length; each query gets its full reply. */
function serveStream(s: Stream, server: TestServer): void {
  let buf = new Uint8Array(0);
  s.onData((chunk) => {
    const joined = new Uint8Array(buf.length + chunk.length);
    joined.set(buf);
    joined.set(chunk, buf.length);
    buf = joined;
    while (buf.length >= 2 && buf.length >= 2 + ((buf[0] << 8) | buf[1])) {
      const len = (buf[0] << 8) | buf[1];
      const data = buf.slice(2, 2 + len);
      buf = buf.slice(2 + len);
      let q: Message;
      try {
        q = decode(data);
      } catch {
        s.close();
        return;
      }
      server.tcpQueries.push(q);
      const tcp = server.opts.tcp;
      if (tcp === 'silent' || tcp === 'none') continue;
      const reply = answer(q, server.opts);
      server.opts.tamper?.(reply);
      tcp?.(reply);
      const out = encode(reply);
      const framed = new Uint8Array(2 + out.length);
      framed[0] = out.length >> 8;
      framed[1] = out.length & 0xff;
      framed.set(out, 2);
      s.write(framed);
    }
  });
}

/** The records of `type` at `q.name`, and the response code for the name. */
function lookup(q: Question, type: number, opts: ServerOptions): { rcode: number; answers: Rec[] } {
  const all = opts.records ?? [];
  const answers = all.filter((r) => r.type === type && nameEq(r.name, q.name));
  const exists = all.some((r) => nameEq(r.name, q.name));
  // RFC 1034 §4.3.2 step 3a: an alias is answered with the CNAME and the target's records.
  const alias = all.find((r) => r.type === T.CNAME && type !== T.CNAME && nameEq(r.name, q.name));
  if (answers.length === 0 && alias) {
    const target = lookup({ ...q, name: alias.data as string }, type, opts);
    return { rcode: target.rcode, answers: [alias, ...target.answers] };
  }
  return { rcode: exists ? 0 : 3, answers };
}

function answer(q: Message, opts: ServerOptions): Message {
  const mode = opts.mode ?? 'mqtype';
  const base = message({ id: q.id, qr: true, aa: true, rd: q.rd, opcode: q.opcode, questions: q.questions });
  const formerr = (): Message => ({ ...base, rcode: 1 });
  const asked = mqtypeOpts(q, OPT.MQTYPE_QUERY);
  if (mode === 'formerr' && asked.length > 0) return formerr();
  const question = q.questions[0];
  const understood = mode !== 'ignore';
  if (understood && asked.length > 0) {
    // §3.3: the server MUST return FORMERR for these queries.
    const list = asked[0];
    if (q.opcode !== 0 || asked.length > 1 || !question || isMeta(question.type) || list.length === 0 ||
      list.some(isMeta) || new Set(list).size !== list.length || list.includes(question.type)) return formerr();
  }
  if (mqtypeOpts(q, OPT.MQTYPE_RESPONSE).length > 0 && understood) return formerr();
  if (!question) return formerr();
  const primary = lookup(question, question.type, opts);
  const reply: Message = { ...base, rcode: opts.rcode ?? primary.rcode, answers: [...primary.answers] };
  const negative = (r: { rcode: number; answers: Rec[] }) => r.rcode !== 0 || r.answers.length === 0;
  if (negative(primary) && opts.zone) reply.authorities.push(soa(opts.zone));
  const options: EdnsOption[] = [];
  if (understood && asked.length > 0) {
    // §3.4: combine each extra type whose rcode matches the primary's; list it in MQTYPE-Response.
    const listed: number[] = [];
    for (const t of asked[0]) {
      const extra = lookup(question, t, opts);
      if (extra.rcode !== primary.rcode) continue;
      reply.answers.push(...extra.answers);
      if (negative(extra) && opts.zone && reply.authorities.length === 0) reply.authorities.push(soa(opts.zone));
      listed.push(t);
    }
    if (mode === 'dupType') listed.push(listed[0] ?? T.AAAA);
    if (mode === 'primaryType') listed.push(question.type);
    options.push({ kind: 'mqtype', code: OPT.MQTYPE_RESPONSE, types: listed });
    if (mode === 'dupOption') options.push({ kind: 'mqtype', code: OPT.MQTYPE_RESPONSE, types: listed });
  }
  if (q.additionals.some((r) => r.type === T.OPT)) {
    reply.additionals.push({ name: '', type: T.OPT, class: 1232, flush: false, ttl: 0, data: options });
  }
  return reply;
}

/** The addresses of the resolver lab: client, two servers, an attacker, all on one /24. */
export const ADDR = { client: '192.0.2.10', server: '192.0.2.53', second: '192.0.2.54', attacker: '192.0.2.66' } as const;

export const ZONE = 'example';
export const RECORDS: Rec[] = [
  rr('www.example', T.A, '192.0.2.80'),
  rr('www.example', T.AAAA, '2001:db8::80', 600),
  rr('v4only.example', T.A, '192.0.2.81'),
  rr('alias.example', T.CNAME, 'www.example'),
  rr('printer._ipp._tcp.example', T.SRV, { priority: 0, weight: 0, port: 631, target: 'www.example' }),
  rr('printer._ipp._tcp.example', T.TXT, [new Uint8Array([0x74, 0x78, 0x74, 0x76, 0x65, 0x72, 0x73, 0x3d, 0x31])]),
  // 40 addresses: 1,270 bytes of reply, more than a 512-byte UDP limit.
  ...Array.from({ length: 40 }, (_, i) => rr('many.example', T.A, `198.51.100.${i + 1}`)),
];

export interface Packet { t: number; at?: number; host: string; src: string; srcPort: number; dst: string; dstPort: number; m: Message }

export interface Lab {
  sim: Sim;
  client: Host;
  server: TestServer;
  attacker: Host;
  /** Every packet on the link, decoded, oldest first. */
  packets(): Packet[];
}

/** A client host, a server host running `serve` on port 53 (IPv4) and an attacker host on one link. */
export function lab(opts: ServerOptions = {}, delay = 0): Lab {
  const sim = new Sim({ seed: 4 });
  const lan = sim.link('lan', { delay });
  const client = sim.host('client', [{ name: 'eth0', link: lan, v4: ADDR.client + '/24' }]);
  const host = sim.host('server', [{ name: 'eth0', link: lan, v4: [ADDR.server + '/24', ADDR.second + '/24'] }]);
  const attacker = sim.host('attacker', [{ name: 'eth0', link: lan, v4: ADDR.attacker + '/24' }]);
  const server = serve(host.platform, 4, { records: RECORDS, zone: ZONE, ...opts }, (port, accept) => host.listen(port, accept));
  const packets = (): Packet[] => sim.capture.map((c) => ({
    t: c.t, at: c.at, host: c.from.host, src: c.from.addr, srcPort: c.from.port, dst: c.to.addr, dstPort: c.to.port, m: decode(c.data),
  }));
  return { sim, client, server, attacker, packets };
}
