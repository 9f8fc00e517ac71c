import type { Querier } from '../../model.js';
import { aggregate } from '../aggregations.js';
import type {
  AtModifier,
  BinaryExpr,
  Call,
  Expr,
  MatrixSelector,
  SubqueryExpr,
  VectorSelector,
} from '../ast.js';
import { scalarBinop, setBinop, vectorBinop, vectorScalarBinop } from '../binary.js';
import { PromQLError, execError } from '../errors.js';
import { absentLabels, INSTANT_FUNCTIONS } from '../functions.js';
import { dropMetricName } from '../labels.js';
import { RANGE_FUNCTIONS, type Window } from '../range-functions.js';
import { SIGNATURES } from '../signatures.js';
import { typeOf } from '../typecheck.js';
import { assertUniqueLabels, mergeByLabels } from './merge.js';
import { evalVectorSelector, selectSorted, withoutStale } from './selectors.js';
import { WINDOW_LOOPS } from './window-loops.js';
import {
  emptySeries,
  makeSteps,
  type RangeData,
  type RangeSeries,
  type Series,
  type Steps,
  type Value,
} from './types.js';

/** What an evaluation needs besides the expression and its steps. */
export interface EvalOptions {
  readonly lookbackMs: number;
  /** `Date.now()` value after which evaluation stops with a timeout error. */
  readonly deadline: number;
  /** Step of subqueries written without one (`x[5m:]`): Prometheus's global evaluation interval. */
  readonly subqueryStepMs: number;
  /** Times `@ start()` and `@ end()` stand for. */
  readonly queryStart: number;
  readonly queryEnd: number;
  /** Most samples (selected samples, or series × steps) one query may hold. */
  readonly maxSamples: number;
}

function unwrapParens(e: Expr): Expr {
  while (e.kind === 'paren') e = e.expr;
  return e;
}

/**
 * Evaluates expressions over a set of steps. Each selector is read from the Querier once for
 * all steps; results are series-major typed arrays (see {@link Series}).
 */
export class Evaluator {
  private samples = 0;

  constructor(
    private readonly q: Querier,
    private readonly o: EvalOptions,
  ) {}

  /** Throws the timeout error once the deadline has passed. */
  checkDeadline(): void {
    if (Date.now() > this.o.deadline) {
      throw new PromQLError('timeout', 'query timed out in expression evaluation');
    }
  }

  /**
   * Counts samples read into memory and refuses to go past the limit (Prometheus's
   * `--query.max-samples`, 50 million), rather than exhausting the hub's memory.
   */
  private account(samples: number): void {
    this.samples += samples;
    if (this.samples > this.o.maxSamples) {
      throw execError(
        'query processing would load too many samples into memory in query execution',
      );
    }
  }

  private resolveAt(at: AtModifier | undefined): number | undefined {
    if (at === 'start') return this.o.queryStart;
    if (at === 'end') return this.o.queryEnd;
    return at;
  }

  /**
   * An instant-vector selector at every step; with `timestamps`, the values are the selected
   * samples' timestamps (for `timestamp()`).
   */
  private vectorSelector(e: VectorSelector, steps: Steps, timestamps: boolean): Series[] {
    const at = this.resolveAt(e.at);
    const first = (at ?? steps.start) - e.offsetMs;
    const last = (at ?? steps.end) - e.offsetMs;
    const data = selectSorted(this.q, e.matchers, first - this.o.lookbackMs, last);
    this.account(data.length * steps.n);
    // Prometheus 2.42 looks up `timestamp(x @ t offset o)` at t itself, in samples selected
    // for t - o: there the offset only narrows what was read.
    const offset = timestamps && at !== undefined ? 0 : e.offsetMs;
    return evalVectorSelector(data, steps, at, offset, this.o.lookbackMs, timestamps);
  }

  /** Evaluates an instant-vector, scalar or string expression at every step. */
  eval(e: Expr, steps: Steps): Value {
    this.checkDeadline();
    switch (e.kind) {
      case 'number':
        return { kind: 'scalar', v: new Float64Array(steps.n).fill(e.value) };
      case 'string':
        return { kind: 'string', value: e.value };
      case 'paren':
        return this.eval(e.expr, steps);
      case 'vector':
        return { kind: 'vector', series: this.vectorSelector(e, steps, false) };
      case 'unary': {
        const v = this.eval(e.expr, steps);
        if (e.op === '+') return v;
        if (v.kind === 'scalar') return { kind: 'scalar', v: v.v.map((x) => -x) };
        if (v.kind !== 'vector') throw execError('unary minus on a string');
        const series = v.series.map((s) => ({
          labels: dropMetricName(s.labels),
          v: s.v.map((x) => -x),
          ok: s.ok,
        }));
        assertUniqueLabels(series);
        return { kind: 'vector', series };
      }
      case 'binary':
        return this.binary(e, steps);
      case 'aggregate': {
        const input = this.vector(e.expr, steps);
        let param: Float64Array | string | undefined;
        if (e.param !== undefined) {
          const p = this.eval(e.param, steps);
          param = p.kind === 'string' ? p.value : p.kind === 'scalar' ? p.v : undefined;
        }
        return { kind: 'vector', series: aggregate(e, input, param, steps) };
      }
      case 'call':
        return this.call(e, steps);
      case 'matrix':
      case 'subquery':
        throw execError('a range vector can only be a function argument or a query result');
    }
  }

  /** Evaluates an expression the type checker knows to be an instant vector. */
  vector(e: Expr, steps: Steps): Series[] {
    const v = this.eval(e, steps);
    if (v.kind !== 'vector') throw execError(`expected an instant vector, got ${v.kind}`);
    return v.series;
  }

  private scalar(e: Expr, steps: Steps): Float64Array {
    const v = this.eval(e, steps);
    if (v.kind !== 'scalar') throw execError(`expected a scalar, got ${v.kind}`);
    return v.v;
  }

  private binary(e: BinaryExpr, steps: Steps): Value {
    const lt = typeOf(e.lhs);
    const rt = typeOf(e.rhs);
    if (lt === 'scalar' && rt === 'scalar') {
      const l = this.scalar(e.lhs, steps);
      const r = this.scalar(e.rhs, steps);
      const v = new Float64Array(steps.n);
      for (let i = 0; i < steps.n; i++) v[i] = scalarBinop(e.op, l[i]!, r[i]!);
      return { kind: 'scalar', v };
    }
    if (lt === 'vector' && rt === 'scalar') {
      const l = this.vector(e.lhs, steps);
      const r = this.scalar(e.rhs, steps);
      return { kind: 'vector', series: vectorScalarBinop(e.op, l, r, false, e.returnBool, steps) };
    }
    if (lt === 'scalar' && rt === 'vector') {
      const l = this.scalar(e.lhs, steps);
      const r = this.vector(e.rhs, steps);
      return { kind: 'vector', series: vectorScalarBinop(e.op, r, l, true, e.returnBool, steps) };
    }
    const l = this.vector(e.lhs, steps);
    const r = this.vector(e.rhs, steps);
    if (e.op === 'and' || e.op === 'or' || e.op === 'unless') {
      return { kind: 'vector', series: setBinop(e.op, l, r, e.matching, steps) };
    }
    return { kind: 'vector', series: vectorBinop(e.op, l, r, e.matching, e.returnBool, steps) };
  }

  private call(e: Call, steps: Steps): Value {
    const rangeFn = RANGE_FUNCTIONS.get(e.func);
    if (rangeFn !== undefined) return this.rangeCall(e, steps);
    const fn = INSTANT_FUNCTIONS.get(e.func);
    if (fn === undefined) throw execError(`function ${JSON.stringify(e.func)} is not implemented`);
    if (e.func === 'timestamp') {
      const arg = unwrapParens(e.args[0]!);
      if (arg.kind === 'vector') {
        // The timestamp of a selected sample, not the evaluation time.
        const series = this.vectorSelector(arg, steps, true).map((s) => ({
          ...s,
          labels: dropMetricName(s.labels),
        }));
        return { kind: 'vector', series: mergeByLabels(series, steps.n) };
      }
    }
    const args = e.args.map((a) => this.eval(a, steps));
    return fn(args, e, steps);
  }

  /**
   * A function over a range vector: one window per series per step, walked with moving indices
   * (by a dedicated loop for the functions in {@link WINDOW_LOOPS}).
   */
  private rangeCall(e: Call, steps: Steps): Value {
    const make = RANGE_FUNCTIONS.get(e.func)!;
    const argTypes = SIGNATURES.get(e.func)!.args;
    const rangeIdx = argTypes.indexOf('matrix');
    let data = this.range(e.args[rangeIdx]!, steps);
    const arg = unwrapParens(e.args[rangeIdx]!);
    if (e.func === 'predict_linear' && arg.kind === 'matrix' && data.at !== undefined) {
      // Prometheus 2.42 quirk: for this @-unsafe function the window of `x[r] @ t` moves on
      // with the steps of a range query (from t at the first step), over the samples read
      // for t only.
      data = { ...data, slideFrom: steps.start };
    }
    const loop = data.slideFrom === undefined ? WINDOW_LOOPS.get(e.func) : undefined;
    if (loop !== undefined) {
      const out: Series[] = [];
      for (const s of data.series) {
        this.checkDeadline();
        const r = loop(s, data, steps);
        if (r !== undefined) out.push({ ...r, labels: dropMetricName(s.labels) });
      }
      assertUniqueLabels(out);
      return { kind: 'vector', series: out };
    }
    const scalars: Float64Array[] = [];
    argTypes.forEach((t, i) => {
      if (t === 'scalar') scalars.push(this.scalar(e.args[i]!, steps));
    });
    const [param, param2] = scalars;
    const keepName = e.func === 'last_over_time';
    const out: Series[] = [];
    const w = { ts: 0, mint: 0, maxt: 0, rangeMs: data.rangeMs, param: 0, param2: 0 };
    for (const s of data.series) {
      this.checkDeadline();
      const fn = make(s);
      const r = this.walkWindows(s, data, steps, (t, v, lo, hi, ts, mint, maxt, i) => {
        w.ts = ts;
        w.mint = mint;
        w.maxt = maxt;
        w.param = param === undefined ? 0 : param[i]!;
        w.param2 = param2 === undefined ? 0 : param2[i]!;
        return fn(t, v, lo, hi, w as Window);
      });
      if (r !== undefined)
        out.push({ ...r, labels: keepName ? s.labels : dropMetricName(s.labels) });
    }
    if (e.func === 'absent_over_time') {
      const res = emptySeries(absentLabels(e.args[0]), steps.n);
      for (let i = 0; i < steps.n; i++) {
        if (!out.some((s) => s.ok[i] === 1)) {
          res.v[i] = 1;
          res.ok[i] = 1;
        }
      }
      return { kind: 'vector', series: res.ok.indexOf(1) === -1 ? [] : [res] };
    }
    assertUniqueLabels(out);
    return { kind: 'vector', series: out };
  }

  /**
   * Calls `f` for every step whose window `[ref - range, ref]` holds samples of `s`, where
   * `ref = (at ?? ts) - offset`; returns the series of results, or undefined if there are none.
   */
  private walkWindows(
    s: RangeSeries,
    data: RangeData,
    steps: Steps,
    f: (
      t: Float64Array,
      v: Float64Array,
      lo: number,
      hi: number,
      ts: number,
      mint: number,
      maxt: number,
      i: number,
    ) => number | undefined,
  ): Series | undefined {
    const { t, v } = s;
    const len = t.length;
    let lo = 0;
    let hi = 0;
    let vals: Float64Array | undefined;
    let ok: Uint8Array | undefined;
    for (let i = 0; i < steps.n; i++) {
      const ts = steps.start + i * steps.step;
      const maxt =
        (data.at === undefined
          ? ts
          : data.slideFrom === undefined
            ? data.at
            : data.at + ts - data.slideFrom) - data.offsetMs;
      const mint = maxt - data.rangeMs;
      while (lo < len && t[lo]! < mint) lo++;
      if (hi < lo) hi = lo;
      while (hi < len && t[hi]! <= maxt) hi++;
      if (hi === lo) continue;
      const y = f(t, v, lo, hi, ts, mint, maxt, i);
      if (y === undefined) continue;
      if (vals === undefined || ok === undefined) {
        vals = new Float64Array(steps.n);
        ok = new Uint8Array(steps.n);
      }
      vals[i] = y;
      ok[i] = 1;
    }
    return vals === undefined || ok === undefined ? undefined : { labels: s.labels, v: vals, ok };
  }

  /** Evaluates a range selector or subquery (parentheses allowed around it) for all steps. */
  range(expr: Expr, steps: Steps): RangeData {
    const e = unwrapParens(expr);
    if (e.kind === 'matrix') return this.matrixSelector(e, steps);
    if (e.kind === 'subquery') return this.subquery(e, steps);
    throw execError(`expected a range vector, got ${typeOf(e)}`);
  }

  private matrixSelector(e: MatrixSelector, steps: Steps): RangeData {
    const vs = e.vector;
    const at = this.resolveAt(vs.at);
    const first = (at ?? steps.start) - vs.offsetMs;
    const last = (at ?? steps.end) - vs.offsetMs;
    const data = selectSorted(this.q, vs.matchers, first - e.rangeMs, last);
    let samples = 0;
    for (const s of data) samples += s.t.length;
    this.account(samples);
    return { series: withoutStale(data), rangeMs: e.rangeMs, offsetMs: vs.offsetMs, at };
  }

  /**
   * A subquery is evaluated once over the whole query range at its own step, aligned to
   * absolute multiples of that step as Prometheus does; the outer function then walks its
   * points like samples.
   */
  private subquery(e: SubqueryExpr, steps: Steps): RangeData {
    const at = this.resolveAt(e.at);
    const step = e.stepMs > 0 ? e.stepMs : this.o.subqueryStepMs;
    const from = (at ?? steps.start) - e.offsetMs - e.rangeMs;
    // Go's integer division truncates toward zero; then move up to the first step ≥ from.
    let start = Math.trunc(from / step) * step;
    if (start < from) start += step;
    const end = (at ?? steps.end) - e.offsetMs;
    const inner = makeSteps(start, end, step);
    const series = this.vector(e.expr, inner);
    const out: RangeSeries[] = [];
    for (const s of series) {
      let count = 0;
      for (let i = 0; i < inner.n; i++) count += s.ok[i]!;
      if (count === 0) continue;
      const t = new Float64Array(count);
      const v = new Float64Array(count);
      let j = 0;
      for (let i = 0; i < inner.n; i++) {
        if (s.ok[i] === 0) continue;
        t[j] = start + i * step;
        v[j++] = s.v[i]!;
      }
      out.push({ labels: s.labels, t, v });
    }
    return { series: out, rangeMs: e.rangeMs, offsetMs: e.offsetMs, at };
  }
}
