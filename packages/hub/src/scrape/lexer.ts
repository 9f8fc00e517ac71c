/**
 * Character-level scanning of one exposition line: names, label blocks, tokens, escapes.
 * Works on char codes over the whole body (no per-line copies); label blocks land in reused
 * scratch arrays, and the block's canonical form is noted so the parser can use the raw
 * text itself as the series key in the common case.
 */

/** A parse failure: `line` is 1-based (0 when the failure is not about one line). */
export class ParseError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
    text?: string,
  ) {
    super(
      (line > 0 ? `line ${line}: ` : '') +
        reason +
        (text === undefined ? '' : `: ${JSON.stringify(snippet(text))}`),
    );
    this.name = 'ParseError';
  }
}

function snippet(s: string): string {
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}

/** Whether char code `c` may start a name (`[a-zA-Z_]`, plus `:` for metric names). */
export function isNameStart(c: number, colon: boolean): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (colon && c === 58);
}

/** Whether char code `c` may continue a name (also digits). */
export function isNameChar(c: number, colon: boolean): boolean {
  return isNameStart(c, colon) || (c >= 48 && c <= 57);
}

/** Space or tab: the text format's field separators. */
export function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/** Resolves `\\`, `\n` and `\"` in an already validated label value or HELP text. */
export function unescapeValue(raw: string): string {
  if (raw.indexOf('\\') === -1) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== '\\') out += c;
    else {
      const n = raw[++i];
      out += n === 'n' ? '\n' : n;
    }
  }
  return out;
}

/**
 * Scans one line of `s` (`lineStart`…`lineEnd`) from `pos`; every method advances `pos` and
 * throws a {@link ParseError} naming `line` on bad input.
 */
export class LineScanner {
  pos = 0;
  line = 0;
  lineStart = 0;
  lineEnd = 0;
  /** Names of the last label block. */
  readonly names: string[] = [];
  /** Where each label pair of the last block starts in `s`. */
  readonly pairStart: number[] = [];
  /** Where each raw (still escaped) value starts and ends in `s` (the quotes excluded). */
  readonly valueStart: number[] = [];
  readonly valueEnd: number[] = [];
  /** Label names by position in the previous block, reused to spare a slice per label. */
  private readonly known: string[] = [];
  /** Whether the last block is canonical: no blanks, no trailing comma, sorted, no `=""`. */
  canonical = true;

  constructor(
    readonly s: string,
    readonly om: boolean,
  ) {}

  /** Throws a {@link ParseError} for the current line. */
  fail(reason: string): never {
    throw new ParseError(this.line, reason, this.s.slice(this.lineStart, this.lineEnd));
  }

  /** Skips spaces and tabs; returns whether any were skipped. */
  skipBlanks(): boolean {
    const p = this.pos;
    while (this.pos < this.lineEnd && isBlank(this.s.charCodeAt(this.pos))) this.pos++;
    return this.pos > p;
  }

  /** Characters up to the next blank or the end of the line (never empty). */
  token(): string {
    const s = this.s;
    const start = this.pos;
    while (this.pos < this.lineEnd && !isBlank(s.charCodeAt(this.pos))) this.pos++;
    if (this.pos === start) this.fail('expected a value');
    return s.slice(start, this.pos);
  }

  /** A metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`). */
  metricName(): string {
    const s = this.s;
    const start = this.pos;
    if (start >= this.lineEnd || !isNameStart(s.charCodeAt(start), true))
      this.fail('expected a metric name');
    this.pos++;
    while (this.pos < this.lineEnd && isNameChar(s.charCodeAt(this.pos), true)) this.pos++;
    return s.slice(start, this.pos);
  }

  /**
   * `{name="value",…}` at `pos` into the scratch arrays. Validates names, escapes and
   * duplicates; the text format allows blanks around tokens and a trailing comma.
   */
  labels(): void {
    const s = this.s;
    const end = this.lineEnd;
    const text = !this.om;
    const { names, pairStart, valueStart, valueEnd, known } = this;
    names.length = 0;
    pairStart.length = 0;
    valueStart.length = 0;
    valueEnd.length = 0;
    let canonical = true;
    this.pos++; // '{'
    if (text && this.skipBlanks()) canonical = false;
    if (this.pos < end && s.charCodeAt(this.pos) === 125 /* } */) {
      this.pos++;
      this.canonical = canonical;
      return;
    }
    for (;;) {
      const start = this.pos;
      if (start >= end || !isNameStart(s.charCodeAt(start), false))
        this.fail('expected a label name');
      const n = names.length;
      let name = known[n];
      if (
        name !== undefined &&
        s.startsWith(name, start) &&
        !isNameChar(s.charCodeAt(start + name.length), false)
      ) {
        this.pos += name.length;
      } else {
        this.pos++;
        while (this.pos < end && isNameChar(s.charCodeAt(this.pos), false)) this.pos++;
        name = s.slice(start, this.pos);
        if (name.charCodeAt(0) === 95 && name.charCodeAt(1) === 95)
          this.fail(`label name ${name} is reserved (names starting with __ are internal)`);
        known[n] = name;
      }
      for (let i = 0; i < n; i++) if (names[i] === name) this.fail(`duplicate label ${name}`);
      if (n > 0 && names[n - 1]! > name) canonical = false;
      if (text && this.skipBlanks()) canonical = false;
      if (s.charCodeAt(this.pos) !== 61 /* = */) this.fail(`expected = after label ${name}`);
      this.pos++;
      if (text && this.skipBlanks()) canonical = false;
      if (s.charCodeAt(this.pos) !== 34 /* " */) this.fail(`expected " after ${name}=`);
      const vStart = ++this.pos;
      let c = 0;
      while (this.pos < end && (c = s.charCodeAt(this.pos)) !== 34) {
        if (c === 92 /* \ */) {
          const e = s.charCodeAt(this.pos + 1);
          if (e !== 92 && e !== 34 && e !== 110 /* n */)
            this.fail(
              `invalid escape sequence \\${this.pos + 1 < end ? s[this.pos + 1] : ''} in the value of label ${name}`,
            );
          this.pos++;
        }
        this.pos++;
      }
      if (this.pos >= end) this.fail(`unterminated value of label ${name}`);
      if (this.pos === vStart) canonical = false;
      names.push(name);
      pairStart.push(start);
      valueStart.push(vStart);
      valueEnd.push(this.pos++);
      if (text && this.skipBlanks()) canonical = false;
      c = s.charCodeAt(this.pos);
      if (c === 125) {
        this.pos++;
        this.canonical = canonical;
        return;
      }
      if (c !== 44 /* , */) this.fail(`expected , or } after the value of label ${name}`);
      this.pos++;
      if (text) {
        if (this.skipBlanks()) canonical = false;
        // The text format allows a trailing comma; OpenMetrics does not.
        if (s.charCodeAt(this.pos) === 125) {
          this.pos++;
          this.canonical = false;
          return;
        }
      }
    }
  }

  /** The raw (still escaped) value of label `i` of the last block. */
  raw(i: number): string {
    return this.s.slice(this.valueStart[i]!, this.valueEnd[i]!);
  }

  /** Validates escapes of a HELP text and resolves them (`\"` is accepted in both formats). */
  help(raw: string): string {
    for (let i = raw.indexOf('\\'); i !== -1; i = raw.indexOf('\\', i + 2)) {
      const n = raw[i + 1];
      if (n !== '\\' && n !== 'n' && n !== '"')
        this.fail(`invalid escape sequence \\${n ?? ''} in HELP`);
    }
    return unescapeValue(raw);
  }
}

/**
 * The label object of a label block `{…}` at `from` in `s` (already validated by a
 * {@link LineScanner}): names in sorted order, values unescaped, empty values dropped.
 */
export function labelObject(
  s: string,
  from: number,
  to: number,
  om: boolean,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (from < 0) return out;
  const sc = new LineScanner(s, om);
  sc.pos = from;
  sc.lineEnd = to;
  sc.labels();
  const { names } = sc;
  const order = sortedOrder(names);
  for (const i of order) {
    const raw = sc.raw(i);
    if (raw !== '') out[names[i]!] = unescapeValue(raw);
  }
  return out;
}

/**
 * Indices of `names` in sorted order, into `order` (reused): an insertion sort, which
 * beats `Array.prototype.sort` for the handful of labels a series has and allocates nothing.
 */
export function sortedOrder(names: readonly string[], order: number[] = []): number[] {
  const n = names.length;
  order.length = n;
  for (let i = 0; i < n; i++) {
    const name = names[i]!;
    let j = i;
    while (j > 0 && names[order[j - 1]!]! > name) {
      order[j] = order[j - 1]!;
      j--;
    }
    order[j] = i;
  }
  return order;
}
