import type { Matcher, Querier, SeriesData } from '../../model.js';
import { isStale } from '../../model.js';
import { compareLabels } from '../labels.js';
import type { RangeSeries, Series, Steps } from './types.js';

/** Selects series once for a whole evaluation, in Prometheus's storage order (by labels). */
export function selectSorted(
  q: Querier,
  matchers: readonly Matcher[],
  mint: number,
  maxt: number,
): SeriesData[] {
  const data = q.select(matchers, mint, maxt);
  return data.length > 1 ? data.sort((a, b) => compareLabels(a.labels, b.labels)) : data;
}

/** Whether a sample value is the staleness marker; ordinary values skip the bit check. */
function stale(v: number): boolean {
  return v !== v && isStale(v);
}

/**
 * An instant-vector selector over all steps: at each step the latest sample at or before
 * `ref = (at ?? ts) - offset` and no older than the lookback delta, unless that sample is a
 * staleness marker. One moving index per series: O(samples + steps).
 *
 * With `timestamps`, the value is the sample's timestamp in seconds (for `timestamp()`).
 */
export function evalVectorSelector(
  data: readonly SeriesData[],
  steps: Steps,
  at: number | undefined,
  offsetMs: number,
  lookbackMs: number,
  timestamps: boolean,
): Series[] {
  const out: Series[] = [];
  const { n, start, step } = steps;
  for (const s of data) {
    const t = s.t;
    const v = s.v;
    const len = t.length;
    let vals: Float64Array | undefined;
    let ok: Uint8Array | undefined;
    let j = 0;
    for (let i = 0; i < n; i++) {
      const ref = (at ?? start + i * step) - offsetMs;
      while (j < len && t[j]! <= ref) j++;
      if (j === 0) continue;
      const k = j - 1;
      if (t[k]! < ref - lookbackMs) continue;
      const x = v[k]!;
      if (stale(x)) continue;
      if (vals === undefined || ok === undefined) {
        vals = new Float64Array(n);
        ok = new Uint8Array(n);
      }
      vals[i] = timestamps ? t[k]! / 1000 : x;
      ok[i] = 1;
    }
    if (vals !== undefined && ok !== undefined) out.push({ labels: s.labels, v: vals, ok });
  }
  return out;
}

/** Samples for range functions, with staleness markers removed. */
export function withoutStale(data: readonly SeriesData[]): RangeSeries[] {
  const out: RangeSeries[] = [];
  for (const s of data) {
    let staleCount = 0;
    for (let i = 0; i < s.v.length; i++) if (stale(s.v[i]!)) staleCount++;
    if (staleCount === 0) {
      out.push(s);
      continue;
    }
    const t = new Float64Array(s.t.length - staleCount);
    const v = new Float64Array(t.length);
    let j = 0;
    for (let i = 0; i < s.v.length; i++) {
      if (stale(s.v[i]!)) continue;
      t[j] = s.t[i]!;
      v[j++] = s.v[i]!;
    }
    if (j > 0) out.push({ labels: s.labels, t, v });
  }
  return out;
}
