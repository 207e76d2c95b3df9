// A tiny program for test/quickjs/kept-names.test.ts: each use below is one
// rule of scripts/kept-names.mjs.
import type { Api, Stats } from './edge.js';

interface Inner { depth: number; bad: { index: number; length: number }; label: string }

class Engine {
  readonly stats: Stats = { hits: 0 };
  private _inner: Inner = { depth: 0, bad: { index: 0, length: 0 }, label: 'x' };
  deepen(): number {
    if (this._inner.depth > 9) throw new RangeError(['depth', 'bad'][0]);
    return ++this._inner.depth;
  }
  report(): string {
    // Enumerated keys become text: kept.
    return Object.entries(this._inner.bad).map(([k, n]) => `${k}=${n}`).join(',');
  }
  logged(): string {
    // Handed to JSON.stringify (no declared property): kept.
    return JSON.stringify({ traced: this._inner.label });
  }
  has(key: 'label' | 'missing'): boolean {
    // A string naming a property: kept.
    return key in this._inner;
  }
}

const engine = new Engine();
const api: Api = {
  start: ({ port }) => ({ accepted: port > 0 && engine.deepen() > 0 }),
  stats: () => engine.stats,
};
(globalThis as Record<string, unknown>).api = api;
engine.report();
engine.logged();
engine.has('label');
