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
import { toJsRegex } from './re2.js';
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
  /** Offsets where `holt_winters` was renamed for lezer (see {@link prepareSource}). */
  holtWinters: ReadonlySet<number> = new Set();

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
        const inner = this.only(n);
        // As Prometheus, a sign on a number literal becomes part of the number.
        if (inner.kind === 'number') {
          return { ...inner, value: op === '-' ? -inner.value : inner.value, pos: this.pos(n) };
        }
        return { kind: 'unary', op, expr: inner, pos: this.pos(n) };
      }
      case 'FunctionCall':
        return this.call(n);
      case 'AggregateExpr':
        return this.aggregate(n);
      case 'BinaryExpr':
        return this.binary(n);
      default: {
        // `anchored` / `smoothed` modifiers came after 2.42, where they are stray identifiers.
        const word = n.lastChild ?? n;
        return fail(word.from, `unexpected identifier ${quoteToken(this.text(word))}`);
      }
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
      // Duration arithmetic came after 2.42: there a duration ends at the operator.
      const m = /^(\d+[a-z]+)\s*([-+*/%^])/.exec(raw);
      if (m !== null && parseDuration(m[1]!) !== undefined) {
        const at = n.from + raw.indexOf(m[2]!, m[1]!.length);
        const context =
          what === 'subquery step'
            ? 'subquery selector, expected "]"'
            : 'subquery or range, expected ":" or "]"';
        return fail(at, `unexpected <op:${m[2]}> in ${context}`);
      }
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
            // Quoted label names came after 2.42.
            const first = m.firstChild ?? m;
            return fail(
              first.from,
              `unexpected string ${quoteToken(this.text(first))} in label matching, expected identifier or "}"`,
            );
          }
          const [ln, op, str] = this.children(m);
          const opName = op?.firstChild?.name;
          const type = opName === undefined ? undefined : MATCH_OPS[opName];
          if (ln === undefined || type === undefined || str === undefined) {
            return fail(m.from, 'unexpected end of input in label matching');
          }
          let value = this.string(str);
          if (type === '=~' || type === '!~') {
            value = toJsRegex(value);
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

  /**
   * Applies a postfix modifier (`[range]`, `[range:step]`, `offset`, `@`). lezer attaches it
   * to a whole unparenthesised binary or unary expression; Prometheus binds it to the operand
   * right before it (`a + b offset 1m` is `a + (b offset 1m)`), so it is pushed down there.
   */
  private postfix(inner: Expr, apply: (e: Expr) => Expr): Expr {
    if (inner.kind === 'binary') return { ...inner, rhs: this.postfix(inner.rhs, apply) };
    if (inner.kind === 'unary') return { ...inner, expr: this.postfix(inner.expr, apply) };
    return apply(inner);
  }

  private matrixSelector(n: SyntaxNode): Expr {
    const rangeMs = this.duration(n.getChild('DurationExpr'), 'range');
    const bracket = this.input.indexOf('[', n.firstChild!.to);
    const pos = this.pos(n);
    return this.postfix(this.only(n), (inner): MatrixSelector => {
      if (inner.kind !== 'vector') return fail(bracket, 'ranges only allowed for vector selectors');
      if (inner.offsetMs !== 0) return fail(bracket, 'no offset modifiers allowed before range');
      if (inner.at !== undefined) return fail(bracket, 'no @ modifiers allowed before range');
      return {
        kind: 'matrix',
        vector: inner,
        rangeMs,
        pos: { start: inner.pos.start, end: pos.end },
      };
    });
  }

  private subquery(n: SyntaxNode): Expr {
    const durations = n.getChildren('DurationExpr');
    const rangeMs = this.duration(durations[0] ?? null, 'subquery selector');
    const stepMs = durations[1] === undefined ? 0 : this.duration(durations[1], 'subquery step');
    const pos = this.pos(n);
    return this.postfix(this.only(n), (inner): SubqueryExpr => ({
      kind: 'subquery',
      expr: inner,
      rangeMs,
      stepMs,
      offsetMs: 0,
      at: undefined,
      pos: { start: inner.pos.start, end: pos.end },
    }));
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
    return this.postfix(inner, (inner) => this.withOffset(inner, offsetMs, n));
  }

  private withOffset(inner: Expr, offsetMs: number, n: SyntaxNode): Expr {
    const pos = { start: inner.pos.start, end: n.to };
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
      // Go's math.Round: halves away from zero.
      at = Math.sign(s) * Math.round(Math.abs(s) * 1000);
    } else return fail(n.to, 'unexpected end of input in @, expected timestamp');
    return this.postfix(inner, (inner) => this.withAt(inner, at, n));
  }

  private withAt(inner: Expr, at: AtModifier, n: SyntaxNode): Expr {
    const pos = { start: inner.pos.start, end: n.to };
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
    const func = this.holtWinters.has(id.from) ? 'holt_winters' : this.text(id);
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
    // limitk and limit_ratio came after 2.42, which reads them as unknown functions.
    if (!AGGREGATE_OPS.has(op)) {
      return fail(n.from, `unknown function with name ${JSON.stringify(this.text(opNode))}`);
    }
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
    // `</` and `>/` came after 2.42, where they are `<` or `>` followed by a stray `/`.
    if (op === undefined) return fail(opNode.from + 1, 'unexpected <op:/>');
    const fill = kids.find((c) => c.name === 'FillModifier');
    if (fill !== undefined) {
      // fill() came after 2.42, which reads it as a call of an unknown function.
      const word = /^\w+/.exec(this.text(fill))?.[0] ?? 'fill';
      return fail(fill.from, `unknown function with name ${JSON.stringify(word)}`);
    }
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

/**
 * Rewrites, without moving any offset, the two bits of 2.42 syntax the lezer grammar (written
 * for a later PromQL) lacks: numbers with a trailing dot (`1.`, `2.e3`) and the `holt_winters`
 * function, renamed to a function lezer knows with a name of the same length.
 */
function prepareSource(input: string): { text: string; holtWinters: Set<number> } {
  const holtWinters = new Set<number>();
  let text = '';
  const re =
    /"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|`[^`]*`?|#[^\n]*|[A-Za-z_:][A-Za-z0-9_:]*|(\d+)\.(?![\d])([eE][-+]?\d+)?|[^]/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(input)) !== null) {
    const tok = m[0];
    if (tok === 'holt_winters' && /^\s*\(/.test(input.slice(re.lastIndex))) {
      holtWinters.add(m.index);
      text += 'day_of_month';
    } else if (m[1] !== undefined) {
      text += m[1] + (m[2] ?? '') + ' ';
    } else text += tok;
    if (re.lastIndex >= input.length) break;
  }
  return { text, holtWinters };
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
    const source = prepareSource(input);
    c.holtWinters = source.holtWinters;
    const top = parser.parse(source.text).topNode;
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
