/**
 * Reading one series over a time range: the chunks that overlap it (and only those) are
 * decoded, then the head is appended; the result is copied into fresh arrays.
 */
import type { SeriesData } from '../model.js';
import type { Chunks } from './chunks.js';
import type { MemSeries } from './head.js';

/** Samples of series `s` in `[mint, maxt]`, or undefined when there are none. */
export function readSeries(
  chunks: Chunks,
  s: MemSeries,
  mint: number,
  maxt: number,
): SeriesData | undefined {
  const ts: Float64Array[] = [];
  const vs: Float64Array[] = [];
  let n = 0;
  let last = -Infinity;
  const take = (t: Float64Array, v: Float64Array, len: number): void => {
    // Timestamps are integers: "after last" is "≥ last + 1".
    const lo = lowerBound(t, Math.max(mint, last + 1), len);
    const hi = lowerBound(t, maxt + 1, len);
    if (lo >= hi) return;
    ts.push(t.subarray(lo, hi));
    vs.push(v.subarray(lo, hi));
    n += hi - lo;
    last = t[hi - 1]!;
  };
  // Chunks hold only samples older than the head: skip them when the head covers the range.
  if (s.persisted && s.firstT <= maxt && (s.n === 0 || s.t[0]! > mint)) {
    for (const row of chunks.refs(s.id, mint, maxt)) {
      const c = chunks.decode(row);
      take(c.t, c.v, c.t.length);
    }
  }
  if (s.n > 0) take(s.t, s.v, s.n);
  if (n === 0) return undefined;
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < ts.length; i++) {
    t.set(ts[i]!, k);
    // set() copies bytes: NaN payloads (staleness markers) survive.
    v.set(vs[i]!, k);
    k += ts[i]!.length;
  }
  return { labels: s.labels, t, v };
}

/** First index in `t[0..len)` with `t[i] ≥ x`. */
export function lowerBound(t: Float64Array, x: number, len: number): number {
  let lo = 0;
  let hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
