import type { Labels } from '../model.js';
import type { AggregateExpr } from './ast.js';
import { execError } from './errors.js';
import { formatFloatF } from './format.js';
import {
  compareStrings,
  deleteLabels,
  keepLabels,
  keyOf,
  METRIC_NAME,
  signatureIgnoring,
  signatureOn,
  withLabel,
} from './labels.js';
import { quantile } from './range-functions.js';
import { SeriesByLabels } from './eval/merge.js';
import { emptySeries, type Series, type Steps } from './eval/types.js';

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const MAX_INT64 = 9223372036854774784;
const MIN_INT64 = -9223372036854775808;

/** Go's `%v` of a float64, enough for error messages. */
function goFloat(v: number): string {
  return v !== v ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v);
}

interface Grouping {
  /** Group index per input series. */
  readonly gid: Int32Array;
  /** Output labels per group. */
  readonly labels: Labels[];
}

function groupSeries(
  input: readonly Series[],
  grouping: readonly string[],
  without: boolean,
): Grouping {
  const gid = new Int32Array(input.length);
  const labels: Labels[] = [];
  const ids = new Map<string, number>();
  const exclude = without ? [...grouping, METRIC_NAME] : grouping;
  input.forEach((s, i) => {
    const key = without ? signatureIgnoring(s.labels, grouping) : signatureOn(s.labels, grouping);
    let g = ids.get(key);
    if (g === undefined) {
      g = labels.length;
      ids.set(key, g);
      labels.push(without ? deleteLabels(s.labels, exclude) : keepLabels(s.labels, grouping));
    }
    gid[i] = g;
  });
  return { gid, labels };
}

/**
 * Evaluates an aggregation (`sum`, `avg`, …, `count_values`) step by step with the exact
 * arithmetic of Prometheus 2.42 (incremental mean, Welford variance, heap-based topk).
 */
export function aggregate(
  e: AggregateExpr,
  input: readonly Series[],
  param: Float64Array | string | undefined,
  steps: Steps,
): Series[] {
  const grouping = [...e.grouping].sort(compareStrings);
  switch (e.op) {
    case 'topk':
    case 'bottomk':
      return topk(
        e.op === 'topk',
        input,
        param as Float64Array,
        groupSeries(input, grouping, e.without),
        steps,
      );
    case 'quantile':
      return quantileAgg(
        input,
        param as Float64Array,
        groupSeries(input, grouping, e.without),
        steps,
      );
    case 'count_values':
      return countValues(input, param as string, grouping, e.without, steps);
    default:
      return simple(e.op, input, groupSeries(input, grouping, e.without), steps);
  }
}

/**
 * sum, avg, min, max, count, group, stddev, stdvar. Walks series-major (each input series
 * once, all steps) for cache locality; per group and step the inputs still arrive in series
 * order, so the floating-point result is the one Prometheus's step-major loop computes.
 */
function simple(op: string, input: readonly Series[], g: Grouping, steps: Steps): Series[] {
  const n = steps.n;
  const out: (Series | undefined)[] = new Array<Series | undefined>(g.labels.length);
  const means: Float64Array[] = [];
  const counts: Float64Array[] = [];
  const needMean = op === 'avg' || op === 'stddev' || op === 'stdvar';
  const needCount = needMean || op === 'count';
  for (let si = 0; si < input.length; si++) {
    const s = input[si]!;
    const gi = g.gid[si]!;
    let o = out[gi];
    if (o === undefined) {
      out[gi] = o = emptySeries(g.labels[gi]!, n);
      if (needMean) means[gi] = new Float64Array(n);
      if (needCount) counts[gi] = new Float64Array(n);
    }
    const ov = o.v;
    const ook = o.ok;
    const sv = s.v;
    const sok = s.ok;
    const mean = means[gi]!;
    const count = counts[gi]!;
    switch (op) {
      case 'sum':
        for (let i = 0; i < n; i++) {
          if (sok[i] === 0) continue;
          if (ook[i] === 0) {
            ook[i] = 1;
            ov[i] = sv[i]!;
          } else ov[i] = ov[i]! + sv[i]!;
        }
        break;
      case 'max':
      case 'min': {
        const isMax = op === 'max';
        for (let i = 0; i < n; i++) {
          if (sok[i] === 0) continue;
          const x = sv[i]!;
          const cur = ov[i]!;
          if (ook[i] === 0) {
            ook[i] = 1;
            ov[i] = x;
          } else if ((isMax ? cur < x : cur > x) || cur !== cur) ov[i] = x;
        }
        break;
      }
      case 'group':
        for (let i = 0; i < n; i++) {
          if (sok[i] === 0) continue;
          ook[i] = 1;
          ov[i] = 1;
        }
        break;
      case 'count':
        for (let i = 0; i < n; i++) {
          if (sok[i] === 0) continue;
          ook[i] = 1;
          count[i] = count[i]! + 1;
        }
        break;
      case 'avg':
        for (let i = 0; i < n; i++) {
          if (sok[i] === 0) continue;
          const x = sv[i]!;
          if (ook[i] === 0) {
            ook[i] = 1;
            mean[i] = x;
            count[i] = 1;
            continue;
          }
          const c = ++count[i]!;
          const m = mean[i]!;
          if (m === Infinity || m === -Infinity) {
            // An infinite mean stays as it is unless a NaN or an opposite infinity arrives.
            if ((x === Infinity || x === -Infinity) && m > 0 === x > 0) continue;
            if (x !== Infinity && x !== -Infinity && x === x) continue;
          }
          mean[i] = m + (x / c - m / c);
        }
        break;
      default:
        // stddev, stdvar: Welford's online algorithm, `ov` holding the sum of squares.
        for (let i = 0; i < n; i++) {
          if (sok[i] === 0) continue;
          const x = sv[i]!;
          if (ook[i] === 0) {
            ook[i] = 1;
            ov[i] = 0;
            mean[i] = x;
            count[i] = 1;
            continue;
          }
          const c = ++count[i]!;
          const delta = x - mean[i]!;
          mean[i] = mean[i]! + delta / c;
          ov[i] = ov[i]! + delta * (x - mean[i]!);
        }
    }
  }
  const result: Series[] = [];
  out.forEach((o, gi) => {
    if (o === undefined || o.ok.indexOf(1) === -1) return;
    if (op === 'avg') o.v.set(means[gi]!);
    else if (op === 'count') o.v.set(counts[gi]!);
    else if (op === 'stdvar' || op === 'stddev') {
      const count = counts[gi]!;
      for (let i = 0; i < n; i++) {
        const variance = o.v[i]! / count[i]!;
        o.v[i] = op === 'stdvar' ? variance : Math.sqrt(variance);
      }
    }
    result.push(o);
  });
  return result;
}

/**
 * Go's container/heap over `less`, so that ties and NaNs pick the same series as Prometheus.
 * Entries are (input series index, value) in parallel arrays, reused from step to step.
 */
class GoHeap {
  readonly si: number[] = [];
  readonly v: number[] = [];
  size = 0;
  constructor(private readonly less: (a: number, b: number) => boolean) {}

  reset(si: number, v: number): void {
    this.si[0] = si;
    this.v[0] = v;
    this.size = 1;
  }

  private lessAt(i: number, j: number): boolean {
    return this.less(this.v[i]!, this.v[j]!);
  }

  private swap(i: number, j: number): void {
    const s = this.si[i]!;
    this.si[i] = this.si[j]!;
    this.si[j] = s;
    const v = this.v[i]!;
    this.v[i] = this.v[j]!;
    this.v[j] = v;
  }

  private up(j: number): void {
    for (;;) {
      const i = Math.trunc((j - 1) / 2);
      if (i === j || !this.lessAt(j, i)) break;
      this.swap(i, j);
      j = i;
    }
  }

  private down(i0: number, n: number): void {
    let i = i0;
    for (;;) {
      const j1 = 2 * i + 1;
      if (j1 >= n || j1 < 0) break;
      let j = j1;
      const j2 = j1 + 1;
      if (j2 < n && this.lessAt(j2, j1)) j = j2;
      if (!this.lessAt(j, i)) break;
      this.swap(i, j);
      i = j;
    }
  }

  push(si: number, v: number): void {
    this.si[this.size] = si;
    this.v[this.size] = v;
    this.size++;
    this.up(this.size - 1);
  }

  pop(): void {
    const n = this.size - 1;
    this.swap(0, n);
    this.down(0, n);
    this.size--;
  }
}

function topk(
  isTop: boolean,
  input: readonly Series[],
  param: Float64Array,
  g: Grouping,
  steps: Steps,
): Series[] {
  // topk keeps the smallest value on top of the heap, bottomk the largest; NaN is always "less".
  const less = isTop
    ? (a: number, b: number) => a !== a || a < b
    : (a: number, b: number) => a !== a || a > b;
  const out: (Series | undefined)[] = new Array<Series | undefined>(input.length);
  const heaps = g.labels.map(() => new GoHeap(less));
  const stamp = new Int32Array(heaps.length).fill(-1);
  const groupOrder: number[] = [];
  const order: Series[] = [];
  for (let i = 0; i < steps.n; i++) {
    const f = param[i]!;
    if (!(f <= MAX_INT64 && f >= MIN_INT64)) {
      throw execError(`Scalar value ${goFloat(f)} overflows int64`);
    }
    const k = Math.trunc(f);
    if (k < 1) continue;
    groupOrder.length = 0;
    for (let si = 0; si < input.length; si++) {
      const s = input[si]!;
      if (s.ok[i] === 0) continue;
      const x = s.v[i]!;
      const gi = g.gid[si]!;
      const heap = heaps[gi]!;
      if (stamp[gi] !== i) {
        stamp[gi] = i;
        groupOrder.push(gi);
        heap.reset(si, x);
        continue;
      }
      const top = heap.v[0]!;
      const replaces = isTop ? top < x : top > x;
      if (heap.size < k || replaces || top !== top) {
        if (heap.size === k) {
          if (k === 1) {
            heap.si[0] = si;
            heap.v[0] = x;
            continue;
          }
          heap.pop();
        }
        heap.push(si, x);
      }
    }
    for (const gi of groupOrder) {
      const heap = heaps[gi]!;
      const picks: number[] = [];
      for (let j = 0; j < heap.size; j++) picks.push(j);
      // Instant results list each group's picks best first (NaN last), as Prometheus does.
      if (steps.n === 1) {
        picks.sort((a, b) => {
          const x = heap.v[a]!;
          const y = heap.v[b]!;
          return x !== x ? 1 : y !== y ? -1 : isTop ? y - x : x - y;
        });
      }
      for (const j of picks) {
        const si = heap.si[j]!;
        let s = out[si];
        if (s === undefined) {
          out[si] = s = emptySeries(input[si]!.labels, steps.n);
          order.push(s);
        }
        s.v[i] = heap.v[j]!;
        s.ok[i] = 1;
      }
    }
  }
  if (steps.n === 1) return order;
  return out.filter((s): s is Series => s !== undefined);
}

function quantileAgg(
  input: readonly Series[],
  param: Float64Array,
  g: Grouping,
  steps: Steps,
): Series[] {
  const out: (Series | undefined)[] = new Array<Series | undefined>(g.labels.length);
  const values = new Map<number, number[]>();
  for (let i = 0; i < steps.n; i++) {
    values.clear();
    for (let si = 0; si < input.length; si++) {
      const s = input[si]!;
      if (s.ok[i] === 0) continue;
      const gi = g.gid[si]!;
      let vs = values.get(gi);
      if (vs === undefined) values.set(gi, (vs = []));
      vs.push(s.v[i]!);
    }
    for (const [gi, vs] of values) {
      let s = out[gi];
      if (s === undefined) out[gi] = s = emptySeries(g.labels[gi]!, steps.n);
      s.v[i] = quantile(param[i]!, Float64Array.from(vs));
      s.ok[i] = 1;
    }
  }
  return out.filter((s): s is Series => s !== undefined);
}

function countValues(
  input: readonly Series[],
  valueLabel: string,
  grouping: readonly string[],
  without: boolean,
  steps: Steps,
): Series[] {
  if (!LABEL_NAME_RE.test(valueLabel))
    throw execError(`invalid label name ${JSON.stringify(valueLabel)}`);
  const byGrouping = without ? grouping : [...grouping, valueLabel].sort(compareStrings);
  const exclude = without ? [...grouping, METRIC_NAME] : [];
  const out = new SeriesByLabels(steps.n);
  const counts = new Map<string, { labels: Labels; n: number }>();
  for (let i = 0; i < steps.n; i++) {
    counts.clear();
    for (const s of input) {
      if (s.ok[i] === 0) continue;
      const metric = withLabel(s.labels, valueLabel, formatFloatF(s.v[i]!));
      const key = without ? signatureIgnoring(metric, grouping) : signatureOn(metric, byGrouping);
      const c = counts.get(key);
      if (c !== undefined) c.n++;
      else {
        const labels = without ? deleteLabels(metric, exclude) : keepLabels(metric, byGrouping);
        counts.set(key, { labels, n: 1 });
      }
    }
    for (const { labels, n } of counts.values()) out.set(out.get(labels, keyOf(labels)), i, n);
  }
  return out.list;
}
