import type { Labels } from '../model.js';
import type { Call, Expr } from './ast.js';
import { execError } from './errors.js';
import { histogramQuantile } from './histogram.js';
import { dropMetricName, METRIC_NAME, withLabel } from './labels.js';
import { mergeByLabels } from './eval/merge.js';
import { toJsRegex } from './re2.js';
import { emptySeries, type Series, type Steps, type Value } from './eval/types.js';

/** An instant-vector or scalar function: evaluated arguments in, one value per step out. */
export type InstantFunction = (args: readonly Value[], call: Call, steps: Steps) => Value;

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function vec(v: Value | undefined): Series[] {
  if (v === undefined || v.kind !== 'vector')
    throw execError('expected an instant vector argument');
  return v.series;
}

function scalar(v: Value | undefined): Float64Array {
  if (v === undefined || v.kind !== 'scalar') throw execError('expected a scalar argument');
  return v.v;
}

function stringArg(e: Expr | undefined): string {
  while (e !== undefined && e.kind === 'paren') e = e.expr;
  if (e === undefined || e.kind !== 'string') throw execError('expected a string literal argument');
  return e.value;
}

/** Applies f to every value, dropping the metric name (Prometheus's `simpleFunc`). */
function mapValues(f: (x: number) => number): InstantFunction {
  return (args, _call, steps) => {
    const out: Series[] = [];
    for (const s of vec(args[0])) {
      const r = emptySeries(dropMetricName(s.labels), steps.n);
      for (let i = 0; i < steps.n; i++) {
        if (s.ok[i] === 0) continue;
        r.v[i] = f(s.v[i]!);
        r.ok[i] = 1;
      }
      out.push(r);
    }
    return { kind: 'vector', series: mergeByLabels(out, steps.n) };
  };
}

/** Like {@link mapValues} with scalar parameters per step; `f` returns undefined to drop a sample. */
function mapWithParams(f: (x: number, params: number[]) => number | undefined): InstantFunction {
  return (args, _call, steps) => {
    const params = args.slice(1).map(scalar);
    const p: number[] = new Array<number>(params.length);
    const out: Series[] = [];
    for (const s of vec(args[0])) {
      const r = emptySeries(dropMetricName(s.labels), steps.n);
      for (let i = 0; i < steps.n; i++) {
        if (s.ok[i] === 0) continue;
        for (let j = 0; j < params.length; j++) p[j] = params[j]![i]!;
        const y = f(s.v[i]!, p);
        if (y === undefined) continue;
        r.v[i] = y;
        r.ok[i] = 1;
      }
      out.push(r);
    }
    return { kind: 'vector', series: mergeByLabels(out, steps.n) };
  };
}

/** Go's `math.Log2` (exact for powers of two) and `math.Log10` (= Log2 · Ln2/Ln10). */
function goLog2(x: number): number {
  if (!(x > 0) || x === Infinity) return Math.log2(x);
  let exp = Math.floor(Math.log2(x));
  let frac = x / 2 ** exp;
  // Normalise frac into [0.5, 1) as Go's Frexp does.
  while (frac >= 1) {
    frac /= 2;
    exp++;
  }
  while (frac < 0.5) {
    frac *= 2;
    exp--;
  }
  if (frac === 0.5) return exp - 1;
  return Math.log(frac) * (1 / Math.LN2) + exp;
}

const LN2_OVER_LN10 = Math.LN2 / Math.LN10;

/** A date function: over its vector argument (seconds), or over the evaluation time without one. */
function dateFunction(f: (d: Date) => number): InstantFunction {
  return (args, _call, steps) => {
    if (args.length === 0) {
      const s = emptySeries({}, steps.n);
      for (let i = 0; i < steps.n; i++) {
        const ts = steps.start + i * steps.step;
        s.v[i] = f(new Date(Math.trunc(ts / 1000) * 1000));
        s.ok[i] = 1;
      }
      return { kind: 'vector', series: steps.n > 0 ? [s] : [] };
    }
    return mapValues((x) => (Number.isFinite(x) ? f(new Date(Math.trunc(x) * 1000)) : NaN))(
      args,
      _call,
      steps,
    );
  };
}

function daysInMonth(d: Date): number {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
}

function dayOfYear(d: Date): number {
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

/** Labels `absent(…)` reports: the selector's equality matchers that are set exactly once. */
export function absentLabels(arg: Expr | undefined): Labels {
  while (arg !== undefined && arg.kind === 'paren') arg = arg.expr;
  const vs = arg?.kind === 'vector' ? arg : arg?.kind === 'matrix' ? arg.vector : undefined;
  if (vs === undefined) return {};
  let l: Labels = {};
  const has = new Set<string>();
  for (const m of vs.matchers) {
    if (m.name === METRIC_NAME) continue;
    if (m.type === '=' && !has.has(m.name)) {
      l = withLabel(l, m.name, m.value);
      has.add(m.name);
    } else l = withLabel(l, m.name, '');
  }
  return l;
}

/** Go `regexp.Expand` over a template (`$1`, `${1}`, `$name`, `$$`). */
function expand(template: string, match: RegExpExecArray): string {
  let out = '';
  let rest = template;
  for (;;) {
    const at = rest.indexOf('$');
    if (at < 0) break;
    out += rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (rest[0] === '$') {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const brace = rest[0] === '{';
    const body = brace ? rest.slice(1) : rest;
    const m = /^[\p{L}\p{Nd}_]+/u.exec(body);
    if (m === null || (brace && body[m[0].length] !== '}')) {
      out += '$';
      continue;
    }
    const name = m[0];
    rest = body.slice(name.length + (brace ? 1 : 0));
    let num = -1;
    if (/^\d+$/.test(name) && !(name[0] === '0' && name.length > 1) && name.length <= 8)
      num = Number(name);
    const v = num >= 0 ? match[num] : match.groups?.[name];
    if (v !== undefined) out += v;
  }
  return out + rest;
}

/** Compiles an RE2 pattern, anchored at both ends as Prometheus does. */
function compileGoRegex(re: string): RegExp {
  return new RegExp('^(?:' + toJsRegex(re) + ')$');
}

function labelReplace(args: readonly Value[], call: Call, steps: Steps): Value {
  const dst = stringArg(call.args[1]);
  const repl = stringArg(call.args[2]);
  const src = stringArg(call.args[3]);
  const reStr = stringArg(call.args[4]);
  let re: RegExp;
  try {
    re = compileGoRegex(reStr);
  } catch {
    throw execError(`invalid regular expression in label_replace(): ${reStr}`);
  }
  if (!LABEL_NAME_RE.test(dst))
    throw execError(`invalid destination label name in label_replace(): ${dst}`);
  const out = vec(args[0]).map((s) => {
    const m = re.exec(s.labels[src] ?? '');
    if (m === null) return s;
    return { ...s, labels: withLabel(s.labels, dst, expand(repl, m)) };
  });
  return { kind: 'vector', series: mergeByLabels(out, steps.n) };
}

function labelJoin(args: readonly Value[], call: Call, steps: Steps): Value {
  const dst = stringArg(call.args[1]);
  const sep = stringArg(call.args[2]);
  const srcs = call.args.slice(3).map(stringArg);
  for (const src of srcs) {
    if (!LABEL_NAME_RE.test(src))
      throw execError(`invalid source label name in label_join(): ${src}`);
  }
  if (!LABEL_NAME_RE.test(dst))
    throw execError(`invalid destination label name in label_join(): ${dst}`);
  const out = vec(args[0]).map((s) => ({
    ...s,
    labels: withLabel(s.labels, dst, srcs.map((n) => s.labels[n] ?? '').join(sep)),
  }));
  return { kind: 'vector', series: mergeByLabels(out, steps.n) };
}

/** NaN sorts last both ways, as Prometheus's sort and sort_desc. */
function sortBy(desc: boolean): InstantFunction {
  return (args, _call, steps) => {
    const series = [...vec(args[0])];
    // Order only exists within one step: an instant query.
    if (steps.n === 1) {
      series.sort((a, b) => {
        const x = a.v[0]!;
        const y = b.v[0]!;
        if (x !== x) return y !== y ? 0 : 1;
        if (y !== y) return -1;
        return desc ? y - x : x - y;
      });
    }
    return { kind: 'vector', series };
  };
}

/** The functions over instant vectors and scalars, by name. */
export const INSTANT_FUNCTIONS: ReadonlyMap<string, InstantFunction> = new Map<
  string,
  InstantFunction
>([
  ['abs', mapValues(Math.abs)],
  ['ceil', mapValues(Math.ceil)],
  ['floor', mapValues(Math.floor)],
  ['exp', mapValues(Math.exp)],
  ['sqrt', mapValues(Math.sqrt)],
  ['ln', mapValues(Math.log)],
  ['log2', mapValues(goLog2)],
  ['log10', mapValues((x) => goLog2(x) * LN2_OVER_LN10)],
  ['sin', mapValues(Math.sin)],
  ['cos', mapValues(Math.cos)],
  ['tan', mapValues(Math.tan)],
  ['asin', mapValues(Math.asin)],
  ['acos', mapValues(Math.acos)],
  ['atan', mapValues(Math.atan)],
  ['sinh', mapValues(Math.sinh)],
  ['cosh', mapValues(Math.cosh)],
  ['tanh', mapValues(Math.tanh)],
  ['asinh', mapValues(Math.asinh)],
  ['acosh', mapValues(Math.acosh)],
  ['atanh', mapValues(Math.atanh)],
  ['rad', mapValues((x) => (x * Math.PI) / 180)],
  ['deg', mapValues((x) => (x * 180) / Math.PI)],
  ['sgn', mapValues((x) => (x < 0 ? -1 : x > 0 ? 1 : x))],
  [
    'clamp',
    mapWithParams((x, [min, max]) => (max! < min! ? undefined : Math.max(min!, Math.min(max!, x)))),
  ],
  ['clamp_max', mapWithParams((x, [max]) => Math.min(max!, x))],
  ['clamp_min', mapWithParams((x, [min]) => Math.max(min!, x))],
  [
    'round',
    (args, call, steps) => {
      if (args.length < 2) return mapValues((x) => Math.floor(x + 0.5))(args, call, steps);
      return mapWithParams((x, [to]) => {
        const inverse = 1 / to!;
        return Math.floor(x * inverse + 0.5) / inverse;
      })(args, call, steps);
    },
  ],
  ['days_in_month', dateFunction(daysInMonth)],
  ['day_of_month', dateFunction((d) => d.getUTCDate())],
  ['day_of_week', dateFunction((d) => d.getUTCDay())],
  ['day_of_year', dateFunction(dayOfYear)],
  ['hour', dateFunction((d) => d.getUTCHours())],
  ['minute', dateFunction((d) => d.getUTCMinutes())],
  ['month', dateFunction((d) => d.getUTCMonth() + 1)],
  ['year', dateFunction((d) => d.getUTCFullYear())],
  [
    'time',
    (_args, _call, steps) => {
      const v = new Float64Array(steps.n);
      for (let i = 0; i < steps.n; i++) v[i] = (steps.start + i * steps.step) / 1000;
      return { kind: 'scalar', v };
    },
  ],
  ['pi', (_args, _call, steps) => ({ kind: 'scalar', v: new Float64Array(steps.n).fill(Math.PI) })],
  [
    'scalar',
    (args, _call, steps) => {
      const series = vec(args[0]);
      const v = new Float64Array(steps.n);
      for (let i = 0; i < steps.n; i++) {
        let count = 0;
        let last = NaN;
        for (const s of series) {
          if (s.ok[i] === 0) continue;
          count++;
          last = s.v[i]!;
        }
        v[i] = count === 1 ? last : NaN;
      }
      return { kind: 'scalar', v };
    },
  ],
  [
    'vector',
    (args, _call, steps) => {
      const s = emptySeries({}, steps.n);
      s.v.set(scalar(args[0]));
      s.ok.fill(1);
      return { kind: 'vector', series: steps.n > 0 ? [s] : [] };
    },
  ],
  [
    'timestamp',
    (args, _call, steps) => {
      // Over anything but a bare selector (handled by the evaluator) the time is the step's.
      const out = vec(args[0]).map((s) => {
        const r = emptySeries(dropMetricName(s.labels), steps.n);
        for (let i = 0; i < steps.n; i++) {
          if (s.ok[i] === 0) continue;
          r.v[i] = (steps.start + i * steps.step) / 1000;
          r.ok[i] = 1;
        }
        return r;
      });
      return { kind: 'vector', series: mergeByLabels(out, steps.n) };
    },
  ],
  [
    'absent',
    (args, call, steps) => {
      const series = vec(args[0]);
      const s = emptySeries(absentLabels(call.args[0]), steps.n);
      for (let i = 0; i < steps.n; i++) {
        if (!series.some((x) => x.ok[i] === 1)) {
          s.v[i] = 1;
          s.ok[i] = 1;
        }
      }
      return { kind: 'vector', series: s.ok.indexOf(1) === -1 ? [] : [s] };
    },
  ],
  ['sort', sortBy(false)],
  ['sort_desc', sortBy(true)],
  ['label_replace', labelReplace],
  ['label_join', labelJoin],
  [
    'histogram_quantile',
    (args, _call, steps) => ({
      kind: 'vector',
      series: histogramQuantile(scalar(args[0]), vec(args[1]), steps),
    }),
  ],
  // Native histograms don't exist in this store: these never match a float sample.
  ['histogram_count', () => ({ kind: 'vector', series: [] })],
  ['histogram_sum', () => ({ kind: 'vector', series: [] })],
  ['histogram_fraction', () => ({ kind: 'vector', series: [] })],
]);
