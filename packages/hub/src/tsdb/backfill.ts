/**
 * Backfill: samples older than a series' newest one, which the head cannot take (it only
 * appends), are merged into the series' chunks directly. Per compaction window touched, the
 * window's chunk rows are decoded, merged with the new samples (a sample already stored at
 * the same timestamp stays), and written back as head-sized level-0 chunks, which the
 * regular compaction later merges into one level-1 chunk like any other window.
 */
import type { Chunks, Samples } from './chunks.js';
import { concat } from './compaction.js';
import { BLOCK_WINDOW_MS, HEAD_MAX_SAMPLES, blockWindow } from './head.js';

/** Samples of one series to backfill: sorted by time, no timestamp twice. */
export interface BackfillSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly t: Float64Array;
  readonly v: Float64Array;
}

/**
 * Merges `t`/`v` (sorted, unique timestamps) into the chunks of series `id`. Call inside a
 * transaction, with the series' head already cut if it overlaps. Returns how many samples
 * were new (samples at a timestamp already stored are skipped).
 */
export function backfillChunks(
  chunks: Chunks,
  id: number,
  t: Float64Array,
  v: Float64Array,
): number {
  let added = 0;
  let from = 0;
  while (from < t.length) {
    const w = blockWindow(t[from]!);
    let to = from + 1;
    while (to < t.length && blockWindow(t[to]!) === w) to++;
    const start = w * BLOCK_WINDOW_MS;
    const rows = chunks.rows(id, start, start + BLOCK_WINDOW_MS - 1);
    const old = concat(rows.map((r) => chunks.decode(r, false)));
    const merged = mergeSorted(old, t.subarray(from, to), v.subarray(from, to));
    added += merged.t.length - old.t.length;
    if (merged.t.length > old.t.length) {
      for (const r of rows) chunks.delete(r.id);
      const n = merged.t.length;
      for (let i = 0; i < n; i += HEAD_MAX_SAMPLES) {
        chunks.write(id, merged.t, merged.v, i, Math.min(n, i + HEAD_MAX_SAMPLES), 0);
      }
    }
    from = to;
  }
  return added;
}

/**
 * Merges two sorted runs; where both have a timestamp, `a`'s sample is kept.
 *
 * @example mergeSorted({ t: [1, 3], v: [1, 3] }, [2, 3], [2, 9]) // t [1, 2, 3], v [1, 2, 3]
 */
export function mergeSorted(a: Samples, t: Float64Array, v: Float64Array): Samples {
  const n = a.t.length + t.length;
  const ot = new Float64Array(n);
  const ov = new Float64Array(n);
  let i = 0;
  let j = 0;
  let k = 0;
  // Values move through Float64Array element copies only, so NaN payloads survive.
  while (i < a.t.length || j < t.length) {
    if (j >= t.length || (i < a.t.length && a.t[i]! <= t[j]!)) {
      if (j < t.length && a.t[i] === t[j]) j++;
      ot[k] = a.t[i]!;
      ov[k++] = a.v[i++]!;
    } else {
      ot[k] = t[j]!;
      ov[k++] = v[j++]!;
    }
  }
  return k === n ? { t: ot, v: ov } : { t: ot.slice(0, k), v: ov.slice(0, k) };
}
