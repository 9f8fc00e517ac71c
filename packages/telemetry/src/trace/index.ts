/**
 * Tracing for Canopy services (`@canopy/telemetry/tracing`): OpenTelemetry setup with
 * OTLP/HTTP export, W3C `traceparent` helpers and exemplar labels from spans. Needs the
 * optional `@opentelemetry/*` peer dependencies; the core `@canopy/telemetry` does not.
 */
export {
  setupTracing,
  TracingConfigError,
  type Tracing,
  type TracingOptions,
  type TracingStats,
} from './setup.js';
export {
  contextFromTraceparent,
  spanContextFromTraceparent,
  traceparentOf,
  exemplarOf,
} from './context.js';
export { parseTraceparent, formatTraceparent, type TraceParent } from './traceparent.js';
export { traceSpecs, SPAN_DROP_REASONS } from './specs.js';
export { CountingExporter, QueueGuard, type ExportOutcome } from './counting.js';
export { ScrubSpanProcessor, scrubSpan, scrubAttributes } from './scrub-processor.js';
