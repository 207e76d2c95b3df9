// A group is what one registration owns: the host (its name, addresses and
// reverse names), one service instance, or a proxied client (its host name,
// addresses and services). Its unique names are probed and
// defended together; on each link it moves through an explicit state machine:
//
//   probing(n = 0..3) --no conflict 250 ms after the 3rd probe--> announcing(n = 0..2) --> established
//        ^  |                                                                     |
//        |  +--conflict: rename (RFC 6762 §9), probe again------------------------+
//        +--lost a simultaneous-probe tiebreak (§8.2): wait 1 s, probe again
import type { Link } from './link.js';
import type { Owned } from './record.js';

export type Phase = 'probing' | 'announcing' | 'established';

export interface LinkState {
  phase: Phase;
  /** Probes or announcements sent so far in this phase. */
  n: number;
  /** When the next probe or announcement is due; none once established. */
  due?: number;
}

export type GroupEvent = 'probing' | 'established' | 'renamed' | 'conflict' | 'stale' | 'error';

export interface Group {
  /** The current label: instance name or host label. */
  label: string;
  /** Every record, on every interface. */
  owned: Owned[];
  /** Lower-cased owner names that are probed and defended. */
  names: Set<string>;
  states: Map<Link, LinkState>;
}

/** Whether a record belongs on this link: on every interface, or on this one (RFC 6762 §6.2). */
export function onLink(o: Owned, link: Link): boolean {
  return o.ifindex === undefined || o.ifindex === link.ifindex;
}

export function recordsOn(g: Group, link: Link): Owned[] {
  return g.owned.filter((o) => onLink(o, link));
}

/** Records of the group that may be answered on this link: probing is over there. */
export function answerable(g: Group, link: Link): boolean {
  const s = g.states.get(link);
  return !!s && s.phase !== 'probing';
}
