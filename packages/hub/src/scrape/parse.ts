/**
 * A strict, single-pass parser of the Prometheus text format 0.0.4 and OpenMetrics 1.0.
 *
 * The body is scanned once with `charCodeAt`; no regular expression runs per line. What it
 * rejects, with the line number: bad syntax, unknown escapes, invalid names, duplicate
 * labels, labels starting with `__` (reserved), duplicate series, histograms without a
 * `+Inf` bucket, conflicting metadata, content after `# EOF`, optional label limits. What
 * it tolerates, like Prometheus: blank lines, free comments and runs of blanks in the text
 * format; families that are not contiguous; any value spelling Go's `ParseFloat` accepts.
 */

import { checkLabelLimits, type LabelLimits } from './limits.js';
import {
  isBlank,
  isNameChar,
  labelObject,
  LineScanner,
  ParseError,
  sortedOrder,
  unescapeValue,
} from './lexer.js';
import {
  duplicateMessage,
  formatOf,
  parseFloatValue,
  type Exposition,
  type MetricMetadata,
  type MetricType,
  type ParsedExemplar,
  type ParsedSample,
} from './exposition.js';
import {
  ALL_SUFFIXES,
  newFamily,
  OM_TYPES,
  suffixesOf,
  TEXT_TYPES,
  type Family,
  type HistogramPoint,
} from './family.js';

export { ParseError } from './lexer.js';
export {
  duplicateMessage,
  formatOf,
  parseFloatValue,
  type Exposition,
  type ExpositionFormat,
  type MetricMetadata,
  type MetricType,
  type ParsedExemplar,
  type ParsedSample,
} from './exposition.js';

/** Options of {@link parseText}, {@link parseOpenMetrics} and {@link parseExposition}. */
export interface ParseOptions {
  /**
   * Label limits, checked on each series' labels with `__name__` counted (as Prometheus
   * counts it). Default: none. The scraper checks limits itself after adding target labels.
   */
  readonly limits?: LabelLimits;
  /**
   * Whether to reject a series that appears twice (default true). A caller that already
   * looks every key up in its own map (the scraper) checks there instead and saves a map.
   */
  readonly duplicates?: boolean;
  /**
   * Whether to keep exemplars in `Exposition.exemplars` (default true). Off, they are only
   * validated: a scraper with no exemplar listener builds no label objects for them.
   */
  readonly exemplars?: boolean;
}

/**
 * Parses a body in the format its Content-Type names (see {@link formatOf}).
 * Throws {@link ParseError}.
 *
 * @example parseExposition('up 1\n', 'text/plain; version=0.0.4').samples[0]?.value // 1
 */
export function parseExposition(
  body: string,
  contentType: string | undefined,
  options: ParseOptions = {},
): Exposition {
  return new Parser(body, formatOf(contentType) === 'openmetrics', options).run();
}

/**
 * Parses the Prometheus text format 0.0.4. Throws {@link ParseError}.
 *
 * @example parseText('# TYPE a counter\na 3\n').metadata.get('a')?.type // 'counter'
 */
export function parseText(body: string, options: ParseOptions = {}): Exposition {
  return new Parser(body, false, options).run();
}

/**
 * Parses OpenMetrics 1.0 (`# EOF` required). Throws {@link ParseError}.
 *
 * @example parseOpenMetrics('# TYPE a counter\na_total 3\n# EOF\n').samples[0]?.name // 'a_total'
 */
export function parseOpenMetrics(body: string, options: ParseOptions = {}): Exposition {
  return new Parser(body, true, options).run();
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/** A sample whose label object is built on first use: a scrape of known series needs only the key. */
class Sample implements ParsedSample {
  private cached: Readonly<Record<string, string>> | undefined;

  constructor(
    readonly name: string,
    readonly value: number,
    readonly timestampMs: number | undefined,
    readonly key: string,
    readonly line: number,
    private readonly src: string,
    private readonly from: number,
    private readonly to: number,
    private readonly om: boolean,
  ) {}

  get labels(): Readonly<Record<string, string>> {
    if (this.cached === undefined)
      this.cached = this.from < 0 ? EMPTY : labelObject(this.src, this.from, this.to, this.om);
    return this.cached;
  }
}

class Parser extends LineScanner {
  private readonly order: number[] = [];
  private readonly samples: ParsedSample[] = [];
  private readonly exemplars: ParsedExemplar[] = [];
  private readonly families = new Map<string, Family>();
  private readonly seen = new Map<string, number>();
  private readonly duplicates: boolean;
  private readonly keepExemplars: boolean;
  private readonly histograms = new Map<string, HistogramPoint>();
  private cur: Family | undefined;
  private lastName = '';
  private lastFamily: Family | undefined;
  private lastSuffix = '';

  constructor(
    s: string,
    om: boolean,
    private readonly options: ParseOptions,
  ) {
    super(s, om);
    this.duplicates = options.duplicates !== false;
    this.keepExemplars = options.exemplars !== false;
  }

  run(): Exposition {
    const s = this.s;
    const len = s.length;
    let start = 0;
    let eof = false;
    while (start < len) {
      let end = s.indexOf('\n', start);
      if (end === -1) end = len;
      this.line++;
      this.lineStart = start;
      this.lineEnd = end;
      this.pos = start;
      if (eof) this.fail('content after # EOF');
      if (this.om) {
        if (end === start) this.fail('blank line (not allowed in OpenMetrics)');
        if (s.charCodeAt(start) === 35 /* # */) eof = this.omComment();
        else this.sample();
      } else {
        this.skipBlanks();
        if (this.pos === end) {
          // blank line: allowed in the text format
        } else if (s.charCodeAt(this.pos) === 35) this.textComment();
        else this.sample();
      }
      start = end + 1;
    }
    if (this.om && !eof) throw new ParseError(this.line, 'missing # EOF at the end of the body');
    for (const p of this.histograms.values())
      if (!p.hasInf) throw new ParseError(p.line, `histogram ${p.series} has no +Inf bucket`);
    return {
      format: this.om ? 'openmetrics' : 'text',
      samples: this.samples,
      metadata: this.meta(),
      exemplars: this.exemplars,
    };
  }

  private meta(): Map<string, MetricMetadata> {
    const out = new Map<string, MetricMetadata>();
    for (const f of this.families.values()) {
      if (!f.typed && f.help === undefined && f.unit === undefined) continue;
      out.set(f.name, { type: f.type, help: f.help ?? '', unit: f.unit ?? '' });
    }
    return out;
  }

  // ---- metadata lines ----------------------------------------------------------------

  /** `# HELP`, `# TYPE` or any other comment (ignored) in the text format. */
  private textComment(): void {
    const s = this.s;
    const end = this.lineEnd;
    this.pos++; // '#'
    this.skipBlanks();
    const kwStart = this.pos;
    while (this.pos < end && !isBlank(s.charCodeAt(this.pos))) this.pos++;
    const kw = s.slice(kwStart, this.pos);
    if (kw !== 'HELP' && kw !== 'TYPE') return; // a free comment
    if (!this.skipBlanks()) this.fail(`${kw} without a metric name`);
    const name = this.metricName();
    if (this.pos < end && !isBlank(s.charCodeAt(this.pos)))
      this.fail(`invalid character after the metric name in ${kw}`);
    this.skipBlanks();
    if (kw === 'HELP') {
      this.setHelp(name, this.help(s.slice(this.pos, end)));
    } else {
      let e = end;
      while (e > this.pos && isBlank(s.charCodeAt(e - 1))) e--;
      const type = s.slice(this.pos, e);
      if (!TEXT_TYPES.has(type)) this.fail(`unknown metric type ${JSON.stringify(type)}`);
      this.setType(name, type === 'untyped' ? 'unknown' : (type as MetricType));
    }
  }

  /** `# HELP`, `# TYPE`, `# UNIT` or `# EOF` in OpenMetrics; returns true for `# EOF`. */
  private omComment(): boolean {
    const s = this.s;
    const line = s.slice(this.lineStart, this.lineEnd);
    if (line === '# EOF') return true;
    let kw: string;
    if (line.startsWith('# HELP ')) kw = 'HELP';
    else if (line.startsWith('# TYPE ')) kw = 'TYPE';
    else if (line.startsWith('# UNIT ')) kw = 'UNIT';
    else this.fail('expected # HELP, # TYPE, # UNIT or # EOF (OpenMetrics has no free comments)');
    this.pos = this.lineStart + 7;
    const name = this.metricName();
    let arg = '';
    if (this.pos < this.lineEnd) {
      if (s.charCodeAt(this.pos) !== 32) this.fail(`expected a space after the metric name`);
      arg = s.slice(this.pos + 1, this.lineEnd);
    }
    if (kw === 'HELP') this.setHelp(name, this.help(arg));
    else if (kw === 'TYPE') {
      if (!OM_TYPES.has(arg)) this.fail(`unknown metric type ${JSON.stringify(arg)}`);
      this.setType(name, arg as MetricType);
    } else {
      const f = this.family(name, 'UNIT');
      if (f.unit !== undefined) this.fail(`second UNIT line for ${name}`);
      for (let i = 0; i < arg.length; i++)
        if (!isNameChar(arg.charCodeAt(i), true)) this.fail(`invalid unit ${JSON.stringify(arg)}`);
      if (arg !== '' && !name.endsWith('_' + arg))
        this.fail(`metric name ${name} must end in _${arg}, its unit`);
      f.unit = arg;
    }
    return false;
  }

  /** The family `name` for a metadata line, created if new. */
  private family(name: string, kw: string): Family {
    let f = this.families.get(name);
    if (f === undefined) {
      f = newFamily(name, false);
      this.families.set(name, f);
    } else if (f.hasSamples) {
      this.fail(`${kw} line for ${name} after its samples`);
    }
    this.cur = f;
    return f;
  }

  private setHelp(name: string, help: string): void {
    const f = this.family(name, 'HELP');
    if (f.help !== undefined) this.fail(`second HELP line for ${name}`);
    f.help = help;
  }

  private setType(name: string, type: MetricType): void {
    const f = this.family(name, 'TYPE');
    this.lastName = ''; // a sample name may now belong to another family
    if (f.typed) this.fail(`second TYPE line for ${name}`);
    f.typed = true;
    f.type = type;
    f.suffixes = suffixesOf(type, this.om);
  }

  // ---- samples -----------------------------------------------------------------------

  private sample(): void {
    const s = this.s;
    const end = this.lineEnd;
    const om = this.om;
    const line = this.line;
    if (s.charCodeAt(this.pos) === 123 /* { */)
      this.fail('expected a metric name (quoted UTF-8 metric names are not supported)');
    const nameStart = this.pos;
    // Consecutive samples mostly share their name: reuse the string (and its family).
    let name = this.lastName;
    if (
      name !== '' &&
      s.startsWith(name, nameStart) &&
      !isNameChar(s.charCodeAt(nameStart + name.length), true)
    )
      this.pos += name.length;
    else name = this.metricName();
    const nameEnd = this.pos;
    let blanks = om ? false : this.skipBlanks();
    let blockStart = -1;
    let blockEnd = -1;
    if (this.pos < end && s.charCodeAt(this.pos) === 123) {
      blockStart = this.pos;
      this.labels();
      blockEnd = this.pos;
      blanks = om ? false : this.skipBlanks();
    }
    // value
    if (om) {
      if (this.pos >= end) this.fail('expected a value after the series');
      if (s.charCodeAt(this.pos) !== 32) this.fail('expected a single space before the value');
      this.pos++;
    } else if (!blanks) {
      this.fail(this.pos >= end ? 'expected a value after the series' : 'expected a space');
    }
    const raw = this.token();
    const value = parseFloatValue(raw);
    if (value === undefined) this.fail(`invalid value ${JSON.stringify(raw)}`);
    // timestamp; an exemplar is validated last, as it reuses the label scratch space
    let timestampMs: number | undefined;
    let exemplarAt = -1;
    if (om) {
      if (this.pos < end) {
        if (s.charCodeAt(this.pos) !== 32) this.fail('expected a space after the value');
        this.pos++;
        if (s.charCodeAt(this.pos) !== 35) {
          const rawTs = this.token();
          const ts = parseFloatValue(rawTs);
          if (ts === undefined || !Number.isFinite(ts))
            this.fail(`invalid timestamp ${JSON.stringify(rawTs)}`);
          timestampMs = Math.round(ts * 1000);
          if (this.pos < end) {
            if (s.charCodeAt(this.pos) !== 32) this.fail('expected a space after the timestamp');
            this.pos++;
          }
        }
        if (this.pos < end) exemplarAt = this.pos;
      }
    } else {
      this.skipBlanks();
      if (this.pos < end) {
        const rawTs = this.token();
        if (!/^-?[0-9]+$/.test(rawTs) || !Number.isSafeInteger(Number(rawTs)))
          this.fail(`invalid timestamp ${JSON.stringify(rawTs)} (expected integer milliseconds)`);
        timestampMs = Number(rawTs);
        this.skipBlanks();
        if (this.pos < end) this.fail('unexpected text after the timestamp');
      }
    }

    let fam: Family;
    let suffix: string;
    if (name === this.lastName) {
      fam = this.lastFamily!;
      suffix = this.lastSuffix;
    } else {
      fam = this.resolve(name);
      fam.hasSamples = true;
      suffix = name.length === fam.name.length ? '' : name.slice(fam.name.length);
      this.lastName = name;
      this.lastFamily = fam;
      this.lastSuffix = suffix;
    }
    // OpenMetrics `_created` carries the time a counter, histogram or summary was created.
    // Prometheus does not ingest it as a series when created-timestamp handling is on (its
    // OpenMetrics parser skips `_created` lines and keeps them as the point's created
    // timestamp); we mirror that and drop it, minus the synthetic zero sample.
    if (suffix === '_created' && om) {
      if (exemplarAt >= 0) this.exemplar(exemplarAt);
      return;
    }

    // The key is `name{a="x",b="y"}`: sorted, values as escaped in the body (an escaping
    // is unique), empty values dropped. Usually the body already has that form.
    const n = blockStart < 0 ? 0 : this.names.length;
    const fast = n > 0 && this.canonical && blockStart === nameEnd;
    const key =
      n === 0 ? name : fast ? s.slice(nameStart, blockEnd) : name + this.canonicalPart(-1);
    const sample = new Sample(name, value, timestampMs, key, line, s, blockStart, end, om);
    const limits = this.options.limits;
    if (limits !== undefined) {
      const labels = sample.labels;
      let count = 1;
      for (const _ in labels) count++;
      const err = checkLabelLimits(name, labels, count, limits);
      if (err !== undefined) this.fail(err);
    }
    if (this.duplicates) {
      const first = this.seen.get(key);
      if (first !== undefined) this.fail(duplicateMessage(key, first));
      this.seen.set(key, line);
    }

    if (suffix !== '' && (fam.type === 'histogram' || fam.type === 'gaugehistogram')) {
      if (suffix === '_bucket') {
        const li = n === 0 ? -1 : this.names.indexOf('le');
        if (li < 0 || this.valueStart[li] === this.valueEnd[li])
          this.fail(`histogram bucket ${name} without an le label`);
        const le = unescapeValue(this.raw(li));
        const bound = parseFloatValue(le);
        if (bound === undefined) this.fail(`le=${JSON.stringify(le)} is not a number`);
        let rest: string;
        if (!fast) rest = this.canonicalPart(li);
        else if (n === 1) rest = '';
        else {
          const ps = this.pairStart[li]!;
          const pe = this.valueEnd[li]! + 1;
          // drop the pair and the comma after it (first pair) or before it (others)
          rest =
            li === 0
              ? s.slice(blockStart, ps) + s.slice(pe + 1, blockEnd)
              : s.slice(blockStart, ps - 1) + s.slice(pe, blockEnd);
        }
        this.histogramPoint(fam.name + rest, line).hasInf ||= bound === Infinity;
      } else {
        this.histogramPoint(fam.name + key.slice(name.length), line);
      }
    }

    this.samples.push(sample);
    if (exemplarAt >= 0) this.exemplar(exemplarAt, this.keepExemplars ? sample : undefined);
  }

  /** `{a="x",…}` from the scratch labels, sorted, without empty values or index `skip`. */
  private canonicalPart(skip: number): string {
    const { names, valueStart, valueEnd } = this;
    const order = sortedOrder(names, this.order);
    let out = '';
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!;
      if (i === skip || valueStart[i] === valueEnd[i]) continue;
      out += (out === '' ? '{' : ',') + names[i]! + '="' + this.raw(i) + '"';
    }
    return out === '' ? '' : out + '}';
  }

  /** The family a sample named `name` belongs to. */
  private resolve(name: string): Family {
    const cur = this.cur;
    if (cur !== undefined && name.startsWith(cur.name)) {
      const suffix = name.length === cur.name.length ? '' : name.slice(cur.name.length);
      if (cur.suffixes.includes(suffix)) return cur;
    }
    let f = this.families.get(name);
    if (f !== undefined) {
      if (f.suffixes.includes('')) return (this.cur = f);
      this.fail(
        `sample ${name} does not fit the ${f.type} ${name} (expected ${f.suffixes
          .map((x) => name + x)
          .join(', ')})`,
      );
    }
    for (const suffix of ALL_SUFFIXES) {
      if (!name.endsWith(suffix)) continue;
      f = this.families.get(name.slice(0, -suffix.length));
      if (f !== undefined && f.suffixes.includes(suffix)) return (this.cur = f);
    }
    // A sample without metadata is a family of its own, of unknown type.
    f = newFamily(name, true);
    this.families.set(name, f);
    return (this.cur = f);
  }

  /** The histogram point `series` (family name and labels but `le`). */
  private histogramPoint(series: string, line: number): HistogramPoint {
    let p = this.histograms.get(series);
    if (p === undefined) {
      p = { line, series, hasInf: false };
      this.histograms.set(series, p);
    }
    return p;
  }

  /**
   * OpenMetrics exemplar ` # {labels} value [timestamp]` at `at`: validated, and kept when
   * `sample` is given (exemplars on `_created` lines are only validated).
   */
  private exemplar(at: number, sample?: ParsedSample): void {
    const s = this.s;
    this.pos = at;
    if (s.charCodeAt(this.pos) !== 35 || s.charCodeAt(this.pos + 1) !== 32)
      this.fail('expected "# " before an exemplar');
    this.pos += 2;
    if (s.charCodeAt(this.pos) !== 123) this.fail('expected { after # (an exemplar)');
    this.labels();
    let runes = 0;
    for (let i = 0; i < this.names.length; i++)
      runes += this.names[i]!.length + [...unescapeValue(this.raw(i))].length;
    if (runes > 128) this.fail(`exemplar labels have ${runes} characters (at most 128)`);
    if (s.charCodeAt(this.pos) !== 32) this.fail('expected a space before the exemplar value');
    this.pos++;
    const labels: Record<string, string> = {};
    if (sample !== undefined)
      for (let i = 0; i < this.names.length; i++)
        labels[this.names[i]!] = unescapeValue(this.raw(i));
    const raw = this.token();
    const value = parseFloatValue(raw);
    if (value === undefined) this.fail(`invalid exemplar value ${JSON.stringify(raw)}`);
    let timestampMs: number | undefined;
    if (this.pos < this.lineEnd) {
      if (s.charCodeAt(this.pos) !== 32) this.fail('expected a space after the exemplar value');
      this.pos++;
      const rawTs = this.token();
      const ts = parseFloatValue(rawTs);
      if (ts === undefined || !Number.isFinite(ts))
        this.fail(`invalid exemplar timestamp ${JSON.stringify(rawTs)}`);
      if (this.pos < this.lineEnd) this.fail('unexpected text after the exemplar');
      timestampMs = Math.round(ts * 1000);
    }
    if (sample !== undefined) this.exemplars.push({ sample, labels, value, timestampMs });
  }
}
