import type { ValueType } from './ast.js';

/** A function's argument and return types, as the Prometheus 2.42 parser knows them. */
export interface FunctionSignature {
  readonly args: readonly ValueType[];
  /** 0: exactly `args`; n > 0: up to n optional trailing args; -1: any number of trailing args. */
  readonly variadic: number;
  readonly returns: ValueType;
}

const v = (...args: ValueType[]): FunctionSignature => ({ args, variadic: 0, returns: 'vector' });
const optional = (...args: ValueType[]): FunctionSignature => ({
  args,
  variadic: 1,
  returns: 'vector',
});

const instant = v('vector');
const range = v('matrix');
const dateFn = optional('vector');

/** Every function of PromQL 2.42 (the native-histogram ones never match a float sample). */
export const SIGNATURES: ReadonlyMap<string, FunctionSignature> = new Map<
  string,
  FunctionSignature
>([
  ['abs', instant],
  ['absent', instant],
  ['absent_over_time', range],
  ['acos', instant],
  ['acosh', instant],
  ['asin', instant],
  ['asinh', instant],
  ['atan', instant],
  ['atanh', instant],
  ['avg_over_time', range],
  ['ceil', instant],
  ['changes', range],
  ['clamp', v('vector', 'scalar', 'scalar')],
  ['clamp_max', v('vector', 'scalar')],
  ['clamp_min', v('vector', 'scalar')],
  ['cos', instant],
  ['cosh', instant],
  ['count_over_time', range],
  ['days_in_month', dateFn],
  ['day_of_month', dateFn],
  ['day_of_week', dateFn],
  ['day_of_year', dateFn],
  ['deg', instant],
  ['delta', range],
  ['deriv', range],
  ['exp', instant],
  ['floor', instant],
  ['histogram_count', instant],
  ['histogram_sum', instant],
  ['histogram_fraction', v('scalar', 'scalar', 'vector')],
  ['histogram_quantile', v('scalar', 'vector')],
  ['holt_winters', v('matrix', 'scalar', 'scalar')],
  ['hour', dateFn],
  ['idelta', range],
  ['increase', range],
  ['irate', range],
  ['label_replace', v('vector', 'string', 'string', 'string', 'string')],
  [
    'label_join',
    { args: ['vector', 'string', 'string', 'string'], variadic: -1, returns: 'vector' },
  ],
  ['last_over_time', range],
  ['ln', instant],
  ['log10', instant],
  ['log2', instant],
  ['max_over_time', range],
  ['min_over_time', range],
  ['minute', dateFn],
  ['month', dateFn],
  ['pi', { args: [], variadic: 0, returns: 'scalar' }],
  ['predict_linear', v('matrix', 'scalar')],
  ['present_over_time', range],
  ['quantile_over_time', v('scalar', 'matrix')],
  ['rad', instant],
  ['rate', range],
  ['resets', range],
  ['round', optional('vector', 'scalar')],
  ['scalar', { args: ['vector'], variadic: 0, returns: 'scalar' }],
  ['sgn', instant],
  ['sin', instant],
  ['sinh', instant],
  ['sort', instant],
  ['sort_desc', instant],
  ['sqrt', instant],
  ['stddev_over_time', range],
  ['stdvar_over_time', range],
  ['sum_over_time', range],
  ['tan', instant],
  ['tanh', instant],
  ['time', { args: [], variadic: 0, returns: 'scalar' }],
  ['timestamp', instant],
  ['vector', v('scalar')],
  ['year', dateFn],
]);
