/** The embedded time-series store: compressed chunks in SQLite, a durable head. */
export { TSDB, DEFAULT_RETENTION_MS, DEFAULT_COMPACT_BUDGET_MS } from './tsdb.js';
export type { TSDBOptions, MetricMetadata, TSDBStats } from './tsdb.js';
export type { BackfillSeries } from './backfill.js';
export { BLOCK_WINDOW_MS, HEAD_WINDOW_MS, HEAD_MAX_SAMPLES } from './head.js';
export { measureBytesPerSample } from './bytes-per-sample.js';
export type { BytesPerSampleOptions, BytesPerSampleResult } from './bytes-per-sample.js';
export { generateCatalogLikeData } from './datagen.js';
export type { DataOptions, GeneratedSeries } from './datagen.js';
export { openSnapshot, TsdbUnavailable } from './snapshot.js';
export type { TsdbSnapshot, SnapshotOptions } from './snapshot.js';
