import { parser } from '@prometheus-io/lezer-promql';
import type { Matcher, MatchType } from '../model.js';
import { anchored } from '../matchers.js';
import type {
  AggregateOp,
  AtModifier,
  BinaryOp,
  Expr,
  MatrixSelector,
  PosRange,
  SubqueryExpr,
  VectorMatching,
  VectorSelector,
} from './ast.js';
import { ParseFailure as Failure, fail, parseError } from './errors.js';
import { parseDuration, parseNumber, unknownEscape, unquote } from './literals.js';
import { firstSyntaxError } from './syntax-errors.js';
import { checkExpr } from './typecheck.js';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

const EXPR_NODES = new Set([
  'AggregateExpr',
  'BinaryExpr',
  'FunctionCall',
  'MatrixSelector',
  'NumberDurationLiteral',
  'OffsetExpr',
  'AnchoredExpr',
  'SmoothedExpr',
  'ParenExpr',
  'StringLiteral',
  'SubqueryExpr',
  'UnaryExpr',
  'VectorSelector',
  'StepInvariantExpr',
]);

const BINARY_OPS: Readonly<Record<string, BinaryOp>> = {
  Pow: '^',
  Mul: '*',
  Div: '/',
  Mod: '%',
  Atan2: 'atan2',
  Add: '+',
  Sub: '-',
  Eql: '==',
  Neq: '!=',
  Gtr: '>',
  Lss: '<',
  Gte: '>=',
  Lte: '<=',
  And: 'and',
  Or: 'or',
  Unless: 'unless',
};

const AGGREGATE_OPS: ReadonlySet<string> = new Set<AggregateOp>([
  'sum',
  'avg',
  'min',
  'max',
  'count',
  'group',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'count_values',
]);

const MATCH_OPS: Readonly<Record<string, MatchType>> = {
  EqlSingle: '=',
  Neq: '!=',
  EqlRegex: '=~',
  NeqRegex: '!~',
};

/** Go's %q for short token texts in "unexpected …" messages. */
function quoteToken(s: string): string {
  return JSON.stringify(s.length > 10 ? s.slice(0, 10) : s) + (s.length > 10 ? '...' : '');
}

class Converter {
  constructor(private readonly input: string) {}

  private text(n: SyntaxNode): string {
    return this.input.slice(n.from, n.to);
  }

  private pos(n: SyntaxNode): PosRange {
    return { start: n.from, end: n.to };
  }

  private children(n: SyntaxNode): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (let c = n.firstChild; c !== null; c = c.nextSibling) out.push(c);
    return out;
  }

  private exprChildren(n: SyntaxNode): SyntaxNode[] {
    return this.children(n).filter((c) => EXPR_NODES.has(c.name));
  }

  expr(n: SyntaxNode): Expr {
    switch (n.name) {
      case 'NumberDurationLiteral':
        return this.numberLiteral(n);
      case 'StringLiteral':
        return { kind: 'string', value: this.string(n), pos: this.pos(n) };
      case 'VectorSelector':
        return this.vectorSelector(n);
      case 'MatrixSelector':
        return this.matrixSelector(n);
      case 'SubqueryExpr':
        return this.subquery(n);
      case 'OffsetExpr':
        return this.offset(n);
      case 'StepInvariantExpr':
        return this.at(n);
      case 'ParenExpr':
        return { kind: 'paren', expr: this.only(n), pos: this.pos(n) };
      case 'UnaryExpr': {
        const op = this.text(n.firstChild!) === '-' ? '-' : '+';
        return { kind: 'unary', op, expr: this.only(n), pos: this.pos(n) };
      }
      case 'FunctionCall':
        return this.call(n);
      case 'AggregateExpr':
        return this.aggregate(n);
      case 'BinaryExpr':
        return this.binary(n);
      default:
        return fail(n.from, `unsupported expression ${quoteToken(this.text(n))} in PromQL 2.42`);
    }
  }

  private only(n: SyntaxNode): Expr {
    const [c] = this.exprChildren(n);
    if (c === undefined) return fail(n.to, 'unexpected end of input');
    return this.expr(c);
  }

  private numberLiteral(n: SyntaxNode): Expr {
    const raw = this.text(n);
    const m = /^([-+]?)\s*(.*)$/s.exec(raw)!;
    const body = m[2]!;
    const value = parseNumber(body);
    if (value === undefined) {
      if (parseDuration(body) !== undefined)
        return fail(n.from, `unexpected duration ${quoteToken(body)}`);
      return fail(n.from, `bad number or duration syntax: ${quoteToken(body)}`);
    }
    return { kind: 'number', value: m[1] === '-' ? -value : value, pos: this.pos(n) };
  }

  private string(n: SyntaxNode): string {
    const raw = this.text(n);
    const s = unquote(raw);
    if (s === undefined) {
      if (raw.length < 2 || raw[raw.length - 1] !== raw[0])
        fail(n.from, 'unterminated quoted string');
      const bad = raw[0] === '`' ? undefined : unknownEscape(raw.slice(1, -1));
      if (bad !== undefined) {
        const cp = bad.codePointAt(0)!;
        fail(
          n.from,
          `unknown escape sequence U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${bad}'`,
        );
      }
      return fail(n.from, `error unquoting string ${JSON.stringify(raw)}: invalid syntax`);
    }
    return s;
  }

  private duration(n: SyntaxNode | null, what: string): number {
    if (n === null) return fail(this.input.length, 'unexpected end of input');
    const raw = this.text(n).trim();
    const lit = n.firstChild;
    if (
      lit === null ||
      lit.name !== 'NumberDurationLiteralInDurationContext' ||
      lit.nextSibling !== null
    ) {
      return fail(n.from, `unexpected ${quoteToken(raw)} in ${what}, expected duration`);
    }
    const ms = parseDuration(raw);
    if (ms === undefined) {
      if (/^\d+$/.test(raw)) return fail(n.from, `missing unit character in duration`);
      return fail(n.from, `bad duration syntax: ${quoteToken(raw)}`);
    }
    if (ms === 0) return fail(n.from, 'duration must be greater than 0');
    return ms;
  }

  private vectorSelector(n: SyntaxNode): VectorSelector {
    let name: string | undefined;
    const matchers: Matcher[] = [];
    for (const c of this.children(n)) {
      if (c.name === 'Identifier') name = this.text(c);
      else if (c.name === 'LabelMatchers') {
        for (const m of this.children(c)) {
          if (m.name !== 'UnquotedLabelMatcher') {
            return fail(
              m.from,
              `unexpected ${quoteToken(this.text(m))} in label matching, expected identifier or "}"`,
            );
          }
          const [ln, op, str] = this.children(m);
          const opName = op?.firstChild?.name;
          const type = opName === undefined ? undefined : MATCH_OPS[opName];
          if (ln === undefined || type === undefined || str === undefined) {
            return fail(m.from, 'unexpected end of input in label matching');
          }
          const value = this.string(str);
          if (type === '=~' || type === '!~') {
            try {
              anchored(value);
            } catch (e) {
              return fail(ln.from, `error parsing regexp: ${(e as Error).message}`);
            }
          }
          matchers.push({ name: this.text(ln), type, value });
        }
      }
    }
    if (name !== undefined) {
      for (const m of matchers) {
        if (m.name === '__name__') {
          return fail(
            n.from,
            `metric name must not be set twice: ${JSON.stringify(name)} or ${JSON.stringify(m.value)}`,
          );
        }
      }
      matchers.push({ name: '__name__', type: '=', value: name });
    } else if (!matchers.some((m) => !matchesEmpty(m))) {
      return fail(n.from, 'vector selector must contain at least one non-empty matcher');
    }
    return { kind: 'vector', name, matchers, offsetMs: 0, at: undefined, pos: this.pos(n) };
  }

  private matrixSelector(n: SyntaxNode): MatrixSelector {
    const inner = this.only(n);
    const bracket = this.input.indexOf('[', n.firstChild!.to);
    if (inner.kind !== 'vector') return fail(bracket, 'ranges only allowed for vector selectors');
    if (inner.offsetMs !== 0) return fail(bracket, 'no offset modifiers allowed before range');
    if (inner.at !== undefined) return fail(bracket, 'no @ modifiers allowed before range');
    const rangeMs = this.duration(n.getChild('DurationExpr'), 'range');
    return { kind: 'matrix', vector: inner, rangeMs, pos: this.pos(n) };
  }

  private subquery(n: SyntaxNode): SubqueryExpr {
    const inner = this.only(n);
    const durations = n.getChildren('DurationExpr');
    const rangeMs = this.duration(durations[0] ?? null, 'subquery selector');
    const stepMs =
      durations[1] === undefined ? 0 : this.duration(durations[1], 'subquery selector');
    return {
      kind: 'subquery',
      expr: inner,
      rangeMs,
      stepMs,
      offsetMs: 0,
      at: undefined,
      pos: this.pos(n),
    };
  }

  private offset(n: SyntaxNode): Expr {
    const inner = this.only(n);
    const d = n.getChild('OffsetDurationExpr');
    if (d === null) return fail(n.to, 'unexpected end of input in offset, expected duration');
    const raw = this.text(d).replace(/\s+/g, '');
    const m = /^(-?)(.*)$/.exec(raw)!;
    const ms = parseDuration(m[2]!);
    if (ms === undefined) {
      const what = raw[0] === '+' ? '<op:+>' : quoteToken(raw);
      return fail(d.from, `unexpected ${what} in offset, expected duration`);
    }
    if (ms === 0) return fail(d.from, 'duration must be greater than 0');
    const offsetMs = m[1] === '-' ? -ms : ms;
    const pos = this.pos(n);
    switch (inner.kind) {
      case 'vector':
        if (inner.offsetMs !== 0) return fail(n.from, 'offset may not be set multiple times');
        return { ...inner, offsetMs, pos };
      case 'matrix':
        if (inner.vector.offsetMs !== 0)
          return fail(n.from, 'offset may not be set multiple times');
        return { ...inner, vector: { ...inner.vector, offsetMs }, pos };
      case 'subquery':
        if (inner.offsetMs !== 0) return fail(n.from, 'offset may not be set multiple times');
        return { ...inner, offsetMs, pos };
      default:
        return fail(
          n.from,
          'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
        );
    }
  }

  private at(n: SyntaxNode): Expr {
    const inner = this.only(n);
    let at: AtModifier;
    const pre = n.getChild('AtModifierPreprocessors');
    const num = n.getChild('NumberDurationLiteral');
    if (pre !== null) at = pre.firstChild?.name === 'AtStart' ? 'start' : 'end';
    else if (num !== null) {
      const raw = this.text(num).replace(/^[-+]\s*/, '');
      if (parseNumber(raw) === undefined && parseDuration(raw) !== undefined) {
        return fail(num.from, `unexpected duration ${quoteToken(raw)} in @, expected timestamp`);
      }
      const lit = this.numberLiteral(num);
      const s = lit.kind === 'number' ? lit.value : NaN;
      if (!Number.isFinite(s) || Math.abs(s) >= 9.223372036854776e18) {
        return fail(n.from, `timestamp out of bounds for @ modifier: ${s.toFixed(6)}`);
      }
      at = Math.round(s * 1000);
    } else return fail(n.to, 'unexpected end of input in @, expected timestamp');
    const pos = this.pos(n);
    const twice = '@ <timestamp> may not be set multiple times';
    switch (inner.kind) {
      case 'vector':
        if (inner.at !== undefined) return fail(n.from, twice);
        return { ...inner, at, pos };
      case 'matrix':
        if (inner.vector.at !== undefined) return fail(n.from, twice);
        return { ...inner, vector: { ...inner.vector, at }, pos };
      case 'subquery':
        if (inner.at !== undefined) return fail(n.from, twice);
        return { ...inner, at, pos };
      default:
        return fail(
          n.from,
          '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery',
        );
    }
  }

  private args(body: SyntaxNode | null): Expr[] {
    if (body === null) return [];
    return this.exprChildren(body).map((c) => this.expr(c));
  }

  private call(n: SyntaxNode): Expr {
    const id = n.getChild('FunctionIdentifier')!;
    const func = this.text(id);
    return {
      kind: 'call',
      func,
      args: this.args(n.getChild('FunctionCallBody')),
      pos: this.pos(n),
    };
  }

  private groupingLabels(n: SyntaxNode | null): string[] {
    if (n === null) return [];
    const out: string[] = [];
    for (const c of this.children(n)) {
      if (c.name !== 'LabelName')
        return fail(
          c.from,
          `unexpected ${quoteToken(this.text(c))} in grouping opts, expected label`,
        );
      out.push(this.text(c));
    }
    return out;
  }

  private aggregate(n: SyntaxNode): Expr {
    const opNode = n.getChild('AggregateOp')!;
    const op = this.text(opNode).toLowerCase();
    if (!AGGREGATE_OPS.has(op))
      return fail(n.from, `unsupported aggregation ${JSON.stringify(op)} in PromQL 2.42`);
    const mod = n.getChild('AggregateModifier');
    const without = mod?.firstChild?.name === 'Without';
    const grouping = this.groupingLabels(mod?.getChild('GroupingLabels') ?? null);
    const args = this.args(n.getChild('FunctionCallBody'));
    const pos = this.pos(n);
    if (args.length === 0) return fail(n.from, 'no arguments for aggregate expression provided');
    const withParam =
      op === 'topk' || op === 'bottomk' || op === 'quantile' || op === 'count_values';
    const want = withParam ? 2 : 1;
    if (args.length !== want) {
      return fail(
        n.from,
        `wrong number of arguments for aggregate expression provided, expected ${want}, got ${args.length}`,
      );
    }
    return {
      kind: 'aggregate',
      op: op as AggregateOp,
      expr: args[want - 1]!,
      param: withParam ? args[0] : undefined,
      grouping,
      without,
      pos,
    };
  }

  private binary(n: SyntaxNode): Expr {
    const kids = this.children(n);
    const exprs = kids.filter((c) => EXPR_NODES.has(c.name));
    const opNode = kids.find(
      (c) => BINARY_OPS[c.name] !== undefined || c.name === 'TrimUpper' || c.name === 'TrimLower',
    );
    if (exprs.length !== 2 || opNode === undefined) return fail(n.to, 'unexpected end of input');
    const op = BINARY_OPS[opNode.name];
    if (op === undefined) return fail(opNode.from, `unexpected ${quoteToken(this.text(opNode))}`);
    const fill = kids.find((c) => c.name === 'FillModifier');
    if (fill !== undefined) return fail(fill.from, `unexpected ${quoteToken(this.text(fill))}`);
    const returnBool = kids.some((c) => c.name === 'BoolModifier');
    const clause = kids.find((c) => c.name === 'MatchingModifierClause');
    let matching: VectorMatching = { card: 'one-to-one', on: false, labels: [], include: [] };
    if (clause !== undefined) {
      const ck = this.children(clause);
      const on = ck[0]?.name === 'On';
      const groups = ck.filter((c) => c.name === 'GroupingLabels');
      const side = ck.find((c) => c.name === 'GroupLeft' || c.name === 'GroupRight');
      matching = {
        card:
          side === undefined
            ? 'one-to-one'
            : side.name === 'GroupLeft'
              ? 'many-to-one'
              : 'one-to-many',
        on,
        labels: this.groupingLabels(groups[0] ?? null),
        include: this.groupingLabels(groups[1] ?? null),
      };
    }
    if ((op === 'and' || op === 'or' || op === 'unless') && matching.card === 'one-to-one') {
      matching = { ...matching, card: 'many-to-many' };
    }
    const lhsNode = exprs[0]!;
    const rhsNode = exprs[1]!;
    const lhs = this.expr(lhsNode);
    const rhs = this.expr(rhsNode);
    const pos = this.pos(n);
    // lezer folds the sign into a number literal before `^`; Prometheus binds `^` tighter
    // than unary minus, so `-2 ^ 2` is -(2 ^ 2).
    if (
      op === '^' &&
      lhsNode.name === 'NumberDurationLiteral' &&
      /^[-+]/.test(this.text(lhsNode)) &&
      lhs.kind === 'number'
    ) {
      const sign = this.text(lhsNode)[0] === '-' ? '-' : '+';
      const unsigned = { kind: 'number' as const, value: Math.abs(lhs.value), pos: lhs.pos };
      return {
        kind: 'unary',
        op: sign,
        expr: {
          kind: 'binary',
          op,
          lhs: unsigned,
          rhs,
          returnBool,
          opPos: opNode.from,
          matching,
          pos,
        },
        pos,
      };
    }
    return { kind: 'binary', op, lhs, rhs, returnBool, opPos: opNode.from, matching, pos };
  }
}

function matchesEmpty(m: Matcher): boolean {
  switch (m.type) {
    case '=':
      return m.value === '';
    case '!=':
      return m.value !== '';
    case '=~':
      return anchored(m.value).test('');
    case '!~':
      return !anchored(m.value).test('');
  }
}

/**
 * Parses and type-checks a PromQL expression (Prometheus 2.42 syntax) into the engine's AST.
 * Throws {@link PromQLError} of type `bad_data` with a Prometheus-style message
 * (`1:5: parse error: unexpected end of input`) when the text is not valid PromQL.
 *
 * @example parseExpr('sum by (job) (rate(http_requests_total[5m]))').kind // 'aggregate'
 */
export function parseExpr(input: string): Expr {
  const c = new Converter(input);
  try {
    if (input.trim() === '') throw new Failure(0, 'no expression found in input');
    const top = parser.parse(input).topNode;
    const syntax = firstSyntaxError(input, top);
    if (syntax !== undefined) throw syntax;
    const first = top.firstChild;
    if (first === null) throw new Failure(0, 'no expression found in input');
    const expr = c.expr(first);
    checkExpr(expr);
    return expr;
  } catch (e) {
    if (e instanceof Failure) throw parseError(input, e.pos, e.message);
    throw e;
  }
}
