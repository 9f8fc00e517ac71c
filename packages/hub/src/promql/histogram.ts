import type { Labels } from '../model.js';
import { deleteLabels, keyOf, signatureIgnoring } from './labels.js';
import { parseGoFloat } from './literals.js';
import { SeriesByLabels } from './eval/merge.js';
import type { Series, Steps } from './eval/types.js';

/** One classic-histogram bucket: upper bound `le` and cumulative count. */
export interface Bucket {
  upperBound: number;
  count: number;
}

/**
 * The φ-quantile of classic buckets as Prometheus 2.42's `bucketQuantile`: buckets are sorted,
 * equal bounds merged and counts made monotonic; linear interpolation inside a bucket, 0 as
 * the lower bound of the first bucket when it is positive; the highest finite bound when φ
 * falls into +Inf. NaN without a +Inf bucket, with fewer than 2 buckets or no observations;
 * -Inf/+Inf for φ < 0 / φ > 1.
 *
 * @example bucketQuantile(0.5, [{ upperBound: 1, count: 1 }, { upperBound: Infinity, count: 2 }]) // 1
 */
export function bucketQuantile(q: number, buckets: readonly Bucket[]): number {
  const sorted = [...buckets].sort((a, b) => a.upperBound - b.upperBound || 0);
  const bounds = Float64Array.from(sorted, (b) => b.upperBound);
  const counts = Float64Array.from(sorted, (b) => b.count);
  return sortedBucketQuantile(q, bounds, counts, sorted.length);
}

/**
 * {@link bucketQuantile} over buckets already sorted by bound, in `bounds[0..n)` and
 * `counts[0..n)`; both arrays are used as scratch space.
 */
function sortedBucketQuantile(
  q: number,
  bounds: Float64Array,
  counts: Float64Array,
  n: number,
): number {
  if (q !== q) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  if (n === 0 || bounds[n - 1] !== Infinity) return NaN;
  // Merge equal bounds, then make the counts monotonic (the envelope Prometheus takes).
  let len = 1;
  for (let i = 1; i < n; i++) {
    if (bounds[i] === bounds[len - 1]) counts[len - 1] = counts[len - 1]! + counts[i]!;
    else {
      bounds[len] = bounds[i]!;
      counts[len++] = counts[i]!;
    }
  }
  let max = counts[0]!;
  for (let i = 1; i < len; i++) {
    if (counts[i]! > max) max = counts[i]!;
    else if (counts[i]! < max) counts[i] = max;
  }
  if (len < 2) return NaN;
  const observations = counts[len - 1]!;
  if (observations === 0) return NaN;
  let rank = q * observations;
  // First bucket (among all but +Inf) whose count reaches the rank, as Go's sort.Search.
  let lo = 0;
  let hi = len - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (counts[mid]! >= rank) hi = mid;
    else lo = mid + 1;
  }
  const b = lo;
  if (b === len - 1) return bounds[len - 2]!;
  if (b === 0 && bounds[0]! <= 0) return bounds[0]!;
  let bucketStart = 0;
  const bucketEnd = bounds[b]!;
  let count = counts[b]!;
  if (b > 0) {
    bucketStart = bounds[b - 1]!;
    count -= counts[b - 1]!;
    rank -= counts[b - 1]!;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

/**
 * `histogram_quantile(φ, buckets)` over classic `le` buckets: per step, series that differ
 * only in `le` form one histogram (the metric name is part of the grouping, and dropped from
 * the result with `le`). Series without a parseable `le` are ignored. Each group's buckets are
 * ordered once; a step only gathers the ones present.
 */
export function histogramQuantile(
  q: Float64Array,
  input: readonly Series[],
  steps: Steps,
): Series[] {
  const groups: { labels: Labels; members: { s: Series; le: number }[] }[] = [];
  const byKey = new Map<string, number>();
  for (const s of input) {
    const le = parseGoFloat(s.labels['le'] ?? '');
    if (le === undefined) continue;
    const key = signatureIgnoring(s.labels, ['le']) + '\xfe' + (s.labels['__name__'] ?? '');
    let g = byKey.get(key);
    if (g === undefined) {
      g = groups.length;
      byKey.set(key, g);
      groups.push({ labels: deleteLabels(s.labels, ['__name__', 'le']), members: [] });
    }
    groups[g]!.members.push({ s, le });
  }
  const out = new SeriesByLabels(steps.n);
  let size = 0;
  for (const g of groups) size = Math.max(size, g.members.length);
  const bounds = new Float64Array(size);
  const counts = new Float64Array(size);
  for (const g of groups) {
    g.members.sort((a, b) => a.le - b.le || 0);
    const key = keyOf(g.labels);
    for (let i = 0; i < steps.n; i++) {
      let n = 0;
      for (const m of g.members) {
        if (m.s.ok[i] === 0) continue;
        bounds[n] = m.le;
        counts[n++] = m.s.v[i]!;
      }
      if (n === 0) continue;
      out.set(out.get(g.labels, key), i, sortedBucketQuantile(q[i]!, bounds, counts, n));
    }
  }
  return out.list;
}
