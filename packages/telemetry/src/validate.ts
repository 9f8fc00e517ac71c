import type { LabelSpec, MetricSpec } from './spec.js';

/**
 * Thrown when a metric specification breaks a rule. The message names the metric and the
 * rule, e.g. `metric "relay_bytes": counter names must end in "_total" [counter-total]`.
 */
export class MetricDefinitionError extends Error {
  /** Short id of the rule that was broken, e.g. `counter-total`. */
  readonly rule: string;
  /** The metric's name as given. */
  readonly metric: string;

  constructor(metric: string, rule: string, message: string) {
    super(`metric "${metric}": ${message} [${rule}]`);
    this.name = 'MetricDefinitionError';
    this.rule = rule;
    this.metric = metric;
  }
}

const NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const BASE_UNITS = new Set([
  'seconds',
  'bytes',
  'ratio',
  'celsius',
  'meters',
  'volts',
  'amperes',
  'joules',
  'grams',
]);
/** Name parts that betray a non-base unit, with the base unit to use instead. */
const NON_BASE: ReadonlyArray<readonly [string, string]> = [
  ['milliseconds', 'seconds'],
  ['microseconds', 'seconds'],
  ['nanoseconds', 'seconds'],
  ['millis', 'seconds'],
  ['sec', 'seconds'],
  ['secs', 'seconds'],
  ['ms', 'seconds'],
  ['us', 'seconds'],
  ['ns', 'seconds'],
  ['minutes', 'seconds'],
  ['hours', 'seconds'],
  ['days', 'seconds'],
  ['kilobytes', 'bytes'],
  ['megabytes', 'bytes'],
  ['gigabytes', 'bytes'],
  ['kb', 'bytes'],
  ['mb', 'bytes'],
  ['gb', 'bytes'],
  ['kib', 'bytes'],
  ['mib', 'bytes'],
  ['gib', 'bytes'],
  ['bits', 'bytes'],
  ['percent', 'ratio'],
  ['pct', 'ratio'],
  ['fahrenheit', 'celsius'],
  ['kelvin', 'celsius'],
];
/** Labels a service must never set: added by scrapers or reserved by the formats. */
const RESERVED_LABELS = new Set(['le', 'quantile', 'service', 'instance', 'job']);
/** Default per-metric series ceiling when a spec sets none. */
export const DEFAULT_MAX_SERIES = 1000;

/** Maximum number of distinct values a label can take, including `other`. */
export function labelCardinality(spec: LabelSpec): number {
  switch (spec.kind) {
    case 'enum':
      return spec.values.includes('other') ? spec.values.length : spec.values.length + 1;
    case 'buckets':
      return spec.bounds.length + 2; // each bound, +Inf, other
    case 'topk':
      return spec.k + 1;
  }
}

/** Number of label combinations a spec allows (1 for an unlabelled metric). */
export function labelCombinations(spec: MetricSpec): number {
  let n = 1;
  if (spec.labels !== undefined)
    for (const k in spec.labels) n *= labelCardinality(spec.labels[k]!);
  return n;
}

/**
 * Maximum Prometheus series a metric can produce, counting what a Prometheus server
 * ingests from an OpenMetrics scrape: a counter is `_total` + `_created`; a histogram is one
 * series per bucket (with `+Inf`), `_sum`, `_count` and `_created`.
 *
 * @example maxSeries({ type: 'counter', name: 'a_total', help: 'a' }) // 2
 */
export function maxSeries(spec: MetricSpec): number {
  const combos = labelCombinations(spec);
  switch (spec.type) {
    case 'counter':
      return combos * 2;
    case 'gauge':
      return combos;
    case 'histogram':
      return combos * (spec.buckets.length + 4);
  }
}

function checkBounds(metric: string, what: string, bounds: readonly number[]): void {
  if (bounds.length === 0) throw new MetricDefinitionError(metric, 'bounds', `${what} is empty`);
  for (let i = 0; i < bounds.length; i++) {
    const b = bounds[i]!;
    if (!Number.isFinite(b))
      throw new MetricDefinitionError(metric, 'bounds', `${what} must be finite, got ${b}`);
    if (i > 0 && b <= bounds[i - 1]!)
      throw new MetricDefinitionError(
        metric,
        'bounds',
        `${what} must be strictly increasing, got ${bounds[i - 1]} then ${b}`,
      );
  }
}

/**
 * Checks a spec against the naming, unit, label and budget rules. Throws
 * {@link MetricDefinitionError} on the first broken rule.
 *
 * @example validateSpec({ type: 'counter', name: 'relay_bytes', help: 'x' }) // throws [counter-total]
 */
export function validateSpec(spec: MetricSpec): void {
  const name = spec.name;
  if (typeof name !== 'string' || !NAME_RE.test(name))
    throw new MetricDefinitionError(
      String(name),
      'name',
      'names must match [a-zA-Z_][a-zA-Z0-9_]* (colons are reserved for recording rules)',
    );
  if (/[A-Z]/.test(name))
    throw new MetricDefinitionError(
      name,
      'snake-case',
      'names must be snake_case (lowercase words joined by "_"), as promtool requires',
    );
  for (const t of ['counter', 'gauge', 'histogram', 'summary'])
    if (name.split('_').includes(t))
      throw new MetricDefinitionError(
        name,
        'type-in-name',
        `names must not contain the metric type ("${t}"); the type is in the TYPE line`,
      );
  if (name.startsWith('__'))
    throw new MetricDefinitionError(name, 'name', 'names starting with "__" are reserved');
  if (typeof spec.help !== 'string' || spec.help.trim() === '')
    throw new MetricDefinitionError(name, 'help', 'help text is required');
  if (spec.type !== 'counter' && spec.type !== 'gauge' && spec.type !== 'histogram')
    throw new MetricDefinitionError(
      name,
      'type',
      `type must be counter, gauge or histogram, got ${String((spec as { type: unknown }).type)}`,
    );

  const parts = name.toLowerCase().split('_');
  for (const [bad, base] of NON_BASE) {
    if (parts.includes(bad))
      throw new MetricDefinitionError(
        name,
        'base-unit',
        `"${bad}" is not a base unit; use ${base} (e.g. ..._${base})`,
      );
  }
  if (spec.type === 'counter' && !name.endsWith('_total'))
    throw new MetricDefinitionError(name, 'counter-total', 'counter names must end in "_total"');
  if (spec.type !== 'counter' && name.endsWith('_total'))
    throw new MetricDefinitionError(
      name,
      'counter-total',
      `only counters may end in "_total" (this is a ${spec.type})`,
    );
  for (const suffix of ['_bucket', '_count', '_sum', '_created', '_info'])
    if (name.endsWith(suffix))
      throw new MetricDefinitionError(
        name,
        'suffix',
        `names must not end in "${suffix}" (reserved by the exposition formats)`,
      );
  if (spec.unit !== undefined) {
    if (!BASE_UNITS.has(spec.unit))
      throw new MetricDefinitionError(
        name,
        'base-unit',
        `unit "${String(spec.unit)}" is not a base unit (${[...BASE_UNITS].join(', ')})`,
      );
    const stem = spec.type === 'counter' ? name.slice(0, -'_total'.length) : name;
    if (!stem.endsWith('_' + spec.unit))
      throw new MetricDefinitionError(
        name,
        'unit-suffix',
        `a metric with unit "${spec.unit}" must be named ..._${spec.unit}${spec.type === 'counter' ? '_total' : ''}`,
      );
  }
  if (spec.type === 'histogram') {
    checkBounds(name, 'buckets', spec.buckets);
  }
  if (spec.labels !== undefined) {
    for (const label in spec.labels) {
      const ls = spec.labels[label]!;
      if (!LABEL_RE.test(label) || label.startsWith('__'))
        throw new MetricDefinitionError(name, 'label-name', `label name "${label}" is not valid`);
      if (/[A-Z]/.test(label))
        throw new MetricDefinitionError(
          name,
          'snake-case',
          `label name "${label}" must be snake_case`,
        );
      if (RESERVED_LABELS.has(label))
        throw new MetricDefinitionError(
          name,
          'label-reserved',
          `label "${label}" is reserved (le/quantile by the formats, service/instance/job by the scraper)`,
        );
      switch (ls.kind) {
        case 'enum': {
          if (ls.values.length === 0)
            throw new MetricDefinitionError(name, 'label-values', `label "${label}" has no values`);
          const seen = new Set<string>();
          for (const v of ls.values) {
            if (typeof v !== 'string' || v === '')
              throw new MetricDefinitionError(
                name,
                'label-values',
                `label "${label}" has an empty or non-string value`,
              );
            if (seen.has(v))
              throw new MetricDefinitionError(
                name,
                'label-values',
                `label "${label}" lists "${v}" twice`,
              );
            seen.add(v);
          }
          break;
        }
        case 'buckets':
          checkBounds(name, `label "${label}" bounds`, ls.bounds);
          break;
        case 'topk':
          if (!Number.isInteger(ls.k) || ls.k < 1)
            throw new MetricDefinitionError(
              name,
              'label-values',
              `label "${label}": k must be a whole number ≥ 1, got ${ls.k}`,
            );
          if (ls.pattern !== undefined) {
            try {
              new RegExp(ls.pattern);
            } catch (e) {
              throw new MetricDefinitionError(
                name,
                'label-values',
                `label "${label}": pattern is not a valid regular expression (${(e as Error).message})`,
              );
            }
          }
          break;
        default:
          throw new MetricDefinitionError(
            name,
            'label-kind',
            `label "${label}" must be of kind enum, buckets or topk`,
          );
      }
    }
  }
  const limit = spec.maxSeries ?? DEFAULT_MAX_SERIES;
  const max = maxSeries(spec);
  if (max > limit)
    throw new MetricDefinitionError(
      name,
      'series-budget',
      `its labels allow up to ${max} series, over its budget of ${limit}; drop a label or shrink a value set (or raise maxSeries deliberately)`,
    );
}
