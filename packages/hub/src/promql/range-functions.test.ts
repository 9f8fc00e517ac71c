import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RANGE_FUNCTIONS, quantile, type Window } from './range-functions.js';
import { bucketQuantile } from './histogram.js';
import { mulberry32 } from '../testing/prng.js';

/** Seeded, so failures reproduce. */
const rng = mulberry32;

/** Values with the awkward cases: NaN, ±Inf, ±0 and ties. */
function values(r: () => number, n: number): Float64Array {
  const pool = [NaN, Infinity, -Infinity, 0, -0, 1, 1, 2, -3.5, 1e300, -1e-300];
  return Float64Array.from({ length: n }, () =>
    r() < 0.3 ? pool[Math.floor(r() * pool.length)]! : Math.round(r() * 100) / 4,
  );
}

/** The plain definitions from Prometheus's functions.go, sample by sample. */
const reference: Record<string, (v: number[], q: number) => number> = {
  max_over_time: (v) => {
    let m = v[0]!;
    for (const x of v) if (x > m || Number.isNaN(m)) m = x;
    return m;
  },
  min_over_time: (v) => {
    let m = v[0]!;
    for (const x of v) if (x < m || Number.isNaN(m)) m = x;
    return m;
  },
  quantile_over_time: (v, q) => quantile(q, Float64Array.from(v)),
};

describe('sliding window functions equal their per-window definitions', () => {
  for (const name of Object.keys(reference)) {
    it(name, () => {
      for (let seed = 1; seed <= 40; seed++) {
        const r = rng(seed);
        const n = 5 + Math.floor(r() * 60);
        const v = values(r, n);
        const t = Float64Array.from({ length: n }, (_, i) => i * 1000);
        const fn = RANGE_FUNCTIONS.get(name)!({ t, v });
        let lo = 0;
        let hi = 0;
        while (hi < n) {
          // Windows move forward by random amounts, sometimes leaving a gap.
          hi = Math.min(n, hi + 1 + Math.floor(r() * 4));
          lo = Math.min(hi - 1, Math.max(lo, hi - 1 - Math.floor(r() * 12)));
          if (r() < 0.1) lo = hi - 1;
          const q = r() * 1.2 - 0.1;
          const w: Window = { ts: 0, mint: 0, maxt: 0, rangeMs: 0, param: q, param2: 0 };
          const got = fn(t, v, lo, hi, w)!;
          const want = reference[name]!(Array.from(v.subarray(lo, hi)), q);
          assert.ok(
            Object.is(got, want) || (got === want && got !== 0),
            `seed ${seed} [${lo},${hi}) ${Array.from(v.subarray(lo, hi)).join(' ')}: got ${got}, want ${want}`,
          );
        }
      }
    });
  }
});

describe('quantile (Prometheus interpolation)', () => {
  const cases: [number, number[], number][] = [
    [0.5, [1, 2, 3, 4], 2.5],
    [0, [3, 1, 2], 1],
    [1, [3, 1, 2], 3],
    [0.25, [10, 20, 30, 40, 50], 20],
    [0.5, [], NaN],
    [NaN, [1], NaN],
    [-0.1, [1], -Infinity],
    [1.1, [1], Infinity],
    [0.5, [NaN, 1, 2], 1],
  ];
  for (const [q, v, want] of cases) {
    it(`${q} of [${v.join(', ')}]`, () =>
      assert.ok(Object.is(quantile(q, Float64Array.from(v)), want)));
  }
});

describe('bucketQuantile', () => {
  const b = (pairs: [number, number][]) =>
    pairs.map(([upperBound, count]) => ({ upperBound, count }));
  const cases: [string, number, [number, number][], number][] = [
    [
      'interpolates within a bucket',
      0.5,
      [
        [1, 10],
        [2, 30],
        [Infinity, 40],
      ],
      1.5,
    ],
    [
      'lower bound 0 for a positive first bucket',
      0.1,
      [
        [1, 10],
        [Infinity, 20],
      ],
      0.2,
    ],
    [
      'first bound when it is not positive',
      0.1,
      [
        [-1, 10],
        [Infinity, 20],
      ],
      -1,
    ],
    [
      'highest finite bound for the +Inf bucket',
      0.99,
      [
        [1, 10],
        [2, 20],
        [Infinity, 40],
      ],
      2,
    ],
    [
      'NaN without +Inf',
      0.5,
      [
        [1, 10],
        [2, 20],
      ],
      NaN,
    ],
    [
      'NaN without observations',
      0.5,
      [
        [1, 0],
        [Infinity, 0],
      ],
      NaN,
    ],
    ['NaN with one bucket', 0.5, [[Infinity, 10]], NaN],
    [
      'merges equal bounds',
      0.5,
      [
        [1, 5],
        [1, 5],
        [Infinity, 20],
      ],
      1,
    ],
    [
      'sorts unsorted buckets',
      0.5,
      [
        [Infinity, 40],
        [2, 30],
        [1, 10],
      ],
      1.5,
    ],
  ];
  for (const [name, q, buckets, want] of cases) {
    it(name, () =>
      assert.ok(
        Object.is(bucketQuantile(q, b(buckets)), want),
        String(bucketQuantile(q, b(buckets))),
      ),
    );
  }
});
