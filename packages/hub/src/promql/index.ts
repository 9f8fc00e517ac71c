/** The PromQL engine: Prometheus 2.42 semantics over a {@link Querier}. */
export { instantQuery, rangeQuery } from './query.js';
export type { QueryData, QueryOptions, ScalarValue } from './query.js';
export { parseExpr } from './parse.js';
export { PromQLError } from './errors.js';
export { typeOf } from './typecheck.js';
export type * from './ast.js';
export { formatValue } from './format.js';
