/**
 * What the rules compute on the generated test inputs, step by step, so each promtool test
 * can state which alerts fire and the exact text of their annotations. It is exact only for
 * the inputs the generator builds: counters starting at 0 and every window a whole number
 * of scrapes, where Prometheus's rate() does no extrapolation (the window either starts on a
 * sample or before a series' 0, which stops extrapolation at the start) and is Δ / window.
 */
import type { GaugeSlo } from '@canopy/catalog';
import { parseDuration } from '../slo/duration.js';
import { violation } from './expressions.js';
import { budgetOf } from './tiers.js';

/**
 * rate() of a zero-based counter sampled every `step` seconds, at step `k`, over a window
 * of `windowSteps` scrapes; `undefined` with fewer than two samples in the window.
 */
export function alignedRate(
  values: readonly number[],
  k: number,
  windowSteps: number,
  step: number,
): number | undefined {
  const j0 = Math.max(0, k - windowSteps);
  if (k - j0 < 1) return undefined;
  return (values[k]! - values[j0]!) / (windowSteps * step);
}

/** The counters behind a ratio or latency SLO's error ratio in a test. */
export interface RatioCounters {
  readonly good: readonly number[];
  /**
   * Either the bad events' own series (the total selector also selects the good series, so
   * total = good + bad), or a separate total series.
   */
  readonly bad?: readonly number[];
  readonly total?: readonly number[];
}

/**
 * The recorded `1 - sum(rate(good[w])) / sum(rate(total[w]))` at step `k`, computed in the
 * same order as PromQL; `undefined` when rate() has no result yet.
 */
export function errorRatioAt(
  c: RatioCounters,
  k: number,
  windowSeconds: number,
  step: number,
): number | undefined {
  const n = windowSeconds / step;
  const g = alignedRate(c.good, k, n, step);
  if (g === undefined) return undefined;
  let total: number | undefined;
  if (c.bad !== undefined) {
    const b = alignedRate(c.bad, k, n, step);
    total = b === undefined ? undefined : g + b;
  } else total = alignedRate(c.total!, k, n, step);
  return total === undefined ? undefined : 1 - g / total;
}

/**
 * Throws when `x` is within a hair of `threshold`: promtool's float arithmetic and this
 * module's could then disagree on the comparison.
 */
export function assertClear(x: number, threshold: number, what: string): void {
  if (Math.abs(x - threshold) <= 1e-9 * Math.max(1, Math.abs(threshold)))
    throw new Error(`${what}: ${x} is too close to the threshold ${threshold} to predict`);
}

/** Step-by-step state of a gauge SLO's rules in a test. */
export interface GaugeRun {
  /** The expression's value at each step (`undefined`: no result). */
  readonly values: readonly (number | undefined)[];
  readonly firing: readonly boolean[];
  /** `slo:error_budget_remaining:ratio` at each step. */
  readonly budget: readonly (number | undefined)[];
}

/**
 * Runs a gauge SLO's alert and budget rules over a test whose step `k` is in state
 * `bad[k]` (violating inputs) or not. The expression's value is the example's value for the
 * state, or, for an expression that is a rate over `range`, the mean of the per-step values
 * in the window (a counter born at step 0 is not extrapolated back).
 */
export function runGauge(slo: GaugeSlo, bad: readonly boolean[], step: number): GaugeRun {
  const ex = slo.example!;
  const per = bad.map((b) => (b ? ex.value.bad : ex.value.good));
  const range = ex.range === undefined ? undefined : parseDuration(ex.range)!;
  const forSeconds = parseDuration(slo.sustained)!;
  const op = violation(slo.comparator);
  const budgetLit = budgetOf(slo.target);
  const values: (number | undefined)[] = [];
  const firing: boolean[] = [];
  const budget: (number | undefined)[] = [];
  let activeAt: number | undefined;
  let bits = 0;
  let slices = 0;
  for (let k = 0; k < bad.length; k++) {
    let v: number | undefined;
    if (range === undefined) v = per[k]!;
    else if (k >= 1) {
      const n = range / step;
      let sum = 0;
      for (let j = Math.max(1, k - n + 1); j <= k; j++) sum += per[j]! * step;
      v = sum / range;
    }
    values.push(v);
    let violating = false;
    if (v !== undefined) {
      assertClear(v, slo.threshold, `${slo.name} at step ${k}`);
      violating =
        op === '>='
          ? v >= slo.threshold
          : op === '>'
            ? v > slo.threshold
            : op === '<='
              ? v <= slo.threshold
              : v < slo.threshold;
      slices++;
      if (violating) bits++;
    }
    if (!violating) activeAt = undefined;
    else if (activeAt === undefined) activeAt = k;
    firing.push(activeAt !== undefined && (k - activeAt) * step >= forSeconds);
    budget.push(slices === 0 ? undefined : 1 - bits / slices / budgetLit);
  }
  return { values, firing, budget };
}
