/**
 * The PromQL engine: Prometheus 2.42 semantics over a `Querier` (see ../model.ts).
 *
 * Queries are parsed with `@prometheus-io/lezer-promql` into a typed AST (`parseExpr`),
 * then evaluated over all steps at once: each selector is read once for the whole range and
 * walked with moving indices; intermediate results are per-series typed arrays.
 *
 * @example
 * const r = rangeQuery(querier, 'sum by (job) (rate(http_requests_total[5m]))', start, end, 15_000);
 * if (r.resultType === 'matrix') for (const s of r.result) console.log(s.metric, s.values.length);
 */
export { instantQuery, rangeQuery } from './query.js';
export { rangeQueryJson } from './json.js';
export type { QueryData, QueryOptions, ScalarValue } from './query.js';
export { parseExpr } from './parse.js';
export { PromQLError } from './errors.js';
export { typeOf } from './typecheck.js';
export type * from './ast.js';
export { formatValue } from './format.js';
