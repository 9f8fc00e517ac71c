import type { CounterSpec } from '../spec.js';

/** Why spans were dropped instead of exported. */
export const SPAN_DROP_REASONS = ['export_failed', 'queue_full'] as const;

/**
 * The tracing self-metrics every service exposes (whether tracing is on or not, so a
 * dashboard can tell "off" from "broken"). The catalog's `tracing` group equals these.
 */
export const traceSpecs = {
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
