import { ROOT_CONTEXT, trace, type Context, type Span, type SpanContext } from '@opentelemetry/api';
import { formatTraceparent, parseTraceparent } from './traceparent.js';

/** Bit 0 of the trace flags: the trace is sampled. */
const SAMPLED = 1;

/**
 * The remote span context a received `traceparent` names, or `undefined` when it is
 * missing or malformed (e.g. for a span link).
 *
 * @example const sc = spanContextFromTraceparent(tc?.traceparent); if (sc !== undefined) links.push({ context: sc });
 */
export function spanContextFromTraceparent(value: unknown): SpanContext | undefined {
  const p = parseTraceparent(value);
  if (p === undefined) return undefined;
  return { traceId: p.traceId, spanId: p.spanId, traceFlags: p.flags & SAMPLED, isRemote: true };
}

/**
 * The context a received `traceparent` names, as the parent for the receiver's span; a
 * missing or malformed value gives the root context (the receiver starts a new trace).
 *
 * @example tracer.startSpan('replay apply', {}, contextFromTraceparent(frame.tc?.traceparent))
 */
export function contextFromTraceparent(value: unknown): Context {
  const sc = spanContextFromTraceparent(value);
  return sc === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, sc);
}

/**
 * The `traceparent` that makes a receiver's span a child of `span` (sampled or not: an
 * unsampled parent keeps its children unsampled too).
 *
 * @example frame.tc = { traceparent: traceparentOf(span) }
 */
export function traceparentOf(span: Span): string {
  const c = span.spanContext();
  return formatTraceparent({ traceId: c.traceId, spanId: c.spanId, flags: c.traceFlags });
}

/**
 * Exemplar labels for a histogram observation made inside `span`: `{ trace_id }` when the
 * span is sampled (its trace can be looked up), else `undefined` (no exemplar).
 *
 * @example latency.observe(seconds, exemplarOf(span))
 */
export function exemplarOf(span: Span): { trace_id: string } | undefined {
  const c = span.spanContext();
  return (c.traceFlags & SAMPLED) !== 0 ? { trace_id: c.traceId } : undefined;
}
