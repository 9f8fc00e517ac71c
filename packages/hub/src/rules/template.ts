/**
 * The subset of Go's text/template that Prometheus alert labels and annotations use:
 * `{{ pipeline }}`, `{{ if }}`/`{{ with }}` … `{{ else }}` … `{{ end }}`, pipes, string and
 * number literals, `.`/`.Field`, `$labels.x`, `$value`, `$externalURL`, `$externalLabels`,
 * and the functions `query first value label humanize humanize1024 humanizePercentage
 * humanizeDuration printf toUpper toLower title`. Templates compile at load time, so a bad
 * one is reported with the rule file.
 *
 * @example
 * compileTemplate('{{ $value | humanizePercentage }}').expand({ labels: {}, value: 0.25 })
 * // '25%'
 */
import type { Labels } from '../model.js';
import {
  goPrint,
  humanize,
  humanize1024,
  humanizeDuration,
  humanizePercentage,
  sprintf,
} from './gofmt.js';

/** A query result sample as templates see it: `.Labels` and `.Value`. */
export interface TemplateSample {
  readonly Labels: Labels;
  readonly Value: number;
}

/** What a template expands with. */
export interface TemplateData {
  readonly labels: Labels;
  readonly value: number;
  readonly externalURL?: string;
  readonly externalLabels?: Labels;
  /** Runs an instant query at the evaluation time (the `query` function). */
  readonly query?: (expr: string) => TemplateSample[];
}

/** A template that doesn't parse or fails to expand. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

type Operand =
  | { k: 'str'; v: string }
  | { k: 'num'; v: number }
  | { k: 'dot'; fields: string[] }
  | { k: 'var'; name: string; fields: string[] }
  | { k: 'ident'; name: string }
  | { k: 'paren'; pipe: Pipe };
type Pipe = Operand[][];
type Node =
  | { k: 'text'; v: string }
  | { k: 'out'; pipe: Pipe }
  | { k: 'if' | 'with'; pipe: Pipe; then: Node[]; else: Node[] };

const FUNCS = new Set([
  'query',
  'first',
  'value',
  'label',
  'humanize',
  'humanize1024',
  'humanizePercentage',
  'humanizeDuration',
  'printf',
  'toUpper',
  'toLower',
  'title',
]);

function tokenize(src: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '|' || c === '(' || c === ')') {
      out.push(c);
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) throw new TemplateError('unterminated quoted string');
      out.push(src.slice(i, j + 1));
      i = j + 1;
    } else if (c === '`') {
      const j = src.indexOf('`', i + 1);
      if (j < 0) throw new TemplateError('unterminated raw quoted string');
      out.push(src.slice(i, j + 1));
      i = j + 1;
    } else {
      const m = /^[^\s|()"`]+/.exec(src.slice(i))!;
      out.push(m[0]);
      i += m[0].length;
    }
  }
  return out;
}

function operand(tok: string, rest: string[]): Operand {
  if (tok === '(') {
    const inner: string[] = [];
    let depth = 1;
    for (;;) {
      const t = rest.shift();
      if (t === undefined) throw new TemplateError('unclosed left paren');
      if (t === '(') depth++;
      if (t === ')' && --depth === 0) break;
      inner.push(t);
    }
    return { k: 'paren', pipe: parsePipe(inner) };
  }
  if (tok.startsWith('"')) {
    try {
      return { k: 'str', v: JSON.parse(tok) as string };
    } catch {
      throw new TemplateError(`bad string literal ${tok}`);
    }
  }
  if (tok.startsWith('`')) return { k: 'str', v: tok.slice(1, -1) };
  if (/^[-+]?(\d|\.\d)/.test(tok)) {
    const v = Number(tok);
    if (Number.isNaN(v)) throw new TemplateError(`bad number syntax: "${tok}"`);
    return { k: 'num', v };
  }
  if (tok === '.') return { k: 'dot', fields: [] };
  if (tok.startsWith('.')) return { k: 'dot', fields: tok.slice(1).split('.') };
  if (tok.startsWith('$')) {
    const [name, ...fields] = tok.split('.');
    return { k: 'var', name: name!, fields };
  }
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(tok)) {
    if (!FUNCS.has(tok)) throw new TemplateError(`function "${tok}" not defined`);
    return { k: 'ident', name: tok };
  }
  throw new TemplateError(`unexpected "${tok}" in command`);
}

function parsePipe(toks: string[]): Pipe {
  const rest = [...toks];
  const pipe: Pipe = [];
  let cmd: Operand[] = [];
  while (rest.length > 0) {
    const t = rest.shift()!;
    if (t === '|') {
      if (cmd.length === 0) throw new TemplateError('missing command before "|"');
      pipe.push(cmd);
      cmd = [];
      continue;
    }
    if (t === ')') throw new TemplateError('unexpected right paren');
    cmd.push(operand(t, rest));
  }
  if (cmd.length === 0) throw new TemplateError('missing value for command');
  pipe.push(cmd);
  for (const [i, c] of pipe.entries()) {
    if (c[0]!.k !== 'ident' && c.length > 1)
      throw new TemplateError(`can't give argument to non-function ${describe(c[0]!)}`);
    if (i > 0 && c[0]!.k !== 'ident')
      throw new TemplateError(`non executable command in pipeline stage ${i + 1}`);
  }
  return pipe;
}

function describe(o: Operand): string {
  switch (o.k) {
    case 'str':
      return JSON.stringify(o.v);
    case 'num':
      return String(o.v);
    case 'dot':
      return '.' + o.fields.join('.');
    case 'var':
      return [o.name, ...o.fields].join('.');
    case 'ident':
      return o.name;
    case 'paren':
      return '(…)';
  }
}

function parse(src: string): Node[] {
  const root: Node[] = [];
  const stack: Array<{ node: Extract<Node, { k: 'if' | 'with' }>; inElse: boolean }> = [];
  const target = (): Node[] => {
    const top = stack[stack.length - 1];
    return top === undefined ? root : top.inElse ? top.node.else : top.node.then;
  };
  let pos = 0;
  let trimNext = false;
  while (pos < src.length) {
    const open = src.indexOf('{{', pos);
    let text = src.slice(pos, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    trimNext = false;
    if (open < 0) {
      if (text !== '') target().push({ k: 'text', v: text });
      break;
    }
    let inner = open + 2;
    if (
      src.startsWith('- ', inner) ||
      src.startsWith('-\t', inner) ||
      src.startsWith('-\n', inner)
    ) {
      text = text.replace(/\s+$/, '');
      inner++;
    }
    if (text !== '') target().push({ k: 'text', v: text });
    const close = findClose(src, inner);
    if (close < 0) throw new TemplateError('unclosed action');
    let body = src.slice(inner, close);
    if (/\s-$/.test(body)) {
      body = body.slice(0, -1);
      trimNext = true;
    }
    pos = close + 2;
    body = body.trim();
    if (body.startsWith('/*')) continue;
    const toks = tokenize(body);
    const kw = toks[0];
    if (kw === 'if' || kw === 'with') {
      if (toks.length < 2) throw new TemplateError(`missing value for ${kw}`);
      const node = { k: kw, pipe: parsePipe(toks.slice(1)), then: [], else: [] } as Extract<
        Node,
        { k: 'if' | 'with' }
      >;
      target().push(node);
      stack.push({ node, inElse: false });
    } else if (kw === 'else') {
      const top = stack[stack.length - 1];
      if (top === undefined || top.inElse) throw new TemplateError('unexpected {{else}}');
      if (toks.length > 1) throw new TemplateError('"else if"/"else with" is not supported');
      top.inElse = true;
    } else if (kw === 'end') {
      if (stack.pop() === undefined) throw new TemplateError('unexpected {{end}}');
    } else if (kw === 'range' || kw === 'define' || kw === 'template' || kw === 'block') {
      throw new TemplateError(`{{${kw}}} is not supported`);
    } else if (toks.includes(':=') || toks.includes('=')) {
      throw new TemplateError('variable declarations are not supported');
    } else {
      target().push({ k: 'out', pipe: parsePipe(toks) });
    }
  }
  if (stack.length > 0)
    throw new TemplateError(`unexpected EOF: {{${stack.at(-1)!.node.k}}} has no {{end}}`);
  return root;
}

function findClose(src: string, from: number): number {
  let i = from;
  while (i < src.length) {
    const c = src[i];
    if (c === '"') {
      i++;
      while (i < src.length && src[i] !== '"') i += src[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '`') {
      i = src.indexOf('`', i + 1) + 1;
      if (i === 0) return -1;
    } else if (src.startsWith('}}', i)) {
      return i;
    } else i++;
  }
  return -1;
}

interface Ctx {
  readonly dot: unknown;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly data: TemplateData;
}

function field(x: unknown, name: string): unknown {
  if (x === null || typeof x !== 'object')
    throw new TemplateError(`can't evaluate field ${name} in ${goPrint(x)}`);
  // Prometheus runs templates with missingkey=zero: a missing label is "".
  return (x as Record<string, unknown>)[name] ?? '';
}

function evalOperand(o: Operand, c: Ctx): unknown {
  switch (o.k) {
    case 'str':
    case 'num':
      return o.v;
    case 'dot':
      return o.fields.reduce(field, c.dot);
    case 'var': {
      if (!(o.name in c.vars)) throw new TemplateError(`undefined variable "${o.name}"`);
      return o.fields.reduce(field, c.vars[o.name]);
    }
    case 'paren':
      return evalPipe(o.pipe, c);
    case 'ident':
      return call(o.name, [], c);
  }
}

function isSample(x: unknown): x is TemplateSample {
  return typeof x === 'object' && x !== null && 'Labels' in x && 'Value' in x;
}

function call(name: string, args: unknown[], c: Ctx): unknown {
  const one = (): unknown => {
    if (args.length !== 1)
      throw new TemplateError(`wrong number of args for ${name}: want 1 got ${args.length}`);
    return args[0];
  };
  try {
    switch (name) {
      case 'query': {
        const q = one();
        if (typeof q !== 'string') throw new TemplateError('query: the argument must be a string');
        if (c.data.query === undefined) throw new TemplateError('query: no querier available');
        return c.data.query(q);
      }
      case 'first': {
        const v = one();
        if (!Array.isArray(v) || v.length === 0)
          throw new TemplateError('first() called on vector with no elements');
        return v[0] as unknown;
      }
      case 'value': {
        const s = one();
        if (!isSample(s)) throw new TemplateError(`value: ${goPrint(s)} is not a sample`);
        return s.Value;
      }
      case 'label': {
        if (args.length !== 2) throw new TemplateError('label: want 2 args');
        const s = args[1];
        if (!isSample(s)) throw new TemplateError(`label: ${goPrint(s)} is not a sample`);
        return s.Labels[String(args[0])] ?? '';
      }
      case 'humanize':
        return humanize(one());
      case 'humanize1024':
        return humanize1024(one());
      case 'humanizePercentage':
        return humanizePercentage(one());
      case 'humanizeDuration':
        return humanizeDuration(one());
      case 'printf': {
        const [f, ...rest] = args;
        if (typeof f !== 'string') throw new TemplateError('printf: the format must be a string');
        return sprintf(f, rest);
      }
      case 'toUpper':
        return String(one()).toUpperCase();
      case 'toLower':
        return String(one()).toLowerCase();
      case 'title':
        return String(one()).replace(/\b\w/g, (m) => m.toUpperCase());
    }
  } catch (e) {
    if (e instanceof TemplateError) throw e;
    throw new TemplateError(`error calling ${name}: ${(e as Error).message}`);
  }
  throw new TemplateError(`function "${name}" not defined`);
}

function evalPipe(pipe: Pipe, c: Ctx): unknown {
  let prev: unknown;
  for (const [i, cmd] of pipe.entries()) {
    const head = cmd[0]!;
    if (head.k !== 'ident') {
      prev = evalOperand(head, c);
      continue;
    }
    const args = cmd.slice(1).map((o) => evalOperand(o, c));
    if (i > 0) args.push(prev);
    prev = call(head.name, args, c);
  }
  return prev;
}

function truthy(x: unknown): boolean {
  if (x === undefined || x === null || x === false || x === 0 || x === '') return false;
  if (Array.isArray(x)) return x.length > 0;
  if (typeof x === 'object') return Object.keys(x).length > 0;
  return true;
}

function exec(nodes: readonly Node[], c: Ctx, out: string[]): void {
  for (const n of nodes) {
    if (n.k === 'text') out.push(n.v);
    else if (n.k === 'out') out.push(goPrint(evalPipe(n.pipe, c)));
    else {
      const v = evalPipe(n.pipe, c);
      if (truthy(v)) exec(n.then, n.k === 'with' ? { ...c, dot: v } : c, out);
      else exec(n.else, c, out);
    }
  }
}

/** A compiled template. */
export interface Template {
  readonly source: string;
  /** Expands the template; throws {@link TemplateError}. */
  expand(data: TemplateData): string;
}

/** Compiles a template; throws {@link TemplateError} when it doesn't parse. */
export function compileTemplate(source: string): Template {
  const nodes = parse(source);
  return {
    source,
    expand(data) {
      const root = {
        Labels: data.labels,
        Value: data.value,
        ExternalURL: data.externalURL ?? '',
        ExternalLabels: data.externalLabels ?? {},
      };
      const vars = {
        $: root,
        $labels: data.labels,
        $value: data.value,
        $externalURL: root.ExternalURL,
        $externalLabels: root.ExternalLabels,
      };
      const out: string[] = [];
      exec(nodes, { dot: root, vars, data }, out);
      return out.join('');
    },
  };
}
