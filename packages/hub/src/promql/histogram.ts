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
export function bucketQuantile(q: number, input: Bucket[]): number {
  if (q !== q) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  input.sort((a, b) => a.upperBound - b.upperBound);
  if (input[input.length - 1]!.upperBound !== Infinity) return NaN;
  const buckets = coalesce(input);
  let max = buckets[0]!.count;
  for (let i = 1; i < buckets.length; i++) {
    const b = buckets[i]!;
    if (b.count > max) max = b.count;
    else if (b.count < max) b.count = max;
  }
  if (buckets.length < 2) return NaN;
  const observations = buckets[buckets.length - 1]!.count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  // First bucket (among all but +Inf) whose count reaches the rank (sort.Search).
  let lo = 0;
  let hi = buckets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (buckets[mid]!.count >= rank) hi = mid;
    else lo = mid + 1;
  }
  const b = lo;
  if (b === buckets.length - 1) return buckets[buckets.length - 2]!.upperBound;
  if (b === 0 && buckets[0]!.upperBound <= 0) return buckets[0]!.upperBound;
  let bucketStart = 0;
  const bucketEnd = buckets[b]!.upperBound;
  let count = buckets[b]!.count;
  if (b > 0) {
    bucketStart = buckets[b - 1]!.upperBound;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

function coalesce(buckets: Bucket[]): Bucket[] {
  const out: Bucket[] = [];
  let last = { ...buckets[0]! };
  for (let i = 1; i < buckets.length; i++) {
    const b = buckets[i]!;
    if (b.upperBound === last.upperBound) last.count += b.count;
    else {
      out.push(last);
      last = { ...b };
    }
  }
  out.push(last);
  return out;
}

/**
 * `histogram_quantile(φ, buckets)` over classic `le` buckets: per step, series that differ
 * only in `le` form one histogram (the metric name is part of the grouping, and dropped from
 * the result with `le`). Series without a parseable `le` are ignored.
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
  const buckets: Bucket[] = [];
  for (const g of groups) {
    const key = keyOf(g.labels);
    for (let i = 0; i < steps.n; i++) {
      buckets.length = 0;
      for (const m of g.members) {
        if (m.s.ok[i] === 1) buckets.push({ upperBound: m.le, count: m.s.v[i]! });
      }
      if (buckets.length === 0) continue;
      out.set(out.get(g.labels, key), i, bucketQuantile(q[i]!, buckets));
    }
  }
  return out.list;
}
