/** Scraping: exposition parser, `scrape:` config, the scraper and the built-in host collector. */
export {
  parseExposition,
  parseText,
  parseOpenMetrics,
  parseFloatValue,
  duplicateMessage,
  formatOf,
  ParseError,
  type Exposition,
  type ExpositionFormat,
  type MetricMetadata,
  type MetricType,
  type ParsedExemplar,
  type ParsedSample,
  type ParseOptions,
} from './parse.js';
export { checkLabelLimits, type LabelLimits } from './limits.js';
export {
  ScrapeConfigSchema,
  ScrapeConfigError,
  parseScrapeConfig,
  type ScrapeConfig,
  type ScrapeTarget,
} from './config.js';
export { parseDuration, formatDuration, parseBytes, formatBytes } from './units.js';
export {
  fetchBody,
  ScrapeError,
  SCRAPE_ACCEPT,
  type FetchOptions,
  type FetchedBody,
} from './fetch-body.js';
export { TargetSeries, type AppendResult, type SeriesRef } from './target-series.js';
export type { ScrapeSource, TargetHealth, TargetStatus } from './target-loop.js';
export { Scraper, type ScraperOptions, type SourceTarget } from './scraper.js';
export {
  collectHost,
  hostSource,
  hostTarget,
  parseMounts,
  type HostCollectorOptions,
  type MountInfo,
} from './host.js';
