/**
 * The embedded hub: scraper, time-series store on SQLite, PromQL engine and the
 * Prometheus HTTP API.
 */
export * from './model.js';
export { startHub, type Hub, type HubOptions } from './hub.js';
export { apiHandler, type ApiSources, type TargetView } from './api/router.js';
export { parseSelector, parseTime, parseDurationParam, BadData } from './api/params.js';
export { TSDB, openSnapshot, TsdbUnavailable, type TsdbSnapshot } from './tsdb/index.js';
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
export {
  parseAlertingSpec,
  parseRouteMatcher,
  matchRoutes,
  AlertingConfigError,
  AlertingSchema,
  resolveWebhookUrl,
  redactWebhookUrl,
  WebhookUrl,
  WebhookUrlError,
  Dispatcher,
  Notifier,
  NotificationLog,
  groupTitle,
  type AlertingConfig,
  type ResolvedRoute,
  type RouteMatcher,
  type Receiver,
  type DeliveryOptions,
  type NotifyLogger,
  type DispatcherStats,
  type IncomingAlert,
  type Alert as NotifyAlert,
} from './notify/index.js';
export * from './remote-write/index.js';
export * from './import/index.js';
export {
  RemoteWriteSchema,
  resolveRemoteWrite,
  RemoteWriter,
  RemoteWriteConfigError,
  checkRemoteWrite,
  type RemoteWriteConfig,
  type RemoteWriteEndpoint,
} from './remote-write-out/index.js';
export * from './traces/index.js';
export * from './logs/index.js';
export * from './exemplars/index.js';
export type { TracesOptions, LogsOptions, ExemplarsOptions, SignalStats } from './signals.js';
