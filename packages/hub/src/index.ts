/**
 * The embedded hub: scraper, time-series store on SQLite, PromQL engine and the
 * Prometheus HTTP API.
 */
export * from './model.js';
export { startHub, type Hub, type HubOptions } from './hub.js';
export { apiHandler, type ApiSources, type TargetView } from './api/router.js';
export { parseSelector, parseTime, parseDurationParam, BadData } from './api/params.js';
export { TSDB } from './tsdb/index.js';
export {
  measureBytesPerSample,
  type BytesPerSampleOptions,
  type BytesPerSampleResult,
} from './tsdb/index.js';
export {
  Scraper,
  hostTarget,
  parseScrapeConfig,
  ScrapeConfigSchema,
  parseDuration,
  parseBytes,
  type ScrapeConfig,
} from './scrape/index.js';
export { instantQuery, rangeQuery, PromQLError, type QueryData } from './promql/index.js';
export * from './rules/index.js';
