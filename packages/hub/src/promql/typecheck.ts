import { COMPARISON_OPS, SET_OPS, documentedType, type Expr, type ValueType } from './ast.js';
import { fail } from './errors.js';
import { SIGNATURES } from './signatures.js';

/**
 * The value type of an expression.
 *
 * @example typeOf(parseExpr('rate(x[5m])')) // 'vector'
 */
export function typeOf(e: Expr): ValueType {
  switch (e.kind) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'vector':
      return 'vector';
    case 'matrix':
    case 'subquery':
      return 'matrix';
    case 'call':
      return SIGNATURES.get(e.func)?.returns ?? 'vector';
    case 'aggregate':
      return 'vector';
    case 'binary':
      return typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'unary':
    case 'paren':
      return typeOf(e.expr);
  }
}

function expectType(e: Expr, want: ValueType, context: string): void {
  checkExpr(e);
  const t = typeOf(e);
  if (t !== want) {
    fail(
      e.pos.start,
      `expected type ${documentedType(want)} in ${context}, got ${documentedType(t)}`,
    );
  }
}

/**
 * Type-checks an expression as the Prometheus 2.42 parser does, throwing a parse failure with
 * Prometheus's message for the first problem found.
 */
export function checkExpr(e: Expr): void {
  switch (e.kind) {
    case 'number':
    case 'string':
    case 'vector':
      return;
    case 'matrix':
      return checkExpr(e.vector);
    case 'paren':
      return checkExpr(e.expr);
    case 'subquery': {
      checkExpr(e.expr);
      const t = typeOf(e.expr);
      if (t !== 'vector') {
        fail(e.pos.start, `subquery is only allowed on instant vector, got ${t} instead`);
      }
      return;
    }
    case 'unary': {
      checkExpr(e.expr);
      const t = typeOf(e.expr);
      if (t !== 'scalar' && t !== 'vector') {
        fail(
          e.pos.start,
          `unary expression only allowed on expressions of type scalar or instant vector, got ${JSON.stringify(documentedType(t))}`,
        );
      }
      return;
    }
    case 'aggregate':
      expectType(e.expr, 'vector', 'aggregation expression');
      if (e.op === 'topk' || e.op === 'bottomk' || e.op === 'quantile') {
        expectType(e.param!, 'scalar', 'aggregation parameter');
      }
      if (e.op === 'count_values') expectType(e.param!, 'string', 'aggregation parameter');
      return;
    case 'call': {
      const sig = SIGNATURES.get(e.func);
      if (sig === undefined)
        return fail(e.pos.start, `unknown function with name ${JSON.stringify(e.func)}`);
      const n = sig.args.length;
      if (sig.variadic === 0) {
        if (n !== e.args.length) {
          fail(
            e.pos.start,
            `expected ${n} argument(s) in call to ${JSON.stringify(e.func)}, got ${e.args.length}`,
          );
        }
      } else {
        const min = n - 1;
        if (min > e.args.length) {
          fail(
            e.pos.start,
            `expected at least ${min} argument(s) in call to ${JSON.stringify(e.func)}, got ${e.args.length}`,
          );
        } else if (sig.variadic > 0 && min + sig.variadic < e.args.length) {
          fail(
            e.pos.start,
            `expected at most ${min + sig.variadic} argument(s) in call to ${JSON.stringify(e.func)}, got ${e.args.length}`,
          );
        }
      }
      e.args.forEach((arg, i) => {
        if (i >= n) {
          if (sig.variadic === 0) return;
          i = n - 1;
        }
        expectType(arg, sig.args[i]!, `call to function ${JSON.stringify(e.func)}`);
      });
      return;
    }
    case 'binary': {
      checkExpr(e.lhs);
      checkExpr(e.rhs);
      const lt = typeOf(e.lhs);
      const rt = typeOf(e.rhs);
      const at = e.pos.start;
      const isComparison = COMPARISON_OPS.has(e.op);
      const isSet = SET_OPS.has(e.op);
      if (e.returnBool && !isComparison)
        fail(e.opPos, 'bool modifier can only be used on comparison operators');
      if (isComparison && !e.returnBool && lt === 'scalar' && rt === 'scalar') {
        fail(e.opPos, 'comparisons between scalars must use BOOL modifier');
      }
      const m = e.matching;
      if (m.on) {
        for (const l of m.labels) {
          if (m.include.includes(l))
            fail(
              e.opPos,
              `label ${JSON.stringify(l)} must not occur in ON and GROUP clause at once`,
            );
        }
      }
      if (lt !== 'scalar' && lt !== 'vector') {
        fail(
          e.lhs.pos.start,
          'binary expression must contain only scalar and instant vector types',
        );
      }
      if (rt !== 'scalar' && rt !== 'vector') {
        fail(
          e.rhs.pos.start,
          'binary expression must contain only scalar and instant vector types',
        );
      }
      if (lt !== 'vector' || rt !== 'vector') {
        if (m.labels.length > 0) fail(at, 'vector matching only allowed between instant vectors');
      } else if (isSet && (m.card === 'one-to-many' || m.card === 'many-to-one')) {
        fail(at, `no grouping allowed for ${JSON.stringify(e.op)} operation`);
      }
      if ((lt === 'scalar' || rt === 'scalar') && isSet) {
        fail(at, `set operator ${JSON.stringify(e.op)} not allowed in binary scalar expression`);
      }
      return;
    }
  }
}
