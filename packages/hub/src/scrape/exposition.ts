/**
 * What a parsed exposition is made of: samples, families' metadata, the two formats, and
 * the value syntax they share.
 */

/** The two exposition formats. */
export type ExpositionFormat = 'text' | 'openmetrics';

/** Metric types; the text format's `untyped` is reported as `unknown`, as Prometheus does. */
export type MetricType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'gaugehistogram'
  | 'summary'
  | 'info'
  | 'stateset'
  | 'unknown';

/** What a family's `# TYPE`, `# HELP` and `# UNIT` lines say ('' where absent). */
export interface MetricMetadata {
  readonly type: MetricType;
  readonly help: string;
  readonly unit: string;
}

/** One sample line. */
export interface ParsedSample {
  /** The metric name (`__name__`). */
  readonly name: string;
  /**
   * The labels as exposed, without `__name__`, in sorted order; labels with empty values are
   * dropped. Built on first access.
   */
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** The sample's own timestamp (ms), if it had one. */
  readonly timestampMs?: number | undefined;
  /**
   * Canonical identity of the series: `name{a="x",b="y"}` with labels sorted, values as
   * escaped in the body and empty values dropped. Equal keys, equal series.
   */
  readonly key: string;
  /** 1-based line number. */
  readonly line: number;
}

/** An OpenMetrics exemplar (` # {trace_id="…"} 0.12 1700000000.123`) of a sample. */
export interface ParsedExemplar {
  /** The sample (series) the exemplar was written on. */
  readonly sample: ParsedSample;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** The exemplar's own timestamp (ms), if it had one. */
  readonly timestampMs?: number | undefined;
}

/** A parsed body. */
export interface Exposition {
  readonly format: ExpositionFormat;
  /** Samples in document order (OpenMetrics `_created` samples are not included). */
  readonly samples: ParsedSample[];
  /** Metadata of every family with a TYPE, HELP or UNIT line, by family name. */
  readonly metadata: Map<string, MetricMetadata>;
  /**
   * Exemplars in document order (OpenMetrics only; empty for the text format, or with the
   * parse option `exemplars: false`).
   */
  readonly exemplars: ParsedExemplar[];
}

/**
 * The format a Content-Type names: OpenMetrics for `application/openmetrics-text` (any
 * version), otherwise the text format, which is what Prometheus 2 falls back to.
 *
 * @example formatOf('application/openmetrics-text; version=1.0.0; charset=utf-8') // 'openmetrics'
 */
export function formatOf(contentType: string | undefined): ExpositionFormat {
  if (contentType === undefined) return 'text';
  const semi = contentType.indexOf(';');
  const media = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return media === 'application/openmetrics-text' ? 'openmetrics' : 'text';
}

/**
 * Parses a sample value as Go's `strconv.ParseFloat` does for decimal input (what
 * Prometheus uses): `1`, `-2.5e3`, `.5`, `NaN`, `+Inf`, `-inf`, `Infinity`. Returns
 * undefined when the text is not a number.
 *
 * @example parseFloatValue('+Inf') // Infinity
 */
export function parseFloatValue(s: string): number | undefined {
  const n = s.length;
  if (n === 0) return undefined;
  let plain = true;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    // digits . + - e E
    if (!((c >= 48 && c <= 57) || c === 46 || c === 43 || c === 45 || c === 101 || c === 69)) {
      plain = false;
      break;
    }
  }
  if (plain) {
    const v = Number(s);
    return v === v ? v : undefined;
  }
  switch (s.toLowerCase()) {
    case 'nan':
      return NaN;
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
    default:
      return undefined;
  }
}

/**
 * The error for a series seen twice in one body, `key` being {@link ParsedSample.key}.
 *
 * @example duplicateMessage('a{b="c"}', 3) // 'duplicate series a{b="c"} (first on line 3)'
 */
export function duplicateMessage(key: string, firstLine: number): string {
  return `duplicate series ${key} (first on line ${firstLine})`;
}
