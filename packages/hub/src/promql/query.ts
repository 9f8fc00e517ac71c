import type { Labels, Querier } from '../model.js';
import { documentedType, type Expr } from './ast.js';
import { PromQLError } from './errors.js';
import { formatFloatF, formatValue } from './format.js';
import { compareLabels } from './labels.js';
import { parseExpr } from './parse.js';
import { typeOf } from './typecheck.js';
import { Evaluator } from './eval/evaluator.js';
import { hasAny, makeSteps, type Series, type Steps } from './eval/types.js';

/** A sample as the Prometheus HTTP API writes it: unix seconds and the formatted value. */
export type ScalarValue = [number /*unix seconds*/, string];

/** The `data` of a Prometheus query response. */
export type QueryData =
  | { resultType: 'vector'; result: { metric: Labels; value: ScalarValue }[] }
  | { resultType: 'matrix'; result: { metric: Labels; values: ScalarValue[] }[] }
  | { resultType: 'scalar'; result: ScalarValue }
  | { resultType: 'string'; result: ScalarValue };

/** Options of {@link instantQuery} and {@link rangeQuery}. */
export interface QueryOptions {
  /** How far back an instant selector looks for a sample. Default 300000 (5 m). */
  lookbackDeltaMs?: number;
  /** Largest `(end - start) / step` a range query accepts. Default 11000. */
  maxPoints?: number;
  /** Evaluation time budget; past it the query fails with type `timeout`. Default: none. */
  timeoutMs?: number;
  /**
   * Step of subqueries written without one (`x[1h:]`). Prometheus uses its global
   * `evaluation_interval`, whose default is 1 m. Default 60000.
   */
  subqueryStepMs?: number;
}

const DEFAULT_LOOKBACK_MS = 300_000;
const DEFAULT_MAX_POINTS = 11_000;
const DEFAULT_SUBQUERY_STEP_MS = 60_000;
/** Prometheus's default `--query.max-samples`. */
const DEFAULT_MAX_SAMPLES = 50_000_000;

function evaluator(q: Querier, o: QueryOptions | undefined, start: number, end: number): Evaluator {
  const lookback = o?.lookbackDeltaMs;
  return new Evaluator(q, {
    lookbackMs: lookback !== undefined && lookback > 0 ? lookback : DEFAULT_LOOKBACK_MS,
    deadline: o?.timeoutMs !== undefined ? Date.now() + o.timeoutMs : Infinity,
    subqueryStepMs: o?.subqueryStepMs ?? DEFAULT_SUBQUERY_STEP_MS,
    queryStart: start,
    queryEnd: end,
    maxSamples: DEFAULT_MAX_SAMPLES,
  });
}

/** Parsed expressions by text: rules and dashboards ask the same queries again and again. */
const parseCache = new Map<string, Expr>();

/** {@link parseExpr} with a bounded cache (the AST is immutable, so it can be shared). */
function parseCached(expr: string): Expr {
  let e = parseCache.get(expr);
  if (e === undefined) {
    e = parseExpr(expr);
    if (parseCache.size >= 2000) parseCache.clear();
    parseCache.set(expr, e);
  }
  return e;
}

/**
 * Evaluates a PromQL expression at one time, with Prometheus 2.42 semantics, and returns the
 * result as the Prometheus HTTP API's `data` object.
 *
 * Throws {@link PromQLError}: `bad_data` for a query that doesn't parse, `execution` for one
 * that can't be evaluated (e.g. many-to-many matching), `timeout` past `timeoutMs`.
 *
 * @example
 * instantQuery(querier, 'sum by (job) (rate(http_requests_total[5m]))', Date.now())
 * // { resultType: 'vector', result: [{ metric: { job: 'api' }, value: [1700000000, '3.5'] }] }
 */
export function instantQuery(
  q: Querier,
  expr: string,
  timeMs: number,
  o?: QueryOptions,
): QueryData {
  const e = parseCached(expr);
  const ev = evaluator(q, o, timeMs, timeMs);
  const steps = makeSteps(timeMs, timeMs, 1);
  const ts = timeMs / 1000;
  if (typeOf(e) === 'matrix') {
    const data = ev.range(e, steps);
    const result: { metric: Labels; values: ScalarValue[] }[] = [];
    for (const s of [...data.series].sort((a, b) => compareLabels(a.labels, b.labels))) {
      const maxt = (data.at ?? timeMs) - data.offsetMs;
      const mint = maxt - data.rangeMs;
      const values: ScalarValue[] = [];
      for (let i = 0; i < s.t.length; i++) {
        const t = s.t[i]!;
        if (t >= mint && t <= maxt) values.push([t / 1000, formatValue(s.v[i]!)]);
      }
      if (values.length > 0) result.push({ metric: s.labels, values });
    }
    return { resultType: 'matrix', result };
  }
  const v = ev.eval(e, steps);
  switch (v.kind) {
    case 'string':
      return { resultType: 'string', result: [ts, v.value] };
    case 'scalar':
      // Prometheus writes scalars with strconv 'f' (no exponent), unlike vector samples.
      return { resultType: 'scalar', result: [ts, formatFloatF(v.v[0]!)] };
    case 'vector': {
      const result: { metric: Labels; value: ScalarValue }[] = [];
      for (const s of v.series) {
        if (s.ok[0] === 1) result.push({ metric: s.labels, value: [ts, formatValue(s.v[0]!)] });
      }
      return { resultType: 'vector', result };
    }
  }
}

function checkRange(
  e: Expr,
  startMs: number,
  endMs: number,
  stepMs: number,
  maxPoints: number,
): void {
  if (endMs < startMs)
    throw new PromQLError('bad_data', 'end timestamp must not be before start time');
  if (!(stepMs > 0)) {
    throw new PromQLError(
      'bad_data',
      'zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
  }
  if (Math.floor((endMs - startMs) / stepMs) > maxPoints) {
    throw new PromQLError(
      'bad_data',
      `exceeded maximum resolution of ${String(maxPoints).replace(/\B(?=(\d{3})+$)/g, ',')} points per timeseries. Try decreasing the query resolution (?step=XX)`,
    );
  }
  const t = typeOf(e);
  if (t !== 'vector' && t !== 'scalar') {
    throw new PromQLError(
      'bad_data',
      `invalid expression type ${JSON.stringify(documentedType(t))} for range query, must be Scalar or instant Vector`,
    );
  }
}

/** The evaluated answer of a range query: its steps and its series sorted by labels. */
export interface RangeMatrix {
  readonly steps: Steps;
  /** Only series with a value at some step; a scalar is one series with no labels. */
  readonly series: readonly Series[];
}

/**
 * Parses, checks and evaluates a range query (see {@link rangeQuery}) without formatting the
 * answer, for {@link rangeQuery} and {@link rangeQueryJson}.
 */
export function evalRangeQuery(
  q: Querier,
  expr: string,
  startMs: number,
  endMs: number,
  stepMs: number,
  o?: QueryOptions,
): RangeMatrix {
  const e = parseCached(expr);
  checkRange(e, startMs, endMs, stepMs, o?.maxPoints ?? DEFAULT_MAX_POINTS);
  const ev = evaluator(q, o, startMs, endMs);
  const steps = makeSteps(startMs, endMs, stepMs);
  const v = ev.eval(e, steps);
  if (v.kind === 'scalar') {
    const series = steps.n > 0 ? [{ labels: {}, v: v.v, ok: new Uint8Array(steps.n).fill(1) }] : [];
    return { steps, series };
  }
  if (v.kind !== 'vector') return { steps, series: [] };
  const series = v.series.filter(hasAny).sort((a, b) => compareLabels(a.labels, b.labels));
  return { steps, series };
}

/**
 * Evaluates a PromQL expression at `startMs`, `startMs + stepMs`, … ≤ `endMs` and returns a
 * matrix sorted by labels, as Prometheus's `/api/v1/query_range`. Each selector is read once
 * for the whole range.
 *
 * Throws {@link PromQLError}: `bad_data` for parse errors, a range-vector or string
 * expression, a bad step or more than `maxPoints` (default 11,000) points per series;
 * `execution` and `timeout` as {@link instantQuery}.
 *
 * @example
 * rangeQuery(querier, 'rate(x_total[5m])', start, start + 3_600_000, 15_000)
 * // { resultType: 'matrix', result: [{ metric: {…}, values: [[1700000000, '0.2'], …] }] }
 */
export function rangeQuery(
  q: Querier,
  expr: string,
  startMs: number,
  endMs: number,
  stepMs: number,
  o?: QueryOptions,
): QueryData {
  const { steps, series } = evalRangeQuery(q, expr, startMs, endMs, stepMs, o);
  const seconds = stepSeconds(steps);
  const result: { metric: Labels; values: ScalarValue[] }[] = [];
  for (const s of series) {
    const values: ScalarValue[] = [];
    for (let i = 0; i < steps.n; i++) {
      if (s.ok[i] === 1) values.push([seconds[i]!, formatValue(s.v[i]!)]);
    }
    result.push({ metric: s.labels, values });
  }
  return { resultType: 'matrix', result };
}

/** The time of every step, unix seconds. */
export function stepSeconds(steps: Steps): Float64Array {
  const seconds = new Float64Array(steps.n);
  for (let i = 0; i < steps.n; i++) seconds[i] = (steps.start + i * steps.step) / 1000;
  return seconds;
}
