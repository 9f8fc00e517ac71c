/**
 * Canopy's in-service telemetry: a metric registry with finite label sets and bound
 * handles, Prometheus/OpenMetrics exposition, a `/metrics` handler and runtime metrics.
 */
export type {
  LabelSpec,
  EnumLabelSpec,
  BucketLabelSpec,
  TopKLabelSpec,
  Unit,
  CounterSpec,
  GaugeSpec,
  HistogramSpec,
  MetricSpec,
  LabelValues,
  ExemplarLabels,
} from './spec.js';
export {
  MetricDefinitionError,
  validateSpec,
  maxSeries,
  labelCardinality,
  labelCombinations,
  DEFAULT_MAX_SERIES,
} from './validate.js';
export { OTHER, DEFAULT_TOPK_PATTERN, type LabelResolver } from './labels.js';
export { Counter, type CounterHandle } from './counter.js';
export { Gauge, type GaugeHandle } from './gauge.js';
export { Histogram, type HistogramHandle } from './histogram.js';
export {
  Registry,
  type RegistryOptions,
  type RegisterOptions,
  type AnyMetric,
  type ExpositionFormat,
} from './registry.js';
export {
  negotiate,
  contentType,
  renderChunks,
  renderParts,
  CONTENT_TYPE_TEXT,
  CONTENT_TYPE_OPENMETRICS,
} from './exposition.js';
export {
  metricsHandler,
  serveMetrics,
  type MetricsHandlerOptions,
  type ServeMetricsOptions,
} from './http.js';
export { collectRuntimeMetrics, runtimeSpecs, type RuntimeMetricsOptions } from './runtime.js';
export { escapeLabelValue, formatValue } from './format.js';
export { NOOP_HANDLE } from './noop.js';
export { traceSpecs, SPAN_DROP_REASONS } from './trace/specs.js';
export { parseTraceparent, formatTraceparent, type TraceParent } from './trace/traceparent.js';
export {
  SCRUB_RULES,
  TRACE_CONTEXT_KEYS,
  createScrubber,
  createPseudonymizer,
  scrubberFromEnv,
  SCRUB_MODE_ENV,
  looksLikeIdentifier,
  type ScrubRule,
  type ScrubKeep,
  type Scrubber,
  type ScrubberOptions,
  type ScrubMode,
  type Pseudonymizer,
  type PseudonymOptions,
} from './scrub/index.js';
