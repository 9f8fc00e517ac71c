/**
 * A structural checker of Alloy configuration text, for the generated files (Alloy itself is
 * not packaged for Debian, so `alloy fmt` cannot run in CI): strings and comments closed,
 * blocks, lists and objects balanced, every statement an attribute `name = expr` or a block
 * `name.part "label" { … }`, no component defined twice, and every reference to a component
 * (`loki.process.canopy.receiver`) naming one that is defined.
 */

/** A problem found, with its 1-based line. */
export interface AlloyProblem {
  readonly line: number;
  readonly message: string;
}

type Tok =
  | { t: 'ident'; v: string; line: number }
  | { t: 'string'; v: string; line: number }
  | { t: 'number'; v: string; line: number }
  | { t: 'punct'; v: string; line: number }
  | { t: 'eof'; v: ''; line: number };

function tokenize(src: string, problems: AlloyProblem[]): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let line = 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (src.startsWith('//', i)) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) {
        problems.push({ line, message: 'block comment /* is never closed' });
        break;
      }
      for (let k = i; k < end; k++) if (src[k] === '\n') line++;
      i = end + 2;
    } else if (c === '"') {
      const start = line;
      let j = i + 1;
      let v = '';
      for (;;) {
        if (j >= src.length || src[j] === '\n') {
          problems.push({ line: start, message: 'string is not closed on its line' });
          break;
        }
        if (src[j] === '\\') {
          const e = src[j + 1] ?? '';
          if (!'"\\nrt/bfu'.includes(e) || e === '')
            problems.push({ line, message: `unknown escape \\${e} in a string` });
          v += src.slice(j, j + 2);
          j += 2;
          continue;
        }
        if (src[j] === '"') break;
        v += src[j];
        j++;
      }
      out.push({ t: 'string', v, line: start });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j]!)) j++;
      out.push({ t: 'ident', v: src.slice(i, j), line });
      i = j;
    } else if (/[0-9]/.test(c)) {
      let j = i;
      while (j < src.length && /[0-9.eE_]/.test(src[j]!)) j++;
      out.push({ t: 'number', v: src.slice(i, j), line });
      i = j;
    } else {
      const two = src.slice(i, i + 2);
      if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) {
        out.push({ t: 'punct', v: two, line });
        i += 2;
      } else if ('{}[](),.=+-*/%<>!^:'.includes(c)) {
        out.push({ t: 'punct', v: c, line });
        i++;
      } else {
        problems.push({ line, message: `unexpected character ${JSON.stringify(c)}` });
        i++;
      }
    }
  }
  out.push({ t: 'eof', v: '', line });
  return out;
}

const BINARY = new Set([
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '+',
  '-',
  '*',
  '/',
  '%',
  '<',
  '>',
  '^',
]);
/** Namespaces whose dotted names are component references when used in expressions. */
const COMPONENT_NS = new Set([
  'prometheus',
  'loki',
  'otelcol',
  'local',
  'remote',
  'discovery',
  'pyroscope',
]);

class Parser {
  i = 0;
  readonly defined = new Map<string, number>();
  readonly refs: { name: string; line: number }[] = [];
  constructor(
    readonly toks: Tok[],
    readonly problems: AlloyProblem[],
  ) {}
  cur(): Tok {
    return this.toks[this.i]!;
  }
  fail(message: string): never {
    throw Object.assign(new Error(message), { line: this.cur().line });
  }
  eat(v: string): void {
    if (this.cur().v !== v || (this.cur().t !== 'punct' && this.cur().t !== 'ident'))
      this.fail(
        `expected "${v}", found ${this.cur().t === 'eof' ? 'end of file' : `"${this.cur().v}"`}`,
      );
    this.i++;
  }
  /** body := (attr | block)* until `}` (nested) or end of file (top level). */
  body(top: boolean, path: string): void {
    for (;;) {
      const k = this.cur();
      if (k.t === 'eof') {
        if (!top) this.fail('block is not closed: a "}" is missing');
        return;
      }
      if (k.t === 'punct' && k.v === '}') {
        if (top) this.fail('"}" without a block to close');
        return;
      }
      if (k.t !== 'ident') this.fail(`expected an attribute or block name, found "${k.v}"`);
      let name = k.v;
      this.i++;
      while (this.cur().t === 'punct' && this.cur().v === '.') {
        this.i++;
        if (this.cur().t !== 'ident') this.fail(`expected a name after "${name}."`);
        name += '.' + this.cur().v;
        this.i++;
      }
      if (this.cur().t === 'punct' && this.cur().v === '=') {
        if (name.includes('.')) this.fail(`attribute name "${name}" may not contain "."`);
        this.i++;
        this.expr();
        continue;
      }
      let label: string | undefined;
      if (this.cur().t === 'string') {
        label = this.cur().v;
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(label))
          this.problems.push({
            line: this.cur().line,
            message: `block label "${label}" is not an identifier`,
          });
        this.i++;
      }
      const line = this.cur().line;
      this.eat('{');
      if (top && name.includes('.')) {
        const id = label !== undefined ? `${name}.${label}` : name;
        const before = this.defined.get(id);
        if (before !== undefined)
          this.problems.push({
            line,
            message: `component ${id} is defined twice (line ${before})`,
          });
        this.defined.set(id, line);
      }
      this.body(false, `${path}${name}/`);
      this.eat('}');
    }
  }
  expr(): void {
    this.unary();
    while (this.cur().t === 'punct' && BINARY.has(this.cur().v)) {
      this.i++;
      this.unary();
    }
  }
  unary(): void {
    if (this.cur().t === 'punct' && (this.cur().v === '!' || this.cur().v === '-')) this.i++;
    this.primary();
  }
  list(close: string, item: () => void): void {
    for (;;) {
      if (this.cur().t === 'punct' && this.cur().v === close) {
        this.i++;
        return;
      }
      item();
      if (this.cur().t === 'punct' && this.cur().v === ',') this.i++;
      else if (!(this.cur().t === 'punct' && this.cur().v === close))
        this.fail(`expected "," or "${close}", found "${this.cur().v}"`);
    }
  }
  primary(): void {
    const k = this.cur();
    if (k.t === 'string' || k.t === 'number') {
      this.i++;
    } else if (k.t === 'ident') {
      let name = k.v;
      const line = k.line;
      this.i++;
      for (;;) {
        if (this.cur().t === 'punct' && this.cur().v === '.') {
          this.i++;
          if (this.cur().t !== 'ident') this.fail(`expected a name after "${name}."`);
          name += '.' + this.cur().v;
          this.i++;
        } else if (this.cur().t === 'punct' && this.cur().v === '[') {
          this.i++;
          this.expr();
          this.eat(']');
        } else if (this.cur().t === 'punct' && this.cur().v === '(') {
          this.i++;
          this.list(')', () => this.expr());
          name = '';
        } else break;
      }
      if (name !== '' && COMPONENT_NS.has(name.split('.')[0]!)) this.refs.push({ name, line });
    } else if (k.t === 'punct' && k.v === '[') {
      this.i++;
      this.list(']', () => this.expr());
    } else if (k.t === 'punct' && k.v === '{') {
      this.i++;
      this.list('}', () => {
        if (this.cur().t !== 'ident' && this.cur().t !== 'string')
          this.fail(`expected an object key, found "${this.cur().v}"`);
        this.i++;
        this.eat('=');
        this.expr();
      });
    } else if (k.t === 'punct' && k.v === '(') {
      this.i++;
      this.expr();
      this.eat(')');
    } else this.fail(`expected a value, found ${k.t === 'eof' ? 'end of file' : `"${k.v}"`}`);
  }
}

/**
 * Checks Alloy configuration text; an empty list means it passed.
 *
 * @example checkAlloy('logging {\n\tlevel = "info"\n}\n') // []
 * @example checkAlloy('loki.write "a" {\n') // [{ line: 2, message: 'block is not closed: a "}" is missing' }]
 */
export function checkAlloy(src: string): AlloyProblem[] {
  const problems: AlloyProblem[] = [];
  const p = new Parser(tokenize(src, problems), problems);
  try {
    p.body(true, '');
  } catch (e) {
    problems.push({ line: (e as { line?: number }).line ?? 0, message: (e as Error).message });
    return problems;
  }
  for (const r of p.refs) {
    const parts = r.name.split('.');
    // A reference is a component id (2+ name parts and the label) followed by an export.
    let found = false;
    for (let n = parts.length - 1; n >= 2 && !found; n--)
      found = p.defined.has(parts.slice(0, n).join('.'));
    if (!found)
      problems.push({
        line: r.line,
        message: `${r.name} refers to no component defined in this file`,
      });
  }
  return problems;
}
