// Interface lists as every backend hands them to the engine: compared
// regardless of order (a change is reported only when something changed),
// and copied so no listener can edit the backend's own.
import type { NetInterface } from '../src/platform.js';

function key(list: NetInterface[]): string {
  return list
    .map((i) => `${i.index} ${i.name} ${i.up} ${i.multicast} ${i.addrs.map((a) => `${a.addr}/${a.prefix}`).sort().join(' ')}`)
    .sort()
    .join('\n');
}

/** True when two lists hold the same interfaces with the same addresses, in any order. */
export const sameInterfaces = (a: NetInterface[], b: NetInterface[]): boolean => key(a) === key(b);

/** A deep copy: the interfaces and their addresses. */
export const copyInterfaces = (list: NetInterface[]): NetInterface[] => list.map((i) => ({ ...i, addrs: i.addrs.map((a) => ({ ...a })) }));

/** Hands every listener its own copy of the list; one that throws goes to `failed`, and the others still hear. */
export function tellInterfaces(listeners: Iterable<(list: NetInterface[]) => void>, list: NetInterface[], failed: (e: unknown) => void): void {
  for (const fn of [...listeners]) {
    try {
      fn(copyInterfaces(list));
    } catch (e) {
      failed(e);
    }
  }
}
