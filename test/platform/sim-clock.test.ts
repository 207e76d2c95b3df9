import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Clock } from '../../platform/sim/clock.js';
import { stream } from '../../platform/sim/random.js';

test('events due at the same time run in the order they were scheduled', () => {
  const clock = new Clock();
  const ran: string[] = [];
  for (const [t, tag] of [[5, 'a'], [1, 'b'], [5, 'c'], [1, 'd'], [3, 'e'], [5, 'f']] as const) clock.at(t, () => ran.push(tag));
  clock.runUntil(10);
  assert.equal(ran, ['b', 'd', 'e', 'a', 'c', 'f']);
});

test('an event scheduled for now from inside an event runs after the ones already due', () => {
  const clock = new Clock();
  const ran: string[] = [];
  clock.at(2, () => { ran.push('first'); clock.at(2, () => ran.push('nested')); });
  clock.at(2, () => ran.push('second'));
  clock.runUntil(2);
  assert.equal(ran, ['first', 'second', 'nested']);
});

test('a cancelled event never runs, and cancelling after it ran changes nothing', () => {
  const clock = new Clock();
  const ran: number[] = [];
  const cancel1 = clock.at(1, () => ran.push(1));
  const cancel2 = clock.at(2, () => ran.push(2));
  cancel2();
  clock.runUntil(1);
  cancel1();
  clock.runUntil(5);
  assert.equal(ran, [1]);
  assert.is(clock.pending, 0);
});

test('runUntil moves time to the target even without events, and never backwards', () => {
  const clock = new Clock();
  const seen: number[] = [];
  clock.at(3, () => seen.push(clock.now));
  clock.runUntil(7);
  assert.equal(seen, [3]);
  assert.is(clock.now, 7);
  clock.runUntil(4);
  assert.is(clock.now, 7);
  clock.at(1, () => seen.push(clock.now));
  clock.runUntil(7);
  assert.equal(seen, [3, 7], 'an event asked for the past runs now');
});

test('step runs exactly one event and reports when the queue is empty', () => {
  const clock = new Clock();
  const ran: number[] = [];
  clock.at(4, () => ran.push(4));
  clock.at(9, () => ran.push(9));
  assert.ok(clock.step());
  assert.equal(ran, [4]);
  assert.is(clock.now, 4);
  assert.ok(clock.step());
  assert.not.ok(clock.step());
  assert.equal(ran, [4, 9]);
});

test('thousands of random events with half cancelled run in (time, insertion) order', () => {
  const clock = new Clock();
  const rnd = stream(42, 'clock');
  const ran: Array<[number, number]> = [];
  const expected: Array<[number, number]> = [];
  for (let n = 0; n < 5000; n++) {
    const t = Math.floor(rnd() * 100);
    const cancel = clock.at(t, () => ran.push([clock.now, n]));
    if (rnd() < 0.5) cancel(); else expected.push([t, n]);
  }
  expected.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  assert.is(clock.pending, expected.length);
  clock.runUntil(100);
  assert.equal(ran, expected);
});

test('an endless chain of zero-delay events is reported as a livelock', () => {
  const clock = new Clock(1000);
  const again = (): void => { clock.at(clock.now, again); };
  clock.at(0, again);
  assert.throws(() => clock.runUntil(10), /livelock/);
});

test('a random stream depends only on its seed and name, and stays in [0, 1)', () => {
  const take = (seed: number, name: string): number[] => { const r = stream(seed, name); return Array.from({ length: 1000 }, r); };
  const a = take(1, 'host:a');
  assert.equal(take(1, 'host:a'), a);
  assert.not.equal(take(2, 'host:a'), a);
  assert.not.equal(take(1, 'host:b'), a);
  assert.ok(a.every((x) => x >= 0 && x < 1));
  const mean = a.reduce((s, x) => s + x, 0) / a.length;
  assert.ok(mean > 0.45 && mean < 0.55, `mean ${mean}`);
});

test.run();
