/**
 * Just enough PromQL for the SLO spec: plain selectors (parse, print, match) and the metric
 * names an expression refers to. The generated files are checked by promtool and vmalert,
 * so this only has to catch mistakes early and with the SLO's path in the message.
 */

/** A label matcher of a selector. */
export interface Matcher {
  readonly name: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

/** A plain instant-vector selector: a metric name and label matchers. */
export interface Selector {
  readonly metric: string;
  readonly matchers: readonly Matcher[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/**
 * Parses `name{label="value", …}`; `undefined` when the text is anything else (an
 * expression). The metric name is required.
 *
 * @example parseSelector('up{service="relay"}')?.matchers[0]?.value // 'relay'
 */
export function parseSelector(text: string): Selector | undefined {
  const s = text.trim();
  const name = NAME.exec(s);
  if (name === null) return undefined;
  let i = name[0].length;
  const matchers: Matcher[] = [];
  const skip = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  skip();
  if (i === s.length) return { metric: name[0], matchers };
  if (s[i] !== '{') return undefined;
  i++;
  for (;;) {
    skip();
    if (s[i] === '}') break;
    const label = LABEL.exec(s.slice(i));
    if (label === null) return undefined;
    i += label[0].length;
    skip();
    const op = /^(=~|!~|!=|=)/.exec(s.slice(i))?.[0] as Matcher['op'] | undefined;
    if (op === undefined) return undefined;
    i += op.length;
    skip();
    const str = readString(s, i);
    if (str === undefined) return undefined;
    matchers.push({ name: label[0], op, value: str.value });
    i = str.end;
    skip();
    if (s[i] === ',') i++;
    else if (s[i] !== '}') return undefined;
  }
  i++;
  skip();
  return i === s.length ? { metric: name[0], matchers } : undefined;
}

function readString(s: string, start: number): { value: string; end: number } | undefined {
  const q = s[start];
  if (q !== '"' && q !== "'" && q !== '`') return undefined;
  let out = '';
  for (let i = start + 1; i < s.length; i++) {
    const c = s[i]!;
    if (c === q) return { value: out, end: i + 1 };
    if (c === '\\' && q !== '`') {
      const n = s[++i];
      if (n === undefined) return undefined;
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n;
    } else out += c;
  }
  return undefined;
}

/** Quotes a label value as PromQL reads it back. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * Prints a selector: `name` or `name{a="1",b=~"x|y"}`.
 *
 * @example formatSelector({ metric: 'up', matchers: [{ name: 'service', op: '=', value: 'relay' }] }) // 'up{service="relay"}'
 */
export function formatSelector(sel: Selector): string {
  if (sel.matchers.length === 0) return sel.metric;
  return `${sel.metric}{${sel.matchers.map((m) => `${m.name}${m.op}${quote(m.value)}`).join(',')}}`;
}

/** Adds `name="value"` to a selector unless it already has a matcher on that label. */
export function withMatcher(sel: Selector, name: string, value: string): Selector {
  if (sel.matchers.some((m) => m.name === name)) return sel;
  return { metric: sel.metric, matchers: [{ name, op: '=', value }, ...sel.matchers] };
}

/**
 * Whether a series (its labels and metric name) is selected. Regexes are anchored as in
 * PromQL; JavaScript regexes stand in for RE2, which is close enough for label values.
 */
export function matchesSelector(
  metric: string,
  labels: Readonly<Record<string, string>>,
  sel: Selector,
): boolean {
  if (metric !== sel.metric) return false;
  for (const m of sel.matchers) {
    const v = labels[m.name] ?? '';
    const ok =
      m.op === '=' || m.op === '!=' ? v === m.value : new RegExp(`^(?:${m.value})$`, 'u').test(v);
    if (ok !== (m.op === '=' || m.op === '=~')) return false;
  }
  return true;
}

const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);
const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan']);

/**
 * The metric names an expression selects, each once, in order of appearance. Function and
 * aggregation names, keywords, label names and strings are skipped.
 *
 * @example metricNames('sum by (cpu) (rate(node_cpu_seconds_total{mode="idle"}[5m]))') // ['node_cpu_seconds_total']
 */
export function metricNames(expr: string): string[] {
  const out: string[] = [];
  const s = expr;
  let i = 0;
  const nextNonSpace = (j: number): number => {
    while (j < s.length && /\s/.test(s[j]!)) j++;
    return j;
  };
  const skipGroup = (open: string, close: string, j: number): number => {
    let depth = 0;
    for (; j < s.length; j++) {
      const c = s[j]!;
      if (c === '"' || c === "'" || c === '`') j = (readString(s, j)?.end ?? s.length) - 1;
      else if (c === open) depth++;
      else if (c === close && --depth === 0) return j + 1;
    }
    return s.length;
  };
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"' || c === "'" || c === '`') i = readString(s, i)?.end ?? s.length;
    else if (c === '{') i = skipGroup('{', '}', i);
    else if (c === '[') i = skipGroup('[', ']', i);
    else if (c === '#') while (i < s.length && s[i] !== '\n') i++;
    else if (/[0-9.]/.test(c)) {
      const m = /^[0-9.][0-9a-zA-Z_.]*(?:[eE][+-][0-9]+)?/.exec(s.slice(i))!;
      i += m[0].length;
    } else if (/[a-zA-Z_:]/.test(c)) {
      const word = NAME.exec(s.slice(i))![0];
      i += word.length;
      const n = nextNonSpace(i);
      if (GROUPING.has(word)) {
        if (s[n] === '(') i = skipGroup('(', ')', n);
      } else if (s[n] === '(' || AGGREGATIONS.has(word) || KEYWORDS.has(word.toLowerCase())) {
        // A function or aggregation call, or a keyword.
      } else if (!out.includes(word)) out.push(word);
    } else i++;
  }
  return out;
}

/**
 * Prints a number for PromQL and YAML without binary noise: `1 - 0.99` prints as `0.01`.
 *
 * @example formatNumber(1 - 0.999) // '0.001'
 */
export function formatNumber(x: number): string {
  return String(Number(x.toPrecision(12)));
}
