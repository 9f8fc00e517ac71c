/**
 * The series budget at the scraper: a relabel rule that keeps only metric names the catalog
 * declares (plus the telemetry library's self-metrics and the scraper's own series), so a
 * service or exporter that grows a new metric cannot spend the budget behind its back.
 */
import { allMetrics, host } from '@canopy/catalog';

/** A Prometheus relabel rule (`relabel_configs` / `metric_relabel_configs` entry). */
export interface RelabelConfig {
  readonly source_labels?: readonly string[];
  readonly separator?: string;
  readonly regex?: string;
  readonly target_label?: string;
  readonly replacement?: string;
  readonly action?:
    | 'replace'
    | 'keep'
    | 'drop'
    | 'labeldrop'
    | 'labelkeep'
    | 'labelmap'
    | 'hashmod'
    | 'lowercase'
    | 'uppercase';
}

/** Name patterns kept besides the catalog's: self-metrics and the scraper's own series. */
export const EXTRA_KEPT_NAMES: readonly string[] = ['canopy_telemetry_.+', 'up', 'scrape_.+'];

/**
 * Every series name the catalog declares: counters and gauges as named, histograms as their
 * `_bucket`, `_sum` and `_count` series, host metrics with node_exporter's names. Sorted.
 *
 * @example catalogSeriesNames().includes('relay_dial_duration_seconds_bucket') // true
 */
export function catalogSeriesNames(): string[] {
  const names = new Set<string>();
  for (const m of allMetrics()) {
    if (m.type === 'histogram')
      for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
    else names.add(m.name);
  }
  for (const m of host) names.add(m.name);
  return [...names].sort();
}

/**
 * The regex of kept names (anchored by Prometheus): the catalog's series names, then
 * {@link EXTRA_KEPT_NAMES}.
 *
 * @example new RegExp(`^(?:${catalogKeepRegex()})$`).test('node_load1') // true
 */
export function catalogKeepRegex(): string {
  return [...catalogSeriesNames(), ...EXTRA_KEPT_NAMES].join('|');
}

/**
 * The relabel rule that drops every series whose name the catalog does not declare.
 *
 * @example catalogKeepRelabel().action // 'keep'
 */
export function catalogKeepRelabel(): RelabelConfig {
  return { source_labels: ['__name__'], regex: catalogKeepRegex(), action: 'keep' };
}
