import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Expr } from './ast.js';
import { PromQLError } from './errors.js';
import { parseExpr } from './parse.js';

/** A compact rendering of the AST that shows grouping, modifiers and matching. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'number':
      return String(e.value);
    case 'string':
      return JSON.stringify(e.value);
    case 'vector': {
      const m = e.matchers
        .filter((x) => x.name !== '__name__' || e.name === undefined)
        .map((x) => `${x.name}${x.type}${JSON.stringify(x.value)}`);
      let s = (e.name ?? '') + (m.length > 0 ? `{${m.join(',')}}` : '');
      if (e.offsetMs !== 0) s += ` offset ${e.offsetMs}`;
      if (e.at !== undefined) s += ` @ ${e.at}`;
      return s;
    }
    case 'matrix':
      return `${show({ ...e.vector, offsetMs: 0, at: undefined })}[${e.rangeMs}]${e.vector.offsetMs !== 0 ? ` offset ${e.vector.offsetMs}` : ''}${e.vector.at !== undefined ? ` @ ${e.vector.at}` : ''}`;
    case 'subquery':
      return `(${show(e.expr)})[${e.rangeMs}:${e.stepMs}]${e.offsetMs !== 0 ? ` offset ${e.offsetMs}` : ''}${e.at !== undefined ? ` @ ${e.at}` : ''}`;
    case 'call':
      return `${e.func}(${e.args.map(show).join(', ')})`;
    case 'aggregate':
      return `${e.op}${e.grouping.length > 0 || e.without ? ` ${e.without ? 'without' : 'by'}(${e.grouping.join(',')})` : ''}(${e.param !== undefined ? show(e.param) + ', ' : ''}${show(e.expr)})`;
    case 'binary': {
      const m = e.matching;
      let mod = e.returnBool ? ' bool' : '';
      if (m.labels.length > 0 || m.on) mod += ` ${m.on ? 'on' : 'ignoring'}(${m.labels.join(',')})`;
      if (m.card === 'many-to-one') mod += ` group_left(${m.include.join(',')})`;
      if (m.card === 'one-to-many') mod += ` group_right(${m.include.join(',')})`;
      return `(${show(e.lhs)} ${e.op}${mod} ${show(e.rhs)})`;
    }
    case 'unary':
      return `${e.op}(${show(e.expr)})`;
    case 'paren':
      return `(${show(e.expr)})`;
  }
}

describe('parseExpr: structure', () => {
  const cases: [string, string][] = [
    ['1 + 2 * 3', '(1 + (2 * 3))'],
    ['1 - 2 - 3', '((1 - 2) - 3)'],
    ['2 ^ 3 ^ 2', '(2 ^ (3 ^ 2))'],
    ['-2 ^ 2', '-((2 ^ 2))'],
    ['-x ^ 2', '-((x ^ 2))'],
    ['- 1', '-1'],
    [
      'a + b * c > bool d and e or f unless g',
      '((((a + (b * c)) > bool d) and e) or (f unless g))',
    ],
    ['a == b != c', '((a == b) != c)'],
    ['a atan2 b * c', '((a atan2 b) * c)'],
    ['0x1F + 010 + 1e3 + .5 + 2.', '((((31 + 8) + 1000) + 0.5) + 2)'],
    ['Inf + -inf + NaN', '((Infinity + -Infinity) + NaN)'],
    ['x{a="b", c!="d", e=~"f.*", g!~"h"}', 'x{a="b",c!="d",e=~"f.*",g!~"h"}'],
    ["{__name__='x'}", '{__name__="x"}'],
    ['x{a="\\u00e9\\t"}', 'x{a="é\\t"}'],
    ['x{a=`raw\\n`}', 'x{a="raw\\\\n"}'],
    ['x offset 5m', 'x offset 300000'],
    ['x offset -1h30m', 'x offset -5400000'],
    ['x @ 1.5', 'x @ 1500'],
    ['x @ start()', 'x @ start'],
    ['x @ end() offset 1m', 'x offset 60000 @ end'],
    ['x[5m] offset 1m @ 100', 'x[300000] offset 60000 @ 100000'],
    ['a + b offset 1m', '(a + b offset 60000)'],
    ['sum_over_time(a[5m:1m] offset 1m)', 'sum_over_time((a)[300000:60000] offset 60000)'],
    ['-a @ 100', '-(a @ 100000)'],
    ['rate(x[5m])[30m:]', '(rate(x[300000]))[1800000:0]'],
    ['x[1h:5m] offset 10m', '(x)[3600000:300000] offset 600000'],
    ['sum by (a, b) (x)', 'sum by(a,b)(x)'],
    ['sum(x) without (a)', 'sum without(a)(x)'],
    ['SUM BY (job) (x)', 'sum by(job)(x)'],
    ['topk(3, x)', 'topk(3, x)'],
    ['count_values("v", x)', 'count_values("v", x)'],
    ['a * on(b) group_left(c) d', '(a * on(b) group_left(c) d)'],
    ['a / ignoring(b) group_right d', '(a / ignoring(b) group_right() d)'],
    ['a and on() b', '(a and on() b)'],
    ['holt_winters(x[5m], 0.5, 0.5)', 'holt_winters(x[300000], 0.5, 0.5)'],
    ['sum # a comment\n(x)', 'sum(x)'],
    ['x{a="# not a comment"}', 'x{a="# not a comment"}'],
    ['x{a=~"(?i)ab"}', 'x{a=~"[aA][bB]"}'],
  ];
  for (const [input, want] of cases) {
    it(input, () => assert.equal(show(parseExpr(input)), want));
  }

  it('normalises set operators to many-to-many matching', () => {
    const e = parseExpr('a or b');
    assert.equal(e.kind === 'binary' && e.matching.card, 'many-to-many');
  });
});

describe('parseExpr: errors (as Prometheus 2.42 words them)', () => {
  const cases: [string, string][] = [
    ['', '1:1: parse error: no expression found in input'],
    ['sum(', '1:5: parse error: unclosed left parenthesis'],
    ['x[5m', '1:5: parse error: unclosed left bracket'],
    ['x{a="b"', '1:8: parse error: unexpected end of input inside braces'],
    ['x)', "1:3: parse error: unexpected right parenthesis ')'"],
    ['x +* y', '1:4: parse error: unexpected <op:*>'],
    ['x{a=b}', '1:5: parse error: unexpected identifier "b" in label matching, expected string'],
    ['foo(x)', '1:1: parse error: unknown function with name "foo"'],
    [
      'rate(x)',
      '1:6: parse error: expected type range vector in call to function "rate", got instant vector',
    ],
    ['1 > 2', '1:3: parse error: comparisons between scalars must use BOOL modifier'],
    ['1 + bool 2', '1:3: parse error: bool modifier can only be used on comparison operators'],
    ['x offset 5m offset 1m', '1:1: parse error: offset may not be set multiple times'],
    ['x @ 1 @ 2', '1:1: parse error: @ <timestamp> may not be set multiple times'],
    ['x offset 0s', '1:10: parse error: duration must be greater than 0'],
    ['x[5]', '1:3: parse error: missing unit character in duration'],
    ['5m', '1:1: parse error: unexpected duration "5m"'],
    ['x @ 5m', '1:5: parse error: unexpected duration "5m" in @, expected timestamp'],
    ['x offset foo', '1:10: parse error: unexpected identifier "foo" in offset, expected duration'],
    ['(x)[5m]', '1:4: parse error: ranges only allowed for vector selectors'],
    ['x[5m][5m]', '1:6: parse error: ranges only allowed for vector selectors'],
    [
      'rate(x[5m:1m][5m:1m])',
      '1:6: parse error: subquery is only allowed on instant vector, got matrix instead',
    ],
    [
      'sum(x, y)',
      '1:1: parse error: wrong number of arguments for aggregate expression provided, expected 1, got 2',
    ],
    [
      'topk(1, 2)',
      '1:9: parse error: expected type instant vector in aggregation expression, got scalar',
    ],
    ['x and 1', '1:1: parse error: set operator "and" not allowed in binary scalar expression'],
    [
      'x + on(a) group_left(a) y',
      '1:3: parse error: label "a" must not occur in ON and GROUP clause at once',
    ],
    ['x unless on(a) group_left y', '1:1: parse error: no grouping allowed for "unless" operation'],
    ['1 + on(a) 2', '1:1: parse error: vector matching only allowed between instant vectors'],
    [
      'x[5m] + 1',
      '1:1: parse error: binary expression must contain only scalar and instant vector types',
    ],
    [
      '-"a"',
      '1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "string"',
    ],
    ['{}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
    ['{a=~".*"}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
    ['x{__name__="y"}', '1:1: parse error: metric name must not be set twice: "x" or "y"'],
    ['"unterminated', '1:1: parse error: unterminated quoted string'],
    ['x{a="\\q"}', "1:5: parse error: unknown escape sequence U+0071 'q'"],
    [
      'label_replace(x, "a", "b", "c")',
      '1:1: parse error: expected 5 argument(s) in call to "label_replace", got 4',
    ],
    [
      'round(x, 1, 2)',
      '1:1: parse error: expected at most 2 argument(s) in call to "round", got 3',
    ],
    [
      'sum(x) offset 1m',
      '1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
    ],
    ['x offset 1m[5m]', '1:12: parse error: no offset modifiers allowed before range'],
    ['x\n  + (y', '2:7: parse error: unclosed left parenthesis'],
    // Syntax of later PromQL versions, refused as 2.42 refuses it.
    ['limitk(1, x)', '1:1: parse error: unknown function with name "limitk"'],
    ['x smoothed', '1:3: parse error: unexpected identifier "smoothed"'],
    ['x + fill(0) y', '1:5: parse error: unknown function with name "fill"'],
    [
      '{"a"="b"}',
      '1:2: parse error: unexpected string "\\"a\\"" in label matching, expected identifier or "}"',
    ],
    ['x </ y', '1:4: parse error: unexpected <op:/>'],
    ['x[5m+1m]', '1:5: parse error: unexpected <op:+> in subquery or range, expected ":" or "]"'],
    ['x[5m:1m*2]', '1:8: parse error: unexpected <op:*> in subquery selector, expected "]"'],
    ['sort_by_label(x, "a")', '1:1: parse error: unknown function with name "sort_by_label"'],
    [
      'a + b[5m:1m]',
      '1:5: parse error: binary expression must contain only scalar and instant vector types',
    ],
    [
      '-a[5m:1m]',
      '1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "range vector"',
    ],
    ['x \\ y', "1:3: parse error: unexpected character: '\\'"],
  ];
  for (const [input, want] of cases) {
    it(JSON.stringify(input), () => {
      assert.throws(
        () => parseExpr(input),
        (e: unknown) => e instanceof PromQLError && e.type === 'bad_data' && e.message === want,
        `want ${want}`,
      );
    });
  }
});
