import type { CounterSpec } from '@canopy/telemetry';

/** Why a service dropped sampled spans (the `reason` label). */
export const SPAN_DROP_REASONS = ['export_failed', 'queue_full'] as const;

/**
 * Tracing self-metrics every service exposes, traced or not (so "off" and "broken" look
 * different). Kept equal to `traceSpecs` of `@canopy/telemetry` (checked by a test), so the
 * catalog can be read without loading the tracing code.
 */
export const tracingMetrics = {
  spansExported: {
    type: 'counter',
    name: 'canopy_trace_spans_exported_total',
    help: 'Sampled spans the OTLP endpoint accepted.',
  },
  spansDropped: {
    type: 'counter',
    name: 'canopy_trace_spans_dropped_total',
    help: 'Sampled spans dropped: the OTLP export failed (refused, error status, timeout) or the export queue was full.',
    labels: { reason: { kind: 'enum', values: SPAN_DROP_REASONS } },
  },
} as const satisfies Record<string, CounterSpec>;
