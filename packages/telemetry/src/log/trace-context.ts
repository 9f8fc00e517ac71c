/**
 * Trace correlation for log lines: the active OpenTelemetry span's ids, as pino mixin
 * fields `trace_id` and `span_id` (the names Loki, Grafana and the hub's log view join on).
 * @module
 */
import { isSpanContextValid, trace } from '@opentelemetry/api';

/** The fields a log line gets inside a sampled or unsampled span. */
export interface TraceFields {
  trace_id?: string;
  span_id?: string;
}

/**
 * The active span's ids, or `{}` outside a span (or when no tracer is set up). A fresh
 * object each call: pino merges the line's own fields into it.
 *
 * @example pino({ mixin: traceFields });
 */
export function traceFields(): TraceFields {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const c = span.spanContext();
  if (!isSpanContextValid(c)) return {};
  return { trace_id: c.traceId, span_id: c.spanId };
}
