/** What the catalog says about a series name an SLO refers to. */
import { allMetrics, host } from '@canopy/catalog';
import { editDistance } from './suggest.js';

/** A metric the SLO spec may use, from the catalog (services, process, actors, host). */
export interface KnownMetric {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  /** Bucket bounds of a histogram. */
  readonly buckets?: readonly number[];
  /** Closed value sets of its labels, where the catalog declares one. */
  readonly labelValues: Readonly<Record<string, readonly string[]>>;
}

/** Series every scrape adds for each target (Prometheus, vmagent and the hub alike). */
const SCRAPE_SERIES = [
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
];

let byName: Map<string, KnownMetric> | undefined;
let seriesNames: Map<string, KnownMetric> | undefined;

function load(): { byName: Map<string, KnownMetric>; seriesNames: Map<string, KnownMetric> } {
  if (byName !== undefined && seriesNames !== undefined) return { byName, seriesNames };
  byName = new Map();
  seriesNames = new Map();
  for (const m of allMetrics()) {
    const labelValues: Record<string, readonly string[]> = {};
    for (const [k, l] of Object.entries(m.labels ?? {}))
      if (l.kind === 'enum') labelValues[k] = [...l.values, 'other'];
    const known: KnownMetric =
      m.type === 'histogram'
        ? { name: m.name, type: m.type, buckets: m.buckets, labelValues }
        : { name: m.name, type: m.type, labelValues };
    byName.set(m.name, known);
    if (m.type === 'histogram')
      for (const suffix of ['_bucket', '_count', '_sum']) seriesNames.set(m.name + suffix, known);
    else seriesNames.set(m.name, known);
  }
  for (const h of host) {
    const known: KnownMetric = { name: h.name, type: h.type, labelValues: {} };
    byName.set(h.name, known);
    seriesNames.set(h.name, known);
  }
  for (const n of SCRAPE_SERIES) {
    const known: KnownMetric = { name: n, type: 'gauge', labelValues: {} };
    byName.set(n, known);
    seriesNames.set(n, known);
  }
  return { byName, seriesNames };
}

/**
 * The catalog metric of this name (a histogram by its base name).
 *
 * @example knownMetric('storage_write_duration_seconds')?.type // 'histogram'
 */
export function knownMetric(name: string): KnownMetric | undefined {
  return load().byName.get(name);
}

/**
 * The catalog metric a series name belongs to (`x_bucket` → histogram `x`).
 *
 * @example metricOfSeries('relay_dial_duration_seconds_count')?.name // 'relay_dial_duration_seconds'
 */
export function metricOfSeries(series: string): KnownMetric | undefined {
  return load().seriesNames.get(series);
}

/**
 * The known series name closest to a misspelt one, when one is close.
 *
 * @example suggestSeries('relay_ws_upgrade_total') // 'relay_ws_upgrades_total'
 */
export function suggestSeries(name: string): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(3, Math.floor(name.length / 4)) + 1;
  for (const candidate of load().seriesNames.keys()) {
    const d = editDistance(name, candidate, bestD);
    if (d < bestD) {
      bestD = d;
      best = candidate;
    }
  }
  return best;
}
