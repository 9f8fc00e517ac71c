/**
 * Range-query benchmark of the engine alone: 300 counters and 20 twelve-bucket histograms,
 * one sample every 15 s for 24 h, queried over 24 h at a 15 s step (5761 points), as a
 * dashboard does. The querier hands out ready arrays, so the numbers are evaluation and
 * result building, not storage.
 *
 * Run: `node packages/hub/dist/promql/promql.bench.js`
 */
import type { Labels, Matcher, Querier, SeriesData } from '../model.js';
import { compileMatcher, matchesAll } from '../matchers.js';
import { rangeQuery } from './index.js';

const DAY = 86_400_000;
const STEP = 15_000;
const START = 1_700_000_000_000;

class ArrayQuerier implements Querier {
  constructor(private readonly data: SeriesData[]) {}
  select(matchers: readonly Matcher[], mint: number, maxt: number): SeriesData[] {
    const ms = matchers.map(compileMatcher);
    const out: SeriesData[] = [];
    for (const s of this.data) {
      if (!matchesAll(s.labels, ms)) continue;
      let lo = 0;
      while (lo < s.t.length && s.t[lo]! < mint) lo++;
      let hi = lo;
      while (hi < s.t.length && s.t[hi]! <= maxt) hi++;
      if (hi > lo) out.push({ labels: s.labels, t: s.t.subarray(lo, hi), v: s.v.subarray(lo, hi) });
    }
    return out;
  }
  labelNames(): string[] {
    return [];
  }
  labelValues(): string[] {
    return [];
  }
  series(): Labels[] {
    return this.data.map((s) => s.labels);
  }
}

function dataset(): SeriesData[] {
  const n = (DAY + 600_000) / STEP + 1;
  const t = Float64Array.from({ length: n }, (_, i) => START - 600_000 + i * STEP);
  let seed = 42;
  const random = (): number =>
    (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const data: SeriesData[] = [];
  for (let s = 0; s < 300; s++) {
    let x = 0;
    const v = Float64Array.from({ length: n }, () => (x += Math.floor(random() * 10)));
    data.push({
      labels: { __name__: 'requests_total', job: `job${s % 5}`, instance: `i${s}` },
      t,
      v,
    });
  }
  const les = [
    '0.005',
    '0.01',
    '0.025',
    '0.05',
    '0.1',
    '0.25',
    '0.5',
    '1',
    '2.5',
    '5',
    '10',
    '+Inf',
  ];
  for (let s = 0; s < 20; s++) {
    les.forEach((le, b) => {
      let x = 0;
      const v = Float64Array.from({ length: n }, () => (x += b + Math.floor(random() * 3)));
      data.push({ labels: { __name__: 'duration_seconds_bucket', instance: `i${s}`, le }, t, v });
    });
  }
  return data;
}

const QUERIES = [
  'requests_total',
  'rate(requests_total[5m])',
  'sum by (job) (rate(requests_total[5m]))',
  'histogram_quantile(0.99, sum by (le) (rate(duration_seconds_bucket[5m])))',
  'histogram_quantile(0.99, rate(duration_seconds_bucket[5m]))',
  'sum by (job) (rate(requests_total[5m])) / on() group_left sum(rate(requests_total[5m]))',
  'topk(5, rate(requests_total[5m]))',
  'max_over_time(rate(requests_total[5m])[30m:1m])',
  'quantile_over_time(0.9, requests_total[10m])',
];

const q = new ArrayQuerier(dataset());
for (const expr of QUERIES) {
  rangeQuery(q, expr, START, START + DAY, STEP); // warm-up
  const runs = 3;
  const t0 = performance.now();
  // CPU time as well: on a shared machine, wall time mostly measures the neighbours.
  const c0 = process.cpuUsage();
  let points = 0;
  for (let i = 0; i < runs; i++) {
    const r = rangeQuery(q, expr, START, START + DAY, STEP);
    if (r.resultType === 'matrix') for (const s of r.result) points += s.values.length;
  }
  const ms = (performance.now() - t0) / runs;
  const cpu = process.cpuUsage(c0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / runs;
  console.log(
    `${ms.toFixed(0).padStart(6)} ms wall ${cpuMs.toFixed(0).padStart(6)} ms cpu ${String(points / runs).padStart(8)} points  ${expr}`,
  );
}
