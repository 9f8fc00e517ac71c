import type { parser } from '@prometheus-io/lezer-promql';
import { ParseFailure } from './errors.js';
import { parseDuration } from './literals.js';

/**
 * Messages for syntax errors in the words of Prometheus 2.42's lexer and parser. lezer
 * recovers from errors by inserting error nodes; the first one, together with a scan of the
 * brackets, tells what Prometheus would have complained about.
 */

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'start',
  'end',
]);
const WORD_OPERATORS = new Set(['and', 'or', 'unless', 'atan2']);
const AGGREGATORS = new Set([
  'sum',
  'avg',
  'count',
  'min',
  'max',
  'group',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'count_values',
]);
const SYMBOL_OPERATORS = new Set([
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  '=~',
  '!~',
  '@',
]);

/** Go's `%q` with Prometheus's 10-character cut. */
function quote(s: string): string {
  return s.length > 10 ? JSON.stringify(s.slice(0, 10)) + '...' : JSON.stringify(s);
}

/** Prometheus's `Item.desc()` of the token starting `rest`. */
function describeToken(rest: string): string {
  const tok =
    /^(?:[A-Za-z_:][A-Za-z0-9_:]*|\d[\w.]*|"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|`[^`]*`?|[=!<>]=|=~|!~|.)/s.exec(
      rest,
    )![0];
  const lower = tok.toLowerCase();
  if (/^[A-Za-z_:]/.test(tok)) {
    if (KEYWORDS.has(lower)) return `<${tok}>`;
    if (WORD_OPERATORS.has(lower)) return `<op:${tok}>`;
    if (AGGREGATORS.has(lower)) return `<aggr:${tok}>`;
    if (lower === 'inf' || lower === 'nan') return `number ${quote(tok)}`;
    return `identifier ${quote(tok)}`;
  }
  if (/^\d/.test(tok))
    return parseDuration(tok) !== undefined ? `duration ${quote(tok)}` : `number ${quote(tok)}`;
  if (/^["'`]/.test(tok)) return `string ${quote(tok)}`;
  if (SYMBOL_OPERATORS.has(tok)) return `<op:${tok}>`;
  return quote(tok);
}

interface BracketScan {
  /** Offset of the first closing bracket without an opener. */
  readonly strayClose: number;
  /** What is still open at the end of input. */
  readonly openParen: boolean;
  readonly openBracket: boolean;
  readonly openBrace: boolean;
}

/** Scans brackets outside strings and comments, as Prometheus's lexer tracks them. */
function scanBrackets(input: string): BracketScan {
  const stack: string[] = [];
  let strayClose = -1;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c === '"' || c === "'" || c === '`') {
      for (i++; i < input.length && input[i] !== c; i++) if (input[i] === '\\' && c !== '`') i++;
      continue;
    }
    if (c === '#') {
      while (i < input.length && input[i] !== '\n') i++;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') stack.push(c);
    else if (c === ')' || c === ']' || c === '}') {
      const open = c === ')' ? '(' : c === ']' ? '[' : '{';
      if (stack[stack.length - 1] === open) stack.pop();
      else if (strayClose < 0) strayClose = i;
    }
  }
  return {
    strayClose,
    openParen: stack.includes('('),
    openBracket: stack.includes('['),
    openBrace: stack.includes('{'),
  };
}

const CLOSE_NAMES: Readonly<Record<string, string>> = {
  ')': "right parenthesis ')'",
  ']': "right bracket ']'",
  '}': "right brace '}'",
};

/** " in <context>, expected <what>" for an error node, where Prometheus's grammar says one. */
function context(node: SyntaxNode): string {
  const parent = node.parent?.name;
  const prev = node.prevSibling?.name;
  switch (parent) {
    case 'UnquotedLabelMatcher':
      if (prev === 'MatchOp') return ' in label matching, expected string';
      if (prev === 'LabelName') return ' in label matching, expected label matching operator';
      return ' in label matching, expected identifier or "}"';
    case 'LabelMatchers':
      return prev === 'UnquotedLabelMatcher'
        ? ' in label matching, expected "," or "}"'
        : ' in label matching, expected identifier or "}"';
    case 'StepInvariantExpr':
      return ' in @, expected timestamp';
    case 'OffsetExpr':
      return ' in offset, expected duration';
    case 'GroupingLabels':
      return prev === 'LabelName'
        ? ' in grouping opts, expected "," or ")"'
        : ' in grouping opts, expected label';
    default:
      return '';
  }
}

/** The first syntax error of a lezer parse, with Prometheus's message, if there is one. */
export function firstSyntaxError(input: string, top: SyntaxNode): ParseFailure | undefined {
  let found: SyntaxNode | undefined;
  const cursor = top.cursor();
  do {
    if (cursor.type.isError) {
      found = cursor.node;
      break;
    }
  } while (cursor.next());
  if (found === undefined) return undefined;
  const from = found.from;
  const scan = scanBrackets(input);
  if (scan.strayClose >= 0 && scan.strayClose <= from) {
    return new ParseFailure(
      scan.strayClose + 1,
      `unexpected ${CLOSE_NAMES[input[scan.strayClose]!]!}`,
    );
  }
  // An identifier directly followed by "(" is a call of a function lezer doesn't know.
  const before = /([A-Za-z_:][A-Za-z0-9_:]*)\s*$/.exec(input.slice(0, from));
  if (input[from] === '(' && before !== null && found.parent?.name !== 'GroupingLabels') {
    return new ParseFailure(
      from - before[0].length,
      `unknown function with name ${JSON.stringify(before[1])}`,
    );
  }
  const rest = input.slice(from).replace(/^\s+/, '');
  const at = input.length - rest.length;
  if (rest === '') {
    if (scan.openBrace) return new ParseFailure(at, 'unexpected end of input inside braces');
    if (scan.openParen) return new ParseFailure(at, 'unclosed left parenthesis');
    if (scan.openBracket) return new ParseFailure(at, 'unclosed left bracket');
    return new ParseFailure(at, `unexpected end of input${context(found)}`);
  }
  if (!/^[\w:"'`\s+\-*/%^=!<>()[\]{},@.#]/.test(rest)) {
    return new ParseFailure(at, `unexpected character: '${rest[0]}'`);
  }
  if (rest[0] === '!' && rest[1] !== '=' && rest[1] !== '~') {
    return new ParseFailure(at, `unexpected character after '!': '${rest[1] ?? ''}'`);
  }
  return new ParseFailure(at, `unexpected ${describeToken(rest)}${context(found)}`);
}
