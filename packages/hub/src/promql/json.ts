/**
 * The JSON text of a range query's answer, written straight from the evaluated step arrays.
 * Building `[seconds, "value"]` pairs for every point and then `JSON.stringify`-ing them
 * took most of the time of large answers (a dashboard's ~930,000 points); the text is the
 * same, byte for byte.
 */
import type { Querier } from '../model.js';
import { formatValue } from './format.js';
import { evalRangeQuery, stepSeconds, type QueryOptions } from './query.js';

/**
 * `JSON.stringify(rangeQuery(q, expr, startMs, endMs, stepMs, o))`, faster. Throws as
 * {@link rangeQuery}.
 *
 * @example rangeQueryJson(querier, 'up', start, end, 15_000)
 * // '{"resultType":"matrix","result":[{"metric":{…},"values":[[1700000000,"1"],…]}]}'
 */
export function rangeQueryJson(
  q: Querier,
  expr: string,
  startMs: number,
  endMs: number,
  stepMs: number,
  o?: QueryOptions,
): string {
  const { steps, series } = evalRangeQuery(q, expr, startMs, endMs, stepMs, o);
  const seconds = stepSeconds(steps);
  let out = '{"resultType":"matrix","result":[';
  for (let k = 0; k < series.length; k++) {
    const s = series[k]!;
    out += (k === 0 ? '{"metric":' : ',{"metric":') + JSON.stringify(s.labels) + ',"values":[';
    let sep = '[';
    for (let i = 0; i < steps.n; i++) {
      if (s.ok[i] !== 1) continue;
      // formatValue's output (digits, '.', 'e', '+', '-', NaN, Inf) needs no escaping;
      // a finite number's JSON text is its String().
      out += sep + seconds[i]! + ',"' + formatValue(s.v[i]!) + '"]';
      sep = ',[';
    }
    out += ']}';
  }
  return out + ']}';
}
