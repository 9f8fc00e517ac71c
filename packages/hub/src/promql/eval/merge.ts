import type { Labels } from '../../model.js';
import { DUPLICATE_LABELSET, execError } from '../errors.js';
import { keyOf } from '../labels.js';
import { emptySeries, hasAny, type Series } from './types.js';

/**
 * Joins series whose label sets became equal (after dropping the metric name, relabelling, …)
 * as Prometheus's range evaluation does: they become one series, and two values at the same
 * step are an error. Series without any value are dropped.
 */
export function mergeByLabels(series: readonly Series[], n: number): Series[] {
  const byKey = new Map<string, number>();
  const out: Series[] = [];
  const copied = new Set<number>();
  for (const s of series) {
    if (!hasAny(s)) continue;
    const k = keyOf(s.labels);
    const at = byKey.get(k);
    if (at === undefined) {
      byKey.set(k, out.length);
      out.push(s);
      continue;
    }
    // Inputs may share their arrays with other values: write into a copy.
    if (!copied.has(at)) {
      const first = out[at]!;
      out[at] = { labels: first.labels, v: first.v.slice(), ok: first.ok.slice() };
      copied.add(at);
    }
    const prev = out[at]!;
    for (let i = 0; i < n; i++) {
      if (s.ok[i] === 0) continue;
      if (prev.ok[i] === 1) throw execError(DUPLICATE_LABELSET);
      prev.ok[i] = 1;
      prev.v[i] = s.v[i]!;
    }
  }
  return out;
}

/**
 * Prometheus's whole-matrix check for range-vector functions and unary minus: two series
 * with one label set are an error even when their steps don't overlap.
 */
export function assertUniqueLabels(series: readonly { labels: Labels }[]): void {
  if (series.length < 2) return;
  const seen = new Set<string>();
  for (const s of series) {
    const k = keyOf(s.labels);
    if (seen.has(k)) throw execError(DUPLICATE_LABELSET);
    seen.add(k);
  }
}

/** A series sink keyed by label set, for results whose labels are computed per sample. */
export class SeriesByLabels {
  private readonly byKey = new Map<string, Series>();
  readonly list: Series[] = [];

  constructor(private readonly n: number) {}

  /** The series for a label set, created on first use. */
  get(labels: Labels, key: string = keyOf(labels)): Series {
    let s = this.byKey.get(key);
    if (s === undefined) {
      s = emptySeries(labels, this.n);
      this.byKey.set(key, s);
      this.list.push(s);
    }
    return s;
  }

  /** Sets the value at step i; a second value for the same labels and step is an error. */
  set(s: Series, i: number, v: number): void {
    if (s.ok[i] === 1) throw execError(DUPLICATE_LABELSET);
    s.ok[i] = 1;
    s.v[i] = v;
  }
}
