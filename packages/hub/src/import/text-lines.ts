/**
 * Sample lines of the Prometheus text format and OpenMetrics with timestamps, one line at
 * a time, so a bad line is reported and skipped instead of failing the file. Labels,
 * escapes and names are checked by the scraper's {@link LineScanner}. OpenMetrics
 * timestamps are seconds (`1700000000.123`), the text format's milliseconds; exemplars
 * (` # {…} v t` after an OpenMetrics sample) are ignored.
 */
import { LineScanner, ParseError, unescapeValue } from '../scrape/lexer.js';
import { parseFloatValue } from '../scrape/exposition.js';
import { OM_TYPES } from '../scrape/family.js';
import type { MetricMetadata } from '../tsdb/index.js';

/** One sample line. */
export interface ImportSample {
  readonly labels: Record<string, string>;
  readonly t: number;
  readonly v: number;
  /** 1-based line number in the file. */
  readonly line: number;
}

/** Receives what a parser finds. */
export interface ImportSink {
  sample(s: ImportSample): void;
  rejected(line: number, reason: string): void;
  metadata(metric: string, m: MetricMetadata): void;
}

/**
 * Parses text lines (a whole body or a piece ending at a line end). `firstLine` numbers
 * the first line of `text`; `openMetrics` selects seconds timestamps and `# EOF`.
 *
 * @example parseTextLines('up{job="a"} 1 1700000000000\n', false, 1, sink)
 */
export function parseTextLines(
  text: string,
  openMetrics: boolean,
  firstLine: number,
  sink: ImportSink,
): void {
  const sc = new LineScanner(text, openMetrics);
  const meta = new Map<string, { type: string; help: string; unit: string }>();
  let pos = 0;
  let line = firstLine - 1;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    line++;
    let lineEnd = end;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    sc.line = line;
    sc.lineStart = pos;
    sc.lineEnd = lineEnd;
    sc.pos = pos;
    try {
      parseLine(sc, openMetrics, sink, meta);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      sink.rejected(line, e.reason);
    }
    pos = end + 1;
  }
  for (const [name, m] of meta) sink.metadata(name, m);
}

/** The OpenMetrics types, and the 0.0.4 text format's `untyped`. */
const TYPES: ReadonlySet<string> = new Set([...OM_TYPES, 'untyped']);

function parseLine(
  sc: LineScanner,
  om: boolean,
  sink: ImportSink,
  meta: Map<string, { type: string; help: string; unit: string }>,
): void {
  const s = sc.s;
  sc.skipBlanks();
  if (sc.pos >= sc.lineEnd) return;
  if (s.charCodeAt(sc.pos) === 35 /* # */) {
    comment(sc, meta);
    return;
  }
  const name = sc.metricName();
  const labels: Record<string, string> = { __name__: name };
  if (sc.pos < sc.lineEnd && s.charCodeAt(sc.pos) === 123 /* { */) {
    sc.labels();
    for (let i = 0; i < sc.names.length; i++) {
      const raw = sc.raw(i);
      if (raw !== '') labels[sc.names[i]!] = unescapeValue(raw);
    }
  }
  if (!sc.skipBlanks()) sc.fail('expected a blank before the value');
  const value = parseFloatValue(sc.token());
  if (value === undefined) sc.fail('invalid value');
  sc.skipBlanks();
  if (sc.pos >= sc.lineEnd || s.charCodeAt(sc.pos) === 35)
    sc.fail('no timestamp: an import needs a timestamp on every sample');
  const raw = sc.token();
  const ts = Number(raw);
  if (!Number.isFinite(ts) || raw === '') sc.fail(`invalid timestamp ${JSON.stringify(raw)}`);
  const t = om ? Math.round(ts * 1000) : ts;
  if (!Number.isSafeInteger(t))
    sc.fail(
      om
        ? 'invalid timestamp: OpenMetrics timestamps are seconds'
        : 'invalid timestamp: text format timestamps are integer milliseconds',
    );
  sc.skipBlanks();
  if (sc.pos < sc.lineEnd && !(om && s.charCodeAt(sc.pos) === 35))
    sc.fail('unexpected text after the timestamp');
  sink.sample({ labels, t, v: value, line: sc.line });
}

function comment(
  sc: LineScanner,
  meta: Map<string, { type: string; help: string; unit: string }>,
): void {
  const s = sc.s;
  sc.pos++;
  sc.skipBlanks();
  const start = sc.pos;
  while (sc.pos < sc.lineEnd && s.charCodeAt(sc.pos) !== 32 && s.charCodeAt(sc.pos) !== 9) sc.pos++;
  const kw = s.slice(start, sc.pos);
  if (kw !== 'TYPE' && kw !== 'HELP' && kw !== 'UNIT') return; // free comment, # EOF
  sc.skipBlanks();
  if (sc.pos >= sc.lineEnd) return;
  const name = sc.metricName();
  sc.skipBlanks();
  const rest = s.slice(sc.pos, sc.lineEnd);
  const m = meta.get(name) ?? { type: 'unknown', help: '', unit: '' };
  if (kw === 'TYPE') {
    const type = rest.trim().toLowerCase();
    if (!TYPES.has(type)) sc.fail(`unknown metric type ${JSON.stringify(rest.trim())}`);
    m.type = type === 'untyped' ? 'unknown' : type;
  } else if (kw === 'HELP') m.help = sc.help(rest);
  else m.unit = rest.trim();
  meta.set(name, m);
}
