/**
 * The hub's shared data model: the contract between the scraper, the TSDB, the PromQL
 * engine and the HTTP API. Timestamps are milliseconds since the epoch (integers); values
 * are float64. Sample arrays are always Float64Array: JavaScript arrays would canonicalise
 * the NaN payload of Prometheus's staleness marker.
 */

/** A label set, `__name__` included. Keys are label names. */
export type Labels = Readonly<Record<string, string>>;

/** The four PromQL matcher types. */
export type MatchType = '=' | '!=' | '=~' | '!~';

/** One label matcher (`name="value"`, `name=~"re"`, …). Regexes are fully anchored. */
export interface Matcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
}

/** Samples of one series in a time range, sorted by time. */
export interface SeriesData {
  readonly labels: Labels;
  /** Timestamps, ms. */
  readonly t: Float64Array;
  /** Values; stale markers included (see {@link isStale}). */
  readonly v: Float64Array;
}

/** Read access to stored series. */
export interface Querier {
  /**
   * Series matching every matcher with their samples in `[mint, maxt]` (ms, inclusive).
   * Series without samples in the range are omitted.
   */
  select(matchers: readonly Matcher[], mint: number, maxt: number): SeriesData[];
  /** Label names of series matching `matchers` (all series when empty) with samples in range. */
  labelNames(matchers: readonly Matcher[], mint: number, maxt: number): string[];
  /** Values of one label over matching series with samples in range, sorted. */
  labelValues(name: string, matchers: readonly Matcher[], mint: number, maxt: number): string[];
  /** Label sets of matching series with samples in range. */
  series(matchers: readonly Matcher[], mint: number, maxt: number): Labels[];
}

/** Write access: samples are appended per series in time order; commit makes them durable. */
export interface Appender {
  /** Appends one sample. Out-of-order samples (t ≤ last t of the series) are rejected with false. */
  append(labels: Labels, t: number, v: number): boolean;
  /** Makes everything appended so far durable and visible. */
  commit(): void;
}

const buf = new ArrayBuffer(8);
const f64 = new Float64Array(buf);
const u32 = new Uint32Array(buf);
u32[0] = 2;
u32[1] = 0x7ff00000;
/** Prometheus's staleness marker: a NaN with payload 2 (bits 0x7ff0000000000002). */
export const STALE_NAN: number = f64[0]!;

/**
 * Whether a value is the staleness marker (an ordinary NaN is not).
 *
 * @example isStale(STALE_NAN) // true; isStale(NaN) // false
 */
export function isStale(v: number): boolean {
  f64[0] = v;
  return u32[0] === 2 && u32[1] === 0x7ff00000;
}

/** Canonical string of a label set (sorted by name), usable as a map key. */
export function labelsKey(l: Labels): string {
  const names = Object.keys(l).sort();
  let s = '';
  for (const n of names) s += n + '\u0000' + l[n] + '\u0001';
  return s;
}

/**
 * The sorted label names used by any of `series` (a Querier's `labelNames` over its series).
 *
 * @example labelNamesOf([{ __name__: 'up', job: 'a' }]) // ['__name__', 'job']
 */
export function labelNamesOf(series: Iterable<Labels>): string[] {
  const names = new Set<string>();
  for (const l of series) for (const k in l) names.add(k);
  return [...names].sort();
}

/**
 * The sorted values label `name` takes in `series` (a Querier's `labelValues`).
 *
 * @example labelValuesOf('job', [{ job: 'b' }, { job: 'a' }, {}]) // ['a', 'b']
 */
export function labelValuesOf(name: string, series: Iterable<Labels>): string[] {
  const values = new Set<string>();
  for (const l of series) {
    const v = l[name];
    if (v !== undefined) values.add(v);
  }
  return [...values].sort();
}
