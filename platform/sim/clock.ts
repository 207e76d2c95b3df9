// Virtual time: a binary heap of events ordered by (time, insertion order), so
// events due at the same instant run first-in first-out.
import type { Cancel } from '../../src/platform.js';

interface Event { t: number; seq: number; fn: () => void; live: boolean }

const before = (a: Event, b: Event): boolean => a.t < b.t || (a.t === b.t && a.seq < b.seq);

export class Clock {
  now = 0;
  private heap: Event[] = [];
  private seq = 0;
  /** Cancelled events still in the heap; compacted once they are half of it. */
  private dead = 0;

  /** @param sameTimeLimit events one instant may run before `run` calls it a livelock and throws */
  constructor(private readonly sameTimeLimit = 1_000_000) {}

  /** Schedules `fn` at virtual time `t` (never in the past); the result cancels it. */
  at(t: number, fn: () => void): Cancel {
    const e: Event = { t: t > this.now ? t : this.now, seq: this.seq++, fn, live: true };
    this.push(e);
    return () => {
      if (!e.live) return;
      e.live = false;
      if (++this.dead > 64 && this.dead * 2 > this.heap.length) this.compact();
    };
  }

  /** Events waiting to run (cancelled ones excluded). */
  get pending(): number {
    return this.heap.length - this.dead;
  }

  /** Runs the next event, moving time to it; false when there is none. */
  step(): boolean {
    const e = this.next(Infinity);
    if (!e) return false;
    this.now = e.t;
    e.fn();
    return true;
  }

  /** Runs every event due at or before `t`, then sets the time to `t` (if later). */
  runUntil(t: number): void {
    let at = this.now, count = 0;
    for (let e = this.next(t); e; e = this.next(t)) {
      if (e.t !== at) { at = e.t; count = 0; }
      if (++count > this.sameTimeLimit) throw new Error(`sim: livelock, over ${this.sameTimeLimit} events at t=${at}`);
      this.now = e.t;
      e.fn();
    }
    if (t > this.now) this.now = t;
  }

  /** Removes and returns the earliest live event due at or before `t`. */
  private next(t: number): Event | undefined {
    const h = this.heap;
    while (h.length > 0 && h[0].t <= t) {
      const e = this.pop();
      if (e.live) { e.live = false; return e; }
      this.dead--;
    }
    return undefined;
  }

  private push(e: Event): void {
    const h = this.heap;
    let i = h.push(e) - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!before(e, h[up])) break;
      h[i] = h[up];
      i = up;
    }
    h[i] = e;
  }

  private pop(): Event {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) this.sink(last, 0);
    return top;
  }

  /** Places `e` at slot `i` and moves it down until both children are later. */
  private sink(e: Event, i: number): void {
    const h = this.heap;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= h.length) break;
      if (c + 1 < h.length && before(h[c + 1], h[c])) c++;
      if (!before(h[c], e)) break;
      h[i] = h[c];
      i = c;
    }
    h[i] = e;
  }

  private compact(): void {
    const h = this.heap.filter((e) => e.live);
    this.heap = h;
    this.dead = 0;
    for (let i = (h.length >> 1) - 1; i >= 0; i--) this.sink(h[i], i);
  }
}
