// The record of every packet put on a simulated link, and its text form for
// test failure messages.

export interface Captured {
  /** Virtual time the packet was sent. */
  t: number;
  /** Virtual time it reached the link's hosts; absent when dropped. */
  at?: number;
  link: string;
  from: { host: string; ifname: string; addr: string; port: number };
  to: { addr: string; port: number };
  ttl: number;
  /** The bytes as sent (a copy: later changes by the sender do not show). */
  data: Uint8Array;
  dropped?: boolean;
  /** A second copy made by the link's duplication. */
  duplicate?: boolean;
}

/** Turns a payload into a short one-line description; may throw (the dump catches it). */
export type Describe = (data: Uint8Array) => string;

/** Appends `item`; past `limit` entries the older half is discarded (amortised O(1)). */
export function pushCapped<T>(list: T[], item: T, limit: number): void {
  if (limit <= 0) return;
  if (list.length >= limit) list.splice(0, list.length - (limit >> 1));
  list.push(item);
}

/** The first 24 bytes in hex, '…' when there are more. */
export function hex(data: Uint8Array): string {
  let s = '';
  for (let i = 0; i < data.length && i < 24; i++) s += (i ? ' ' : '') + data[i].toString(16).padStart(2, '0');
  return data.length > 24 ? s + ' …' : s;
}

const endpoint = (addr: string, port: number): string => (addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`);

/** One line per packet: time, link, source > destination, ttl, length, delay or DROPPED, DUP, description. */
export function dump(capture: readonly Captured[], describe: Describe = hex): string {
  return capture.map((c) => {
    let text: string;
    try { text = describe(c.data); } catch (e) { text = `(${e instanceof Error ? e.message : String(e)}) ${hex(c.data)}`; }
    const flags = (c.dropped ? ' DROPPED' : ` +${(c.at! - c.t).toFixed(3)}ms`) + (c.duplicate ? ' DUP' : '');
    return `${c.t.toFixed(3).padStart(10)} ${c.link} ${c.from.host}/${c.from.ifname} ${endpoint(c.from.addr, c.from.port)}` +
      ` > ${endpoint(c.to.addr, c.to.port)} ttl ${c.ttl} len ${c.data.length}${flags} | ${text}`;
  }).join('\n');
}
