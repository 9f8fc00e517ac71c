import { execError } from './errors.js';

/**
 * Functions over a range-vector window, as in Prometheus 2.42's promql/functions.go. Each gets
 * the samples `t[lo..hi)`, `v[lo..hi)` of one series (at least one sample) and returns the
 * result, or undefined for "no sample at this step".
 */

/** The samples of one series. */
export interface SeriesSamples {
  readonly t: Float64Array;
  readonly v: Float64Array;
}

/** What a window function knows besides the samples. */
export interface Window {
  /** Evaluation time (ms). */
  readonly ts: number;
  /** Window bounds (ms, inclusive). */
  readonly mint: number;
  readonly maxt: number;
  readonly rangeMs: number;
  /** The scalar arguments at this step (quantile_over_time's φ, predict_linear's t, …). */
  readonly param: number;
  readonly param2: number;
}

/** A function over one window of one series. */
export type RangeFunction = (
  t: Float64Array,
  v: Float64Array,
  lo: number,
  hi: number,
  w: Window,
) => number | undefined;

/** Neumaier-compensated summation step; returns the new sum and writes the compensation. */
function kahanInc(inc: number, sum: number, c: { c: number }): number {
  const t = sum + inc;
  if (Math.abs(sum) >= Math.abs(inc)) c.c += sum - t + inc;
  else c.c += inc - t + sum;
  return t;
}

/**
 * Prefix counts of value drops: `drops[i + 1] - drops[lo + 1]` is the number of counter
 * resets among samples `lo..i`, so a window without one is known in O(1).
 */
function counterDrops(v: Float64Array): Int32Array {
  const drops = new Int32Array(v.length + 1);
  for (let i = 1; i < v.length; i++) drops[i + 1] = drops[i]! + (v[i]! < v[i - 1]! ? 1 : 0);
  return drops;
}

/**
 * Prometheus's `extrapolatedRate` over the window `t[lo..hi)` (at least two samples) ending
 * at `maxt`, ms. For counters, `resets` says whether the window holds a value drop; only
 * then is it walked, in Prometheus's order. A plain function of numbers
 * so that the per-step loops (eval/window-loops.ts) and {@link RANGE_FUNCTIONS} share it
 * and V8 can inline it into either.
 */
export function extrapolatedRateAt(
  t: Float64Array,
  v: Float64Array,
  lo: number,
  hi: number,
  maxt: number,
  rangeMs: number,
  isCounter: boolean,
  isRate: boolean,
  resets: boolean,
): number {
  const count = hi - lo;
  const first = v[lo]!;
  const last = v[hi - 1]!;
  let result = last - first;
  if (isCounter && resets) {
    let prev = first;
    for (let i = lo + 1; i < hi; i++) {
      const cur = v[i]!;
      if (cur < prev) result += prev;
      prev = cur;
    }
  }
  let durationToStart = (t[lo]! - (maxt - rangeMs)) / 1000;
  const durationToEnd = (maxt - t[hi - 1]!) / 1000;
  const sampledInterval = (t[hi - 1]! - t[lo]!) / 1000;
  const averageDurationBetweenSamples = sampledInterval / (count - 1);
  if (isCounter && result > 0 && first >= 0) {
    // A counter can't go below zero: don't extrapolate past the point where it would be 0.
    const durationToZero = sampledInterval * (first / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageDurationBetweenSamples * 1.1;
  let extrapolateToInterval = sampledInterval;
  extrapolateToInterval +=
    durationToStart < threshold ? durationToStart : averageDurationBetweenSamples / 2;
  extrapolateToInterval +=
    durationToEnd < threshold ? durationToEnd : averageDurationBetweenSamples / 2;
  let factor = extrapolateToInterval / sampledInterval;
  if (isRate) factor /= rangeMs / 1000;
  return result * factor;
}

/** rate, increase (counters) and delta (gauges), as Prometheus's `extrapolatedRate`. */
function extrapolatedRate(
  isCounter: boolean,
  isRate: boolean,
): (s: SeriesSamples) => RangeFunction {
  return (s) => {
    const drops = isCounter ? counterDrops(s.v) : undefined;
    return (t, v, lo, hi, w) =>
      hi - lo < 2
        ? undefined
        : extrapolatedRateAt(
            t,
            v,
            lo,
            hi,
            w.maxt,
            w.rangeMs,
            isCounter,
            isRate,
            drops !== undefined && drops[hi]! !== drops[lo + 1]!,
          );
  };
}

/**
 * irate (`isRate`) and idelta from the last two samples before `hi` (at least two in the
 * window); undefined when they share a timestamp.
 */
export function instantValueAt(
  t: Float64Array,
  v: Float64Array,
  hi: number,
  isRate: boolean,
): number | undefined {
  const last = v[hi - 1]!;
  const prev = v[hi - 2]!;
  const result = isRate && last < prev ? last : last - prev;
  const interval = t[hi - 1]! - t[hi - 2]!;
  if (interval === 0) return undefined;
  return isRate ? result / (interval / 1000) : result;
}

function instantValue(isRate: boolean): RangeFunction {
  return (t, v, lo, hi) => (hi - lo < 2 ? undefined : instantValueAt(t, v, hi, isRate));
}

/** Least-squares slope and intercept at `interceptTime` (Kahan-summed, as Prometheus). */
function linearRegression(
  t: Float64Array,
  v: Float64Array,
  lo: number,
  hi: number,
  interceptTime: number,
): [number, number] {
  let n = 0;
  let sumX = 0;
  let sumY = 0;
  let sumXY = 0;
  let sumX2 = 0;
  const cX = { c: 0 };
  const cY = { c: 0 };
  const cXY = { c: 0 };
  const cX2 = { c: 0 };
  const initY = v[lo]!;
  let constY = true;
  for (let i = lo; i < hi; i++) {
    const y = v[i]!;
    if (constY && i > lo && y !== initY) constY = false;
    n += 1;
    const x = (t[i]! - interceptTime) / 1e3;
    sumX = kahanInc(x, sumX, cX);
    sumY = kahanInc(y, sumY, cY);
    sumXY = kahanInc(x * y, sumXY, cXY);
    sumX2 = kahanInc(x * x, sumX2, cX2);
  }
  if (constY) {
    if (initY === Infinity || initY === -Infinity) return [NaN, NaN];
    return [0, initY];
  }
  sumX += cX.c;
  sumY += cY.c;
  sumXY += cXY.c;
  sumX2 += cX2.c;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  const intercept = sumY / n - (slope * sumX) / n;
  return [slope, intercept];
}

/** Go's `%f`. */
function goFixed(x: number): string {
  return x !== x ? 'NaN' : x === Infinity ? '+Inf' : x === -Infinity ? '-Inf' : x.toFixed(6);
}

/** Double exponential smoothing with smoothing factor `param` and trend factor `param2`. */
const holtWinters: RangeFunction = (_t, v, lo, hi, w) => {
  const sf = w.param;
  const tf = w.param2;
  if (!(sf > 0 && sf < 1))
    throw execError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${goFixed(sf)}`);
  if (!(tf > 0 && tf < 1))
    throw execError(`invalid trend factor. Expected: 0 < tf < 1, got: ${goFixed(tf)}`);
  if (hi - lo < 2) return undefined;
  let s0 = 0;
  let s1 = v[lo]!;
  let b = v[lo + 1]! - v[lo]!;
  for (let i = 1; i < hi - lo; i++) {
    const x = sf * v[lo + i]!;
    // The trend at i-1: b itself at the start, then tf-weighted against the last step.
    if (i > 1) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
};

function stdvar(v: Float64Array, lo: number, hi: number): number {
  let count = 0;
  let mean = 0;
  let aux = 0;
  const cMean = { c: 0 };
  const cAux = { c: 0 };
  for (let i = lo; i < hi; i++) {
    const x = v[i]!;
    count++;
    const delta = x - (mean + cMean.c);
    mean = kahanInc(delta / count, mean, cMean);
    aux = kahanInc(delta * (x - (mean + cMean.c)), aux, cAux);
  }
  return (aux + cAux.c) / count;
}

/** The φ-quantile of `nans` NaNs followed by `sorted[0..size)` (Prometheus sorts NaNs first). */
function quantileOfSorted(q: number, sorted: Float64Array, size: number, nans: number): number {
  const n = size + nans;
  if (n === 0 || q !== q) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const rank = q * (n - 1);
  const lowerIndex = Math.max(0, Math.floor(rank));
  const upperIndex = Math.min(n - 1, lowerIndex + 1);
  const weight = rank - Math.floor(rank);
  const lower = lowerIndex < nans ? NaN : sorted[lowerIndex - nans]!;
  const upper = upperIndex < nans ? NaN : sorted[upperIndex - nans]!;
  return lower * (1 - weight) + upper * weight;
}

/**
 * φ-quantile of values with Prometheus's interpolation: NaN for no values or NaN φ, -Inf for
 * φ < 0, +Inf for φ > 1; NaNs sort first. Sorts `values` in place.
 */
export function quantile(q: number, values: Float64Array): number {
  // Native numeric sort puts NaNs last.
  values.sort();
  let nans = 0;
  while (
    nans < values.length &&
    values[values.length - 1 - nans] !== values[values.length - 1 - nans]
  )
    nans++;
  return quantileOfSorted(q, values, values.length - nans, nans);
}

/**
 * quantile_over_time over consecutive windows of one series: a sorted copy of the window is
 * kept and updated as samples enter and leave, instead of sorting every window.
 */
function slidingQuantile(): RangeFunction {
  let sorted = new Float64Array(32);
  let size = 0;
  let nans = 0;
  let prevLo = 0;
  let prevHi = 0;
  const position = (x: number, upper: boolean): number => {
    let a = 0;
    let b = size;
    while (a < b) {
      const mid = (a + b) >>> 1;
      const y = sorted[mid]!;
      if (upper ? y <= x : y < x) a = mid + 1;
      else b = mid;
    }
    return a;
  };
  return (_t, v, lo, hi, w) => {
    if (lo >= prevHi || lo < prevLo || hi < prevHi) {
      size = 0;
      nans = 0;
      prevLo = prevHi = lo;
    }
    for (let i = prevLo; i < lo; i++) {
      const x = v[i]!;
      if (x !== x) nans--;
      else {
        const k = position(x, false);
        sorted.copyWithin(k, k + 1, size);
        size--;
      }
    }
    for (let i = prevHi; i < hi; i++) {
      const x = v[i]!;
      if (x !== x) {
        nans++;
        continue;
      }
      if (size === sorted.length) {
        const grown = new Float64Array(size * 2);
        grown.set(sorted);
        sorted = grown;
      }
      const k = position(x, true);
      sorted.copyWithin(k + 1, k, size);
      sorted[k] = x;
      size++;
    }
    prevLo = lo;
    prevHi = hi;
    return quantileOfSorted(w.param, sorted, size, nans);
  };
}

const STATELESS: [string, RangeFunction][] = [
  ['irate', instantValue(true)],
  ['idelta', instantValue(false)],
  [
    'deriv',
    (t, v, lo, hi) => (hi - lo < 2 ? undefined : linearRegression(t, v, lo, hi, t[lo]!)[0]),
  ],
  [
    'predict_linear',
    (t, v, lo, hi, w) => {
      if (hi - lo < 2) return undefined;
      const [slope, intercept] = linearRegression(t, v, lo, hi, w.ts);
      return slope * w.param + intercept;
    },
  ],
  [
    'resets',
    (_t, v, lo, hi) => {
      let resets = 0;
      let prev = v[lo]!;
      for (let i = lo + 1; i < hi; i++) {
        const cur = v[i]!;
        if (cur < prev) resets++;
        prev = cur;
      }
      return resets;
    },
  ],
  [
    'changes',
    (_t, v, lo, hi) => {
      let changes = 0;
      let prev = v[lo]!;
      for (let i = lo + 1; i < hi; i++) {
        const cur = v[i]!;
        if (cur !== prev && !(cur !== cur && prev !== prev)) changes++;
        prev = cur;
      }
      return changes;
    },
  ],
  [
    'avg_over_time',
    (_t, v, lo, hi) => {
      let mean = 0;
      let count = 0;
      const c = { c: 0 };
      for (let i = lo; i < hi; i++) {
        const x = v[i]!;
        count++;
        if (mean === Infinity || mean === -Infinity) {
          // An infinite mean stays as it is unless a NaN or an opposite infinity arrives.
          if ((x === Infinity || x === -Infinity) && mean > 0 === x > 0) continue;
          if (x !== Infinity && x !== -Infinity && x === x) continue;
        }
        mean = kahanInc(x / count - mean / count, mean, c);
      }
      return mean === Infinity || mean === -Infinity ? mean : mean + c.c;
    },
  ],
  ['count_over_time', (_t, _v, lo, hi) => hi - lo],
  ['last_over_time', (_t, v, _lo, hi) => v[hi - 1]!],
  ['present_over_time', () => 1],
  [
    'sum_over_time',
    (_t, v, lo, hi) => {
      let sum = 0;
      const c = { c: 0 };
      for (let i = lo; i < hi; i++) sum = kahanInc(v[i]!, sum, c);
      return sum === Infinity || sum === -Infinity ? sum : sum + c.c;
    },
  ],
  ['stdvar_over_time', (_t, v, lo, hi) => stdvar(v, lo, hi)],
  ['stddev_over_time', (_t, v, lo, hi) => Math.sqrt(stdvar(v, lo, hi))],
  ['absent_over_time', () => 1],
  ['holt_winters', holtWinters],
];

/**
 * max_over_time / min_over_time over consecutive windows of one series with a monotonic
 * deque: O(1) per step instead of O(window). Prometheus's result is the extreme of the
 * non-NaN values (the earliest of equal ones), NaN when all are NaN.
 */
function slidingExtreme(isMax: boolean): () => RangeFunction {
  return () => {
    let dq = new Int32Array(64);
    let head = 0;
    let tail = 0;
    let nonNaN = 0;
    let prevLo = 0;
    let prevHi = 0;
    return (_t, v, lo, hi) => {
      if (lo >= prevHi || lo < prevLo || hi < prevHi) {
        head = tail = nonNaN = 0;
        prevLo = prevHi = lo;
      }
      for (let i = prevLo; i < lo; i++) {
        if (v[i] === v[i]) nonNaN--;
        if (head < tail && dq[head] === i) head++;
      }
      for (let i = prevHi; i < hi; i++) {
        const x = v[i]!;
        if (x !== x) continue;
        nonNaN++;
        while (tail > head && (isMax ? v[dq[tail - 1]!]! < x : v[dq[tail - 1]!]! > x)) tail--;
        if (tail === dq.length) {
          dq.copyWithin(0, head, tail);
          tail -= head;
          head = 0;
          if (tail === dq.length) {
            const grown = new Int32Array(dq.length * 2);
            grown.set(dq);
            dq = grown;
          }
        }
        dq[tail++] = i;
      }
      prevLo = lo;
      prevHi = hi;
      return nonNaN === 0 ? NaN : v[dq[head]!]!;
    };
  };
}

/**
 * The range-vector functions by name. Each entry makes the function for one series (given its
 * samples), so that a function may prepare per series and keep state from one window to the
 * next (windows only move forward).
 */
export const RANGE_FUNCTIONS: ReadonlyMap<string, (s: SeriesSamples) => RangeFunction> = new Map<
  string,
  (s: SeriesSamples) => RangeFunction
>([
  ...STATELESS.map(([name, f]): [string, (s: SeriesSamples) => RangeFunction] => [name, () => f]),
  ['rate', extrapolatedRate(true, true)],
  ['increase', extrapolatedRate(true, false)],
  ['delta', extrapolatedRate(false, false)],
  ['quantile_over_time', slidingQuantile],
  ['max_over_time', slidingExtreme(true)],
  ['min_over_time', slidingExtreme(false)],
]);
