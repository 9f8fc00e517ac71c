import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RANGE_FUNCTIONS, type Window } from './range-functions.js';
import { WINDOW_LOOPS } from './eval/window-loops.js';
import type { RangeData, RangeSeries, Steps } from './eval/types.js';
import { mulberry32 } from '../testing/prng.js';

/** Seeded, so failures reproduce. */
const rng = mulberry32;

/** The generic definition: the per-window function at every step, windows found by search. */
function reference(name: string, s: RangeSeries, d: RangeData, steps: Steps): (number | null)[] {
  const fn = RANGE_FUNCTIONS.get(name)!(s);
  const out: (number | null)[] = [];
  for (let i = 0; i < steps.n; i++) {
    const ts = steps.start + i * steps.step;
    const maxt = (d.at ?? ts) - d.offsetMs;
    const mint = maxt - d.rangeMs;
    let lo = 0;
    while (lo < s.t.length && s.t[lo]! < mint) lo++;
    let hi = lo;
    while (hi < s.t.length && s.t[hi]! <= maxt) hi++;
    const w: Window = { ts, mint, maxt, rangeMs: d.rangeMs, param: 0, param2: 0 };
    const y = hi > lo ? fn(s.t, s.v, lo, hi, w) : undefined;
    out.push(y === undefined ? null : y);
  }
  return out;
}

describe('window loops equal the per-window range functions', () => {
  for (const name of WINDOW_LOOPS.keys()) {
    it(name, () => {
      for (let seed = 1; seed <= 60; seed++) {
        const r = rng(seed);
        const n = Math.floor(r() * 80);
        const t = new Float64Array(n);
        const v = new Float64Array(n);
        let time = Math.floor(r() * 5000);
        let x = r() * 10;
        for (let i = 0; i < n; i++) {
          // Jittered scrapes with gaps, counters with resets, a few equal or negative values.
          time += r() < 0.1 ? 40_000 + Math.floor(r() * 60_000) : 14_000 + Math.floor(r() * 2000);
          x = r() < 0.1 ? r() * 3 - 1 : r() < 0.1 ? x : x + r() * 5;
          t[i] = time;
          v[i] = x;
        }
        const s: RangeSeries = { labels: { __name__: 'x' }, t, v };
        const at = r() < 0.2 ? Math.floor(r() * time) : undefined;
        const d: RangeData = {
          series: [s],
          rangeMs: [30_000, 60_000, 300_000][Math.floor(r() * 3)]!,
          offsetMs: r() < 0.3 ? 20_000 : 0,
          at,
        };
        const step = [5000, 15_000, 61_000][Math.floor(r() * 3)]!;
        const start = Math.floor(r() * 20_000);
        const steps: Steps = { start, end: start + step * 59, step, n: 60 };
        const got = WINDOW_LOOPS.get(name)!(s, d, steps);
        const want = reference(name, s, d, steps);
        const gotList = want.map((_, i) =>
          got !== undefined && got.ok[i] === 1 ? got.v[i]! : null,
        );
        assert.deepEqual(gotList, want, `seed ${seed}`);
      }
    });
  }
});
