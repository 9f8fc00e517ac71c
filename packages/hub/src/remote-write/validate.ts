/**
 * What the hub accepts from a push or an import, and the reason it gives for what it
 * refuses: Prometheus's naming rules, samples within retention and not from the far future,
 * and Prometheus 2.x's ordering rules without out-of-order ingestion (a sample not later
 * than the series' newest is out of order, unless it repeats it exactly, which is ignored).
 */
import type { Labels } from '../model.js';
import { isStale } from '../model.js';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Default tolerance for timestamps ahead of the hub's clock: 10 minutes. */
export const DEFAULT_MAX_FUTURE_MS = 10 * 60_000;

/**
 * The series as PromQL would write it, for messages: `up{job="relay"}`.
 *
 * @example seriesText({ __name__: 'up', job: 'relay' }) // 'up{job="relay"}'
 */
export function seriesText(labels: Labels): string {
  const parts: string[] = [];
  for (const n of Object.keys(labels).sort()) {
    if (n !== '__name__') parts.push(`${n}=${JSON.stringify(labels[n])}`);
  }
  return `${labels.__name__ ?? ''}{${parts.join(', ')}}`;
}

/**
 * Why a label set may not be stored, or undefined when it may: a metric name is required
 * and must match `[a-zA-Z_:][a-zA-Z0-9_:]*`; label names must match `[a-zA-Z_][a-zA-Z0-9_]*`
 * and not start with `__` (reserved for Prometheus's internal labels).
 *
 * @example labelProblem({ job: 'x' }) // 'no metric name (__name__ label)'
 */
export function labelProblem(labels: Labels): string | undefined {
  const name = labels.__name__;
  if (name === undefined || name === '') return 'no metric name (__name__ label)';
  if (!METRIC_NAME.test(name))
    return `invalid metric name ${JSON.stringify(name)}: must match [a-zA-Z_:][a-zA-Z0-9_:]*`;
  for (const n in labels) {
    if (n === '__name__') continue;
    if (!LABEL_NAME.test(n))
      return `invalid label name ${JSON.stringify(n)}: must match [a-zA-Z_][a-zA-Z0-9_]*`;
    if (n.startsWith('__'))
      return `label name ${JSON.stringify(n)} is reserved: names starting with __ are internal`;
  }
  return undefined;
}

/** Bounds on sample timestamps, ms. */
export interface TimeBounds {
  /** Oldest acceptable timestamp (the retention's start); -Infinity for none. */
  readonly oldest: number;
  /** Newest acceptable timestamp (the clock plus a tolerance). */
  readonly newest: number;
}

/**
 * Why a timestamp may not be stored, or undefined when it may.
 *
 * @example timeProblem(NaN, { oldest: 0, newest: 1 }) // 'timestamp NaN is not an integer number of milliseconds'
 */
export function timeProblem(t: number, b: TimeBounds): string | undefined {
  if (!Number.isSafeInteger(t)) return `timestamp ${t} is not an integer number of milliseconds`;
  if (t > b.newest)
    return `timestamp ${iso(t)} is too far in the future (the hub accepts up to ${iso(b.newest)})`;
  if (t < b.oldest)
    return `timestamp ${iso(t)} is before the retention period (oldest kept: ${iso(b.oldest)})`;
  return undefined;
}

/** A timestamp as ISO 8601 with its ms value, for messages. */
export function iso(t: number): string {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : `${d.toISOString()} (${t})`;
}

/**
 * Whether two values are the same sample value for duplicate detection: equal numbers, or
 * both NaN of the same kind (a staleness marker only equals a staleness marker).
 */
export function sameValue(a: number, b: number): boolean {
  if (a === b) return true;
  return Number.isNaN(a) && Number.isNaN(b) && isStale(a) === isStale(b);
}
