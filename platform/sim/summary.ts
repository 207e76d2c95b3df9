// A DNS message in one line, for the capture dump:
//   response aa an[x.local A! 120 10.0.0.1] ar[OPT(tsr)]
// ('!' marks the cache-flush bit, QU a unicast-response question).
import { decode, T } from '../../src/wire/index.js';
import type { Question, Rec, Srv } from '../../src/wire/index.js';

const TYPES = new Map<number, string>(Object.entries(T).map(([k, v]) => [v, k]));
/** RFC 3597 §5: an unknown type is written TYPEnnn. */
const typeName = (t: number): string => TYPES.get(t) ?? `TYPE${t}`;
const owner = (name: string): string => name || '.';

function question(q: Question): string {
  return `${owner(q.name)} ${typeName(q.type)}${q.qu ? ' QU' : ''}`;
}

function record(r: Rec): string {
  if (r.type === T.OPT) return `OPT(${(r.data as { kind: string }[]).map((o) => o.kind).join(',')})`;
  const head = `${owner(r.name)} ${typeName(r.type)}${r.flush ? '!' : ''} ${r.ttl}`;
  if (typeof r.data === 'string') return `${head} ${r.data}`;
  if (r.type === T.SRV) { const s = r.data as Srv; return `${head} ${s.port} ${owner(s.target)}`; }
  return head;
}

/** Throws the codec's DecodeError for anything that is not a DNS message. */
export function summary(data: Uint8Array): string {
  const m = decode(data);
  const flags = (['aa', 'tc', 'rd', 'ra'] as const).filter((f) => m[f]).join(' ');
  const parts = [m.qr ? 'response' : 'query'];
  if (m.id) parts.push(`id=${m.id}`);
  if (flags) parts.push(flags);
  if (m.opcode) parts.push(`opcode=${m.opcode}`);
  if (m.rcode) parts.push(`rcode=${m.rcode}`);
  if (m.questions.length) parts.push(`?[${m.questions.map(question).join('; ')}]`);
  const sections = [['an', m.answers], ['ns', m.authorities], ['ar', m.additionals]] as const;
  for (const [tag, list] of sections) if (list.length) parts.push(`${tag}[${list.map(record).join('; ')}]`);
  return parts.join(' ');
}
