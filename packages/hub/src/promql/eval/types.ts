import type { Labels } from '../../model.js';

/** The evaluation times of one (sub)query: `start`, `start + step`, …, ≤ `end` (ms). */
export interface Steps {
  readonly start: number;
  readonly end: number;
  readonly step: number;
  /** Number of evaluation times. */
  readonly n: number;
}

/**
 * One series of an instant vector evaluated at every step: `v[i]` is the value at step i,
 * meaningful only where `ok[i]` is 1. Series-major typed arrays keep the per-step loops
 * allocation-free and let label work happen once per series, not once per step.
 */
export interface Series {
  readonly labels: Labels;
  readonly v: Float64Array;
  readonly ok: Uint8Array;
}

/** Samples of one series for range-vector functions (stale markers already removed). */
export interface RangeSeries {
  readonly labels: Labels;
  readonly t: Float64Array;
  readonly v: Float64Array;
}

/**
 * A range vector over all steps: the window at step time `ts` is
 * `[ref - rangeMs, ref]` with `ref = (at ?? ts) - offsetMs`, both ends inclusive (2.42).
 */
export interface RangeData {
  readonly series: readonly RangeSeries[];
  readonly rangeMs: number;
  readonly offsetMs: number;
  readonly at: number | undefined;
  /** When set, the window of step time ts ends at `at + (ts - slideFrom) - offsetMs`. */
  readonly slideFrom?: number;
}

/** An evaluated expression: an instant vector or scalar per step, or a string. */
export type Value =
  | { readonly kind: 'vector'; readonly series: Series[] }
  | { readonly kind: 'scalar'; readonly v: Float64Array }
  | { readonly kind: 'string'; readonly value: string };

/** Builds the steps of `[start, end]` every `step` ms. */
export function makeSteps(start: number, end: number, step: number): Steps {
  const n = end < start ? 0 : Math.floor((end - start) / step) + 1;
  return { start, end, step, n };
}

/** A new series with no values yet. */
export function emptySeries(labels: Labels, n: number): Series {
  return { labels, v: new Float64Array(n), ok: new Uint8Array(n) };
}

/** Whether a series has a value at any step. */
export function hasAny(s: Series): boolean {
  return s.ok.indexOf(1) !== -1;
}
