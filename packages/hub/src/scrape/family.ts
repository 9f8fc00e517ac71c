/**
 * Metric families: the types each format knows and which sample names a family of each
 * type owns (`foo_bucket` belongs to the histogram `foo`, `foo_total` to the OpenMetrics
 * counter `foo`).
 */

import type { MetricType } from './exposition.js';

/** Types the text format 0.0.4 knows. */
export const TEXT_TYPES: ReadonlySet<string> = new Set([
  'counter',
  'gauge',
  'histogram',
  'summary',
  'untyped',
]);
/** Types OpenMetrics 1.0 knows. */
export const OM_TYPES: ReadonlySet<string> = new Set([
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
  'unknown',
]);

/** Suffixes a family's sample names may carry, per type and format. */
export function suffixesOf(type: MetricType, om: boolean): readonly string[] {
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

/** Every suffix a sample name can carry beyond its family's name. */
export const ALL_SUFFIXES = [
  '_bucket',
  '_count',
  '_sum',
  '_total',
  '_created',
  '_gcount',
  '_gsum',
  '_info',
];

/** A family being parsed. */
export interface Family {
  readonly name: string;
  type: MetricType;
  typed: boolean;
  help: string | undefined;
  unit: string | undefined;
  hasSamples: boolean;
  suffixes: readonly string[];
}

/** One histogram point (family and labels but `le`), and whether it has `le="+Inf"`. */
export interface HistogramPoint {
  readonly line: number;
  readonly series: string;
  hasInf: boolean;
}

/** A family with no metadata (yet): type unknown, owning only its own name. */
export function newFamily(name: string, hasSamples: boolean): Family {
  return {
    name,
    type: 'unknown',
    typed: false,
    help: undefined,
    unit: undefined,
    hasSamples,
    suffixes: [''],
  };
}
