/**
 * A small, strict parser of the Prometheus text format 0.0.4 and OpenMetrics 1.0, for tests.
 *
 * It is deliberately stricter than Prometheus: no blank lines, no free comments, no
 * trailing commas, exactly one space between fields, metadata before samples, families
 * and metric points contiguous, histograms consistent. Any deviation throws an
 * {@link ExpositionError} naming the line. Test helper only; not exported by the package.
 */

/** A parse failure with the 1-based line number and the offending line. */
export class ExpositionError extends Error {
  constructor(
    readonly lineNo: number,
    readonly line: string,
    reason: string,
  ) {
    super(`line ${lineNo}: ${reason}: ${JSON.stringify(line)}`);
    this.name = 'ExpositionError';
  }
}

/** Label names to values, in the order they appeared. */
export type Labels = Record<string, string>;

/** An OpenMetrics exemplar. */
export interface Exemplar {
  readonly labels: Labels;
  readonly value: number;
  readonly timestamp: number | undefined;
}

/** One sample line. */
export interface Sample {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
  /** The value exactly as written. */
  readonly rawValue: string;
  readonly timestamp: number | undefined;
  readonly exemplar: Exemplar | undefined;
  /** The family this sample belongs to. */
  readonly family: string;
  readonly lineNo: number;
}

/** A metric family with its metadata and samples in order. */
export interface Family {
  readonly name: string;
  readonly type: string;
  readonly help: string | undefined;
  readonly unit: string | undefined;
  readonly samples: Sample[];
}

/** A parsed exposition. */
export interface Exposition {
  readonly format: 'text' | 'openmetrics';
  readonly families: Family[];
  /** All samples, in document order. */
  readonly samples: Sample[];
}

/** Options of the parsers. */
export interface ParseOptions {
  /**
   * Accept any float spelling Go's `strconv.ParseFloat` accepts (e.g. prom-client's `Nan`).
   * Default false: only the canonical spellings `NaN`, `+Inf`, `-Inf` and JavaScript's
   * shortest round-trip decimals are accepted.
   */
  readonly lenientValues?: boolean;
  /** Skip empty lines (the text format allows them; prom-client writes them). Default false. */
  readonly allowBlankLines?: boolean;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const LABEL_NAME_FULL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const CANONICAL_VALUE =
  /^(?:NaN|[+-]Inf|-?(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?(?:e[+-][1-9][0-9]*)?)$/;
const GO_DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const GO_SPECIAL = /^([+-]?)(?:inf|infinity|nan)$/i;
const TEXT_TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const OM_TYPES = new Set([
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'stateset',
  'info',
  'summary',
  'unknown',
]);
/** Exemplar label sets may hold at most this many code points (names and values). */
const EXEMPLAR_MAX_RUNES = 128;

/**
 * Parses a sample value. Strict mode accepts only canonical spellings; lenient mode what
 * Go's `strconv.ParseFloat` accepts for decimal input. Returns undefined if invalid.
 */
export function parseValue(s: string, lenient = false): number | undefined {
  if (!lenient) {
    if (!CANONICAL_VALUE.test(s)) return undefined;
    if (s === 'NaN') return NaN;
    if (s === '+Inf') return Infinity;
    if (s === '-Inf') return -Infinity;
    return Number(s);
  }
  const m = GO_SPECIAL.exec(s);
  if (m !== null) {
    if (/nan/i.test(s)) return NaN;
    return m[1] === '-' ? -Infinity : Infinity;
  }
  if (!GO_DECIMAL.test(s)) return undefined;
  return Number(s);
}

/** Label set as a canonical string key (sorted names), e.g. for set comparisons. */
export function labelsKey(labels: Labels, omit?: string): string {
  const names = Object.keys(labels)
    .filter((n) => n !== omit)
    .sort();
  return JSON.stringify(names.map((n) => [n, labels[n]]));
}

/** `name` plus canonical labels: identifies a series. */
export function seriesKey(name: string, labels: Labels): string {
  return name + labelsKey(labels);
}

/** Unescapes a quoted string body; `quote` says whether `\"` is an escape. */
function unescape(body: string, allowQuote: boolean): string | undefined {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = body[i + 1];
    i++;
    if (n === '\\') out += '\\';
    else if (n === 'n') out += '\n';
    else if (n === '"' && allowQuote) out += '"';
    else return undefined;
  }
  return out;
}

class Cursor {
  pos = 0;
  constructor(
    readonly s: string,
    readonly lineNo: number,
  ) {}
  fail(reason: string): never {
    throw new ExpositionError(this.lineNo, this.s, `${reason} (at column ${this.pos + 1})`);
  }
  rest(): string {
    return this.s.slice(this.pos);
  }
  eat(re: RegExp, what: string): string {
    const m = re.exec(this.rest());
    if (m === null) this.fail(`expected ${what}`);
    this.pos += m[0].length;
    return m[0];
  }
  expect(lit: string): void {
    if (!this.s.startsWith(lit, this.pos)) this.fail(`expected ${JSON.stringify(lit)}`);
    this.pos += lit.length;
  }
  peek(lit: string): boolean {
    return this.s.startsWith(lit, this.pos);
  }
  done(): boolean {
    return this.pos >= this.s.length;
  }
  /** Reads up to the next space or the end of the line. */
  token(what: string): string {
    const end = this.s.indexOf(' ', this.pos);
    const t = end === -1 ? this.s.slice(this.pos) : this.s.slice(this.pos, end);
    if (t === '') this.fail(`expected ${what}`);
    this.pos += t.length;
    return t;
  }
  /** `{name="value",...}`: no trailing comma, no spaces, no duplicate names. */
  labels(): Labels {
    const out: Labels = {};
    this.expect('{');
    if (this.peek('}')) {
      this.pos++;
      return out;
    }
    for (;;) {
      const name = this.eat(LABEL_NAME, 'a label name');
      if (Object.prototype.hasOwnProperty.call(out, name)) this.fail(`duplicate label ${name}`);
      this.expect('="');
      let j = this.pos;
      while (j < this.s.length && this.s[j] !== '"') j += this.s[j] === '\\' ? 2 : 1;
      if (j >= this.s.length) this.fail('unterminated label value');
      const v = unescape(this.s.slice(this.pos, j), true);
      if (v === undefined) this.fail('invalid escape sequence in label value');
      out[name] = v;
      this.pos = j + 1;
      if (this.peek('}')) {
        this.pos++;
        return out;
      }
      this.expect(',');
      if (this.peek('}')) this.fail('trailing comma in label set');
    }
  }
}

function runes(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

interface MutableFamily {
  name: string;
  type: string | undefined;
  help: string | undefined;
  unit: string | undefined;
  samples: Sample[];
  /** Metric points (label set without `le`/`quantile`) already closed. */
  closedPoints: Set<string>;
  currentPoint: string | undefined;
}

/** The family a sample name belongs to, given the family's type and the format. */
function sampleSuffixes(type: string, om: boolean): readonly string[] {
  switch (type) {
    case 'counter':
      return om ? ['_total', '_created'] : [''];
    case 'histogram':
      return om ? ['_bucket', '_count', '_sum', '_created'] : ['_bucket', '_count', '_sum'];
    case 'gaugehistogram':
      return ['_bucket', '_gcount', '_gsum'];
    case 'summary':
      return om ? ['', '_count', '_sum', '_created'] : ['', '_count', '_sum'];
    case 'info':
      return ['_info'];
    default:
      return [''];
  }
}

function parseSample(
  line: string,
  lineNo: number,
  om: boolean,
  lenient: boolean,
  family: string,
): Sample {
  const c: Cursor = new Cursor(line, lineNo);
  const name = c.eat(METRIC_NAME, 'a metric name');
  const labels = c.peek('{') ? c.labels() : {};
  c.expect(' ');
  const rawValue = c.token('a value');
  const value = parseValue(rawValue, lenient);
  if (value === undefined) c.fail(`invalid value ${JSON.stringify(rawValue)}`);
  let timestamp: number | undefined;
  let exemplar: Exemplar | undefined;
  if (!c.done() && !c.peek(' # ')) {
    c.expect(' ');
    const raw = c.token('a timestamp');
    timestamp = om ? parseValue(raw, lenient) : /^-?[0-9]+$/.test(raw) ? Number(raw) : undefined;
    if (timestamp === undefined || !Number.isFinite(timestamp))
      c.fail(`invalid timestamp ${JSON.stringify(raw)}`);
  }
  if (!c.done()) {
    if (!om) c.fail('exemplars are not part of the text format');
    c.expect(' # ');
    const exLabels = c.labels();
    let n = 0;
    for (const k in exLabels) n += runes(k) + runes(exLabels[k]!);
    if (n > EXEMPLAR_MAX_RUNES) c.fail(`exemplar label set has ${n} runes (max 128)`);
    c.expect(' ');
    const rawEx = c.token('an exemplar value');
    const exValue = parseValue(rawEx, lenient);
    if (exValue === undefined) c.fail(`invalid exemplar value ${JSON.stringify(rawEx)}`);
    let exTs: number | undefined;
    if (!c.done()) {
      c.expect(' ');
      const rawTs = c.token('an exemplar timestamp');
      exTs = parseValue(rawTs, lenient);
      if (exTs === undefined || !Number.isFinite(exTs))
        c.fail(`invalid exemplar timestamp ${JSON.stringify(rawTs)}`);
    }
    if (!c.done()) c.fail('trailing characters');
    exemplar = { labels: exLabels, value: exValue, timestamp: exTs };
  }
  return { name, labels, value, rawValue, timestamp, exemplar, family, lineNo };
}

function checkFamily(f: MutableFamily, om: boolean, lines: readonly string[]): void {
  const fail: (s: Sample, reason: string) => never = (s, reason) => {
    throw new ExpositionError(s.lineNo, lines[s.lineNo - 1] ?? '', reason);
  };
  const type = f.type ?? (om ? 'unknown' : 'untyped');
  const seen = new Set<string>();
  const points = new Map<string, Sample[]>();
  for (const s of f.samples) {
    const key = seriesKey(s.name, s.labels);
    if (seen.has(key)) fail(s, 'duplicate series');
    seen.add(key);
    const suffix = s.name.slice(f.name.length);
    if (s.exemplar !== undefined) {
      const ok =
        (type === 'counter' && suffix === '_total') ||
        ((type === 'histogram' || type === 'gaugehistogram') && suffix === '_bucket');
      if (!ok) fail(s, 'exemplars are only allowed on counter totals and histogram buckets');
    }
    if ((type === 'histogram' || type === 'gaugehistogram') && suffix === '_bucket') {
      const le = s.labels['le'];
      if (le === undefined) fail(s, 'histogram bucket without le');
      if (parseValue(le, true) === undefined) fail(s, `le ${JSON.stringify(le)} is not a number`);
    } else if (type !== 'summary' && Object.prototype.hasOwnProperty.call(s.labels, 'le')) {
      fail(s, '"le" on a sample that is not a histogram bucket');
    }
    if (type === 'counter' && (suffix === '_total' || (!om && suffix === ''))) {
      if (!(s.value >= 0)) fail(s, 'counter value must be a non-negative number');
    }
    const pk = labelsKey(s.labels, type === 'summary' ? 'quantile' : 'le');
    let list = points.get(pk);
    if (list === undefined) points.set(pk, (list = []));
    list.push(s);
  }
  if (type !== 'histogram' && type !== 'gaugehistogram') return;
  const count = type === 'histogram' ? '_count' : '_gcount';
  for (const list of points.values()) {
    const buckets = list.filter((s) => s.name === f.name + '_bucket');
    const first = list[0]!;
    if (buckets.length === 0) fail(first, 'histogram point without buckets');
    let prevLe = -Infinity;
    let prevCount = 0;
    for (const b of buckets) {
      const le = parseValue(b.labels['le']!, true)!;
      if (!(le > prevLe)) fail(b, 'bucket bounds must be strictly increasing');
      if (!(b.value >= prevCount)) fail(b, 'bucket counts must be cumulative (non-decreasing)');
      prevLe = le;
      prevCount = b.value;
    }
    const last = buckets[buckets.length - 1]!;
    if (last.labels['le'] !== '+Inf') fail(last, 'the last bucket must be le="+Inf"');
    const cnt = list.find((s) => s.name === f.name + count);
    if (cnt === undefined) fail(first, `histogram point without ${count}`);
    if (cnt.value !== last.value) fail(cnt, `${count} differs from the +Inf bucket`);
  }
}

function parse(input: string, om: boolean, options: ParseOptions): Exposition {
  const lenient = options.lenientValues === true;
  if (input !== '' && !input.endsWith('\n'))
    throw new ExpositionError(0, input.slice(-40), 'input must end with a newline');
  const lines = input === '' ? [] : input.slice(0, -1).split('\n');
  const families: MutableFamily[] = [];
  const byName = new Map<string, MutableFamily>();
  const samples: Sample[] = [];
  let current: MutableFamily | undefined;
  let sawEof = false;

  const metaFamily = (name: string, lineNo: number, line: string): MutableFamily => {
    if (current !== undefined && current.name === name) {
      if (current.samples.length > 0)
        throw new ExpositionError(lineNo, line, 'metadata after samples of the family');
      return current;
    }
    if (byName.has(name)) throw new ExpositionError(lineNo, line, 'family is not contiguous');
    const f: MutableFamily = {
      name,
      type: undefined,
      help: undefined,
      unit: undefined,
      samples: [],
      closedPoints: new Set(),
      currentPoint: undefined,
    };
    families.push(f);
    byName.set(name, f);
    current = f;
    return f;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    const fail: (reason: string) => never = (reason) => {
      throw new ExpositionError(lineNo, line, reason);
    };
    if (sawEof) fail('content after # EOF');
    if (line === '') {
      if (options.allowBlankLines === true && !om) continue;
      fail('blank line');
    }
    if (line.startsWith('#')) {
      if (om && line === '# EOF') {
        sawEof = true;
        continue;
      }
      const m = /^# (HELP|TYPE|UNIT) ([^ ]+)(?: (.*))?$/.exec(line);
      if (m === null) fail('comment lines other than HELP/TYPE' + (om ? '/UNIT/EOF' : ''));
      const [, kw, name, arg] = m as unknown as [string, string, string, string | undefined];
      if (!METRIC_NAME.test(name) || METRIC_NAME.exec(name)![0] !== name)
        fail(`invalid metric name ${JSON.stringify(name)}`);
      if (kw === 'UNIT' && !om) fail('UNIT is not part of the text format');
      if (arg === undefined) fail(`${kw} without argument`);
      const f = metaFamily(name, lineNo, line);
      if (kw === 'HELP') {
        if (f.help !== undefined) fail('second HELP for the family');
        const h = unescape(arg, om);
        if (h === undefined) fail('invalid escape sequence in HELP');
        f.help = h;
      } else if (kw === 'TYPE') {
        if (f.type !== undefined) fail('second TYPE for the family');
        if (!(om ? OM_TYPES : TEXT_TYPES).has(arg)) fail(`unknown type ${arg}`);
        f.type = arg;
      } else {
        if (f.unit !== undefined) fail('second UNIT for the family');
        if (arg !== '' && !name.endsWith('_' + arg)) fail('family name must end in _<unit>');
        f.unit = arg;
      }
      continue;
    }
    // A sample: it must belong to the current family, which must have a TYPE.
    const nameMatch = METRIC_NAME.exec(line);
    if (nameMatch === null) fail('expected a metric name');
    const sampleName = nameMatch[0];
    if (current === undefined || current.type === undefined)
      fail('sample without a preceding TYPE line');
    const fam = current;
    const suffixes = sampleSuffixes(fam.type!, om);
    if (!suffixes.some((s) => sampleName === fam.name + s))
      fail(`sample ${sampleName} does not belong to family ${fam.name} (${fam.type})`);
    const s = parseSample(line, lineNo, om, lenient, fam.name);
    // Samples of one metric point (label set without le/quantile) must be contiguous.
    const pk = labelsKey(s.labels, fam.type === 'summary' ? 'quantile' : 'le');
    if (pk !== fam.currentPoint) {
      if (fam.closedPoints.has(pk)) fail('samples of a metric point are not contiguous');
      if (fam.currentPoint !== undefined) fam.closedPoints.add(fam.currentPoint);
      fam.currentPoint = pk;
    }
    fam.samples.push(s);
    samples.push(s);
  }
  if (om && !sawEof) throw new ExpositionError(lines.length, '', 'missing # EOF');
  for (const f of families) checkFamily(f, om, lines);
  return {
    format: om ? 'openmetrics' : 'text',
    families: families.map((f) => ({
      name: f.name,
      type: f.type ?? (om ? 'unknown' : 'untyped'),
      help: f.help,
      unit: f.unit,
      samples: f.samples,
    })),
    samples,
  };
}

/** Parses the Prometheus text format 0.0.4, strictly. Throws {@link ExpositionError}. */
export function parseText(input: string, options: ParseOptions = {}): Exposition {
  return parse(input, false, options);
}

/** Parses OpenMetrics 1.0 text, strictly (including `# EOF`). Throws {@link ExpositionError}. */
export function parseOpenMetrics(input: string, options: ParseOptions = {}): Exposition {
  return parse(input, true, options);
}

/** Series key → value for every sample (comparisons of whole expositions). */
export function sampleMap(e: Exposition): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of e.samples) m.set(seriesKey(s.name, s.labels), s.value);
  return m;
}

/** True if `a` and `b` are the same float, with NaN equal to NaN and -0 equal to 0. */
export function sameFloat(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b);
}

export { LABEL_NAME_FULL as LABEL_NAME_RE };
