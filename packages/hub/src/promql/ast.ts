import type { Matcher } from '../model.js';

/** The four PromQL value types. */
export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

/** A byte range of the query text, for error messages. */
export interface PosRange {
  readonly start: number;
  readonly end: number;
}

/** `@ <unix seconds>` (stored as ms), `@ start()` or `@ end()`. */
export type AtModifier = number | 'start' | 'end';

/** A number: `1`, `0x1f`, `1e3`, `Inf`, `NaN` (a leading sign folded in). */
export interface NumberLiteral {
  readonly kind: 'number';
  readonly value: number;
  readonly pos: PosRange;
}

/** A string literal, unquoted. */
export interface StringLiteral {
  readonly kind: 'string';
  readonly value: string;
  readonly pos: PosRange;
}

/** `name{matchers} offset o @ t`; the metric name, when given, is also the last matcher. */
export interface VectorSelector {
  readonly kind: 'vector';
  readonly name: string | undefined;
  readonly matchers: readonly Matcher[];
  readonly offsetMs: number;
  readonly at: AtModifier | undefined;
  readonly pos: PosRange;
}

/** `selector[range]`; offset and @ live on the inner selector. */
export interface MatrixSelector {
  readonly kind: 'matrix';
  readonly vector: VectorSelector;
  readonly rangeMs: number;
  readonly pos: PosRange;
}

/** `expr[range:step]`; `stepMs` 0 means the default subquery step. */
export interface SubqueryExpr {
  readonly kind: 'subquery';
  readonly expr: Expr;
  readonly rangeMs: number;
  readonly stepMs: number;
  readonly offsetMs: number;
  readonly at: AtModifier | undefined;
  readonly pos: PosRange;
}

/** A function call, `rate(x[5m])`. */
export interface Call {
  readonly kind: 'call';
  readonly func: string;
  readonly args: readonly Expr[];
  readonly pos: PosRange;
}

/** The aggregation operators of PromQL 2.42. */
export type AggregateOp =
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'count'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'quantile'
  | 'count_values';

/** `op by|without (labels) ([param,] expr)`. */
export interface AggregateExpr {
  readonly kind: 'aggregate';
  readonly op: AggregateOp;
  readonly expr: Expr;
  /** k, φ or the label name of count_values. */
  readonly param: Expr | undefined;
  readonly grouping: readonly string[];
  readonly without: boolean;
  readonly pos: PosRange;
}

/** Binary operators by kind. */
export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

/** How the two sides of a vector/vector operation are matched. */
export interface VectorMatching {
  readonly card: 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';
  /** `on(...)` when true, `ignoring(...)` (or nothing) when false. */
  readonly on: boolean;
  readonly labels: readonly string[];
  /** Labels of `group_left(...)` / `group_right(...)` copied from the "one" side. */
  readonly include: readonly string[];
}

/** `lhs op [bool] [on|ignoring(...)] [group_left|group_right(...)] rhs`. */
export interface BinaryExpr {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
  readonly returnBool: boolean;
  /** Offset of the operator in the query, for error messages. */
  readonly opPos: number;
  /** Used only when both sides are instant vectors (set operators: always many-to-many). */
  readonly matching: VectorMatching;
  readonly pos: PosRange;
}

/** `-expr` or `+expr` (on a number literal the sign is folded into the number). */
export interface UnaryExpr {
  readonly kind: 'unary';
  readonly op: '-' | '+';
  readonly expr: Expr;
  readonly pos: PosRange;
}

/** `(expr)`. */
export interface ParenExpr {
  readonly kind: 'paren';
  readonly expr: Expr;
  readonly pos: PosRange;
}

/** A parsed, type-checked PromQL expression. */
export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | Call
  | AggregateExpr
  | BinaryExpr
  | UnaryExpr
  | ParenExpr;

/** Operators that filter (or give 0/1 with `bool`). */
export const COMPARISON_OPS: ReadonlySet<string> = new Set(['==', '!=', '>', '<', '>=', '<=']);
/** Operators with many-to-many matching. */
export const SET_OPS: ReadonlySet<string> = new Set(['and', 'or', 'unless']);

/** Ops whose result loses the metric name (arithmetic); comparisons and set ops keep it. */
export function dropsMetricName(op: BinaryOp): boolean {
  return op === '+' || op === '-' || op === '*' || op === '/' || op === '%' || op === '^';
}

/** Prometheus's name of a value type in messages. */
export function documentedType(t: ValueType | 'none'): string {
  return t === 'vector' ? 'instant vector' : t === 'matrix' ? 'range vector' : t;
}
