/**
 * The view's state lives in the URL: `?range=6h` or `?from=…&to=…` (RFC 3339 or Unix
 * seconds), `&refresh=30s`, and per page `q=` (Explore), `tab=`. A link reproduces the view.
 */

/** Preset ranges of the picker, seconds. */
export const RANGES: readonly (readonly [string, number])[] = [
  ['15m', 900],
  ['30m', 1800],
  ['1h', 3600],
  ['3h', 10800],
  ['6h', 21600],
  ['12h', 43200],
  ['24h', 86400],
  ['2d', 172800],
  ['7d', 604800],
];

/** Auto-refresh choices, seconds (0 = off). */
export const REFRESHES: readonly (readonly [string, number])[] = [
  ['off', 0],
  ['10s', 10],
  ['30s', 30],
  ['1m', 60],
  ['5m', 300],
];

/** Default range and refresh. */
export const DEFAULT_RANGE = '1h';
export const DEFAULT_REFRESH = '30s';

/** A time range: a preset ending now, or a fixed one (Unix ms). */
export type TimeRange =
  | { readonly kind: 'preset'; readonly name: string; readonly seconds: number }
  | { readonly kind: 'fixed'; readonly from: number; readonly to: number };

/**
 * Parses `from`/`to` values: RFC 3339, or Unix seconds; NaN when neither.
 *
 * @example parseTimeParam('1700000000') // 1700000000000
 */
export function parseTimeParam(s: string | null): number {
  if (s === null || s === '') return NaN;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  return Date.parse(s);
}

/**
 * The range a URL asks for; an unknown or inverted one falls back to the default.
 *
 * @example rangeOf(new URLSearchParams('range=6h')) // { kind: 'preset', name: '6h', seconds: 21600 }
 */
export function rangeOf(p: URLSearchParams): TimeRange {
  const from = parseTimeParam(p.get('from'));
  const to = parseTimeParam(p.get('to'));
  if (Number.isFinite(from) && Number.isFinite(to) && from < to) return { kind: 'fixed', from, to };
  const name = p.get('range') ?? DEFAULT_RANGE;
  const preset = RANGES.find(([n]) => n === name) ?? RANGES.find(([n]) => n === DEFAULT_RANGE)!;
  return { kind: 'preset', name: preset[0], seconds: preset[1] };
}

/**
 * The refresh period a URL asks for, seconds (0 = off).
 *
 * @example refreshOf(new URLSearchParams('refresh=1m')) // 60
 */
export function refreshOf(p: URLSearchParams): number {
  const name = p.get('refresh') ?? DEFAULT_REFRESH;
  return (REFRESHES.find(([n]) => n === name) ??
    REFRESHES.find(([n]) => n === DEFAULT_REFRESH)!)[1];
}

/**
 * Start and end of a range, Unix seconds.
 *
 * @example bounds({ kind: 'preset', name: '1h', seconds: 3600 }, 7_200_000) // { start: 3600, end: 7200 }
 */
export function bounds(r: TimeRange, now: number = Date.now()): { start: number; end: number } {
  if (r.kind === 'fixed') return { start: r.from / 1000, end: r.to / 1000 };
  const end = Math.floor(now / 1000);
  return { start: end - r.seconds, end };
}

const NICE_STEPS = [15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/**
 * A query step for about `points` points over the range, rounded up to a nice value and
 * never below the scrape interval.
 *
 * @example stepFor(86400, 240, 15) // 600
 */
export function stepFor(rangeSeconds: number, points: number, scrape: number): number {
  const raw = Math.max(scrape, rangeSeconds / points);
  return NICE_STEPS.find((s) => s >= raw) ?? Math.ceil(raw / 86400) * 86400;
}

/**
 * Grafana's `$__rate_interval`: max(4 × scrape interval, step + scrape interval), so a
 * rate() always sees at least two samples whatever the step.
 *
 * @example rateInterval(600, 15) // '615s'
 */
export function rateInterval(step: number, scrape: number): string {
  return `${Math.max(4 * scrape, step + scrape)}s`;
}

/**
 * A model query with its placeholders filled in.
 *
 * @example expand('rate(x[$__rate_interval])', 60, 3600, 15) // 'rate(x[75s])'
 */
export function expand(expr: string, step: number, rangeSeconds: number, scrape: number): string {
  return expr
    .replaceAll('$__rate_interval', rateInterval(step, scrape))
    .replaceAll('$__range', `${Math.round(rangeSeconds)}s`);
}
