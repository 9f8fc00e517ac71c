/** The SLO spec: validation, JSON Schema, loading from canopy.yaml. */
export { parseSlos, SloSpecError, SLO_KEYS, TIER_KEYS } from './validate.js';
export { sloJsonSchema } from './schema.js';
export { loadSloSpec, DEFAULT_SCRAPE_INTERVAL, type SloSource } from './load.js';
export { parseDuration, formatDuration, formatSeconds } from './duration.js';
export {
  parseSelector,
  formatSelector,
  matchesSelector,
  metricNames,
  formatNumber,
  type Selector,
  type Matcher,
} from './promql.js';
export { knownMetric, metricOfSeries, suggestSeries, type KnownMetric } from './metrics.js';
