// The unicast DNS exchange (RFC 1035 §4.2.1, §7): one question to one
// server over UDP, retransmitted with backoff, the reply accepted only when
// it matches the query's ID, the server's address and port, and the question.
// Everything else arriving on the socket is dropped and counted. A truncated
// reply sends the query again over TCP when the platform has it (RFC 1123 §6.1.3.2).
import type { Cancel, PacketMeta, Platform, Socket } from '../platform.js';
import { CLASS_IN, T, decode, encode, message, nameEq } from '../wire/index.js';
import type { EdnsOption, Message, Question } from '../wire/index.js';
import { canonicalIp } from '../net.js';
import { tcpExchange } from './tcp.js';

/** RFC 1035 §4.1.1 and RFC 6895 §2.3 response codes the resolver tells apart. */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

export interface Upstream {
  addr: string;
  /** Default 53. */
  port?: number;
}

export interface ClientOptions {
  /**
   * How long to wait after each transmission before the next one (ms); the
   * length is the number of transmissions. Default [1000, 2000, 4000].
   */
  backoff?: number[];
  /** Cap on one exchange from first send to giving up (ms); default 7000. */
  total?: number;
  /** EDNS(0) UDP payload size advertised (RFC 6891 §6.2.5); default 1232. */
  payload?: number;
  /** Exchanges in flight at most; past it a query fails at once as a timeout (default 256). */
  maxPending?: number;
}

/** What the client saw; every dropped packet lands in exactly one bucket. */
export interface Counters {
  /** Transmissions, retransmissions included. */
  sent: number;
  retransmits: number;
  /** Replies accepted for a pending query. */
  accepted: number;
  /** Packets that did not decode. */
  malformed: number;
  /** Decoded packets whose ID matched no pending UDP exchange (or one already gone to TCP), or that were not responses. */
  unknownId: number;
  /** ID matched but the source address or port is not the server's. */
  wrongSource: number;
  /** ID and source matched but the question differs. */
  wrongQuestion: number;
  /** Responses whose MQTYPE options break draft-ietf-dnssd-multi-qtypes §3.5. */
  invalid: number;
  /** Exchanges that ended without a reply. */
  timeouts: number;
  /** Queries refused because maxPending exchanges were in flight. */
  busy: number;
  /** Truncated UDP replies whose query went again over TCP. */
  tcp: number;
  /** TCP exchanges that failed (refused, closed, timed out, or a reply that did not match): the truncated reply stands. */
  tcpFailed: number;
  /** Errors caught on the receive and timer paths (a caller's callback that threw, or a bug): never let out. */
  errors: number;
}

interface Pending {
  id: number;
  to: Required<Upstream>;
  question: Question;
  packet: Uint8Array;
  deadline: number;
  /** Set once the exchange went on over TCP: later UDP copies are not its reply. */
  tcp: boolean;
  /** Ends the exchange and hands over its reply, or none (timeout). */
  finish: (reply?: Message) => void;
  /** Cancels what the exchange waits on now: the retransmission timer, or the TCP exchange. */
  cancel: Cancel;
}

/** A server with its address canonical (so '2001:DB8::1' and '2001:db8::1' compare equal) and its port filled in. */
export function upstream(s: Upstream): Required<Upstream> {
  const addr = typeof s.addr === 'string' && canonicalIp(s.addr);
  if (!addr) throw new Error(`servers: address '${String(s.addr)}' is not an IP address`);
  return { addr, port: s.port ?? 53 };
}

export class Client {
  readonly counters: Counters = {
    sent: 0, retransmits: 0, accepted: 0, malformed: 0, unknownId: 0, wrongSource: 0, wrongQuestion: 0, invalid: 0, timeouts: 0, busy: 0, tcp: 0, tcpFailed: 0, errors: 0,
  };
  private readonly _sockets = new Map<4 | 6, Socket>();
  private readonly _pending = new Map<number, Pending>();
  private readonly _backoff: number[];
  private readonly _total: number;
  private readonly _payload: number;
  private readonly _maxPending: number;

  constructor(private readonly _platform: Platform, opts: ClientOptions = {}) {
    this._backoff = opts.backoff ?? [1000, 2000, 4000];
    this._total = opts.total ?? 7000;
    this._payload = opts.payload ?? 1232;
    this._maxPending = opts.maxPending ?? 256;
    if (!(this._backoff.length > 0 && this._backoff.every((ms) => ms > 0))) throw new Error('client: backoff must list positive ms');
    if (!(this._total > 0)) throw new Error('client: total must be positive ms');
    if (!(this._maxPending >= 1 && this._maxPending <= 0x8000)) throw new Error('client: maxPending must be between 1 and 32768');
  }

  /**
   * Asks `to` (a server from upstream()) for `name` and `type` (with an OPT
   * record carrying `options`) and calls `done` once: with the matching reply,
   * or with none after the last wait. The returned function abandons the
   * exchange without calling `done`.
   */
  query(to: Required<Upstream>, name: string, type: number, options: EdnsOption[], done: (reply?: Message) => void): Cancel {
    const platform = this._platform;
    if (this._pending.size >= this._maxPending) {
      this._count('busy');
      return platform.timer(0, () => this.guard(done));
    }
    const sock = this._socket(to.addr.includes(':') ? 6 : 4);
    // RFC 5452 §9.2: the ID is one of the values an off-path attacker must guess, so it is random
    // (`&` truncates the fraction, and keeps a random() of 1 in range).
    let id: number;
    do id = (platform.random() * 0x10000) & 0xffff;
    while (this._pending.has(id));
    const question: Question = { name, type, class: CLASS_IN, qu: false };
    const packet = encode(message({
      id, rd: true, questions: [question],
      additionals: [{ name: '', type: T.OPT, class: this._payload, flush: false, ttl: 0, data: options }],
    }));
    const deadline = platform.now() + this._total;
    const p: Pending = {
      id, to, question, packet, deadline, tcp: false, cancel: () => {},
      finish: (reply) => {
        this._stop(p);
        done(reply);
      },
    };
    const transmit = (n: number): void => {
      this._count('sent');
      if (n > 0) this._count('retransmits');
      sock.send(packet, to);
      const wait = Math.min(this._backoff[n], deadline - platform.now());
      p.cancel = platform.timer(wait, () => this.guard(() => {
        if (n + 1 < this._backoff.length && platform.now() < deadline) transmit(n + 1);
        else {
          this._count('timeouts');
          p.finish();
        }
      }));
    };
    this._pending.set(id, p);
    transmit(0);
    return () => this._stop(p);
  }

  private _count(what: keyof Counters): void {
    this.counters[what]++;
  }

  /** Cancels what an exchange waits on and forgets it, unless its ID already belongs to a newer one. */
  private _stop(p: Pending): void {
    p.cancel();
    if (this._pending.get(p.id) === p) this._pending.delete(p.id);
  }

  /** Closes the sockets; pending exchanges are abandoned without a callback. */
  close(): void {
    for (const p of this._pending.values()) p.cancel();
    this._pending.clear();
    for (const s of this._sockets.values()) s.close();
    this._sockets.clear();
  }

  private _socket(family: 4 | 6): Socket {
    let s = this._sockets.get(family);
    if (!s) {
      s = this._platform.open({ family, port: 0 });
      s.onMessage((data, meta) => this.guard(() => this._receive(data, meta)));
      this._sockets.set(family, s);
    }
    return s;
  }

  /**
   * Runs receive/timer work (or a caller's callback, which runs there); nothing thrown
   * there may reach the platform's event loop: it is counted and logged as `what`.
   */
  guard(fn: () => void, what = 'error on the receive path'): void {
    try {
      fn();
    } catch (e) {
      this._count('errors');
      this._platform.log?.('error', `hush resolver: ${what}`, { error: String(e) });
    }
  }

  /** The decoded message, or undefined (counted as malformed). */
  private _decode(data: Uint8Array): Message | undefined {
    try {
      return decode(data);
    } catch {
      this._count('malformed');
      return undefined;
    }
  }

  private _receive(data: Uint8Array, { src, srcPort }: PacketMeta): void {
    const m = this._decode(data);
    if (!m) return;
    const p = this._pending.get(m.id);
    if (!p || !m.qr || p.tcp) {
      this._count('unknownId');
      return;
    }
    // RFC 5452 §4.3: accept only a reply from the address and port the query went to, for the same question.
    const outcome = canonicalIp(src) !== p.to.addr || srcPort !== p.to.port ? 'wrongSource'
      : sameQuestion(m, p.question) ? 'accepted' : 'wrongQuestion';
    this._count(outcome);
    if (outcome !== 'accepted') return;
    if (m.tc && this._platform.connect) return this._overTcp(p, m);
    p.finish(m);
  }

  /**
   * RFC 1123 §6.1.3.2: "If the Answer section of the response is truncated
   * and if the requester supports TCP, it SHOULD try the query again using
   * TCP": the same query over a new connection, within what is left of the
   * exchange's time. The reply must carry the query's ID and question; when
   * TCP fails the truncated UDP reply is the answer ('truncated').
   */
  private _overTcp(p: Pending, truncated: Message): void {
    const platform = this._platform as Platform & Required<Pick<Platform, 'connect'>>;
    this._count('tcp');
    // The exchange keeps its ID in _pending; only the retransmission timer ends.
    p.tcp = true;
    p.cancel();
    p.cancel = tcpExchange(platform, p.to, p.packet, Math.max(0, p.deadline - platform.now()), (r) => this.guard(() => {
      const m = typeof r === 'string' ? undefined : this._decode(r);
      if (m?.qr && m.id === p.id && sameQuestion(m, p.question)) return p.finish(m);
      this._count('tcpFailed');
      platform.log?.('debug', 'hush resolver: TCP retry gave no reply', { server: p.to.addr, why: typeof r === 'string' ? r : 'mismatch' });
      p.finish(truncated);
    }));
  }
}

/** Whether a reply is for the question (RFC 6891 §7: a FORMERR may come without it, the server could not parse it). */
function sameQuestion(m: Message, question: Question): boolean {
  const [q, more] = m.questions;
  if (!q) return m.rcode === RCODE.FORMERR;
  return !more && q.type === question.type && q.class === question.class && nameEq(q.name, question.name);
}
