/**
 * A span processor that scrubs a span before the next processor (and so the exporter)
 * sees it: the span name, attribute keys and string values (arrays too), event names and
 * attributes (recorded exceptions' message and stack trace included), link attributes and
 * the status message. Trace context and the resource pass through untouched.
 * @module
 */
import type { Context, Attributes, AttributeValue, Link } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base';
import type { Scrubber } from '../scrub/scrubber.js';
import { TRACE_CONTEXT_KEYS } from '../scrub/rules.js';

/**
 * Wraps `next` (usually a `BatchSpanProcessor` around the OTLP exporter) so that what it
 * receives in `onEnd` is a scrubbed copy; the live span is not modified.
 *
 * @example
 * const provider = new NodeTracerProvider({
 *   spanProcessors: [new ScrubSpanProcessor(new BatchSpanProcessor(exporter), createScrubber())],
 * });
 */
export class ScrubSpanProcessor implements SpanProcessor {
  readonly #next: SpanProcessor;
  readonly #scrub: Scrubber;

  constructor(next: SpanProcessor, scrubber: Scrubber) {
    this.#next = next;
    this.#scrub = scrubber;
  }

  onStart(span: Span, parentContext: Context): void {
    this.#next.onStart(span, parentContext);
  }

  onEnding(span: Span): void {
    this.#next.onEnding?.(span);
  }

  onEnd(span: ReadableSpan): void {
    this.#next.onEnd(scrubSpan(span, this.#scrub));
  }

  forceFlush(): Promise<void> {
    return this.#next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.#next.shutdown();
  }
}

function scrubValue(v: AttributeValue | undefined, s: Scrubber): AttributeValue | undefined {
  if (typeof v === 'string') return s.string(v);
  if (Array.isArray(v)) {
    let changed = false;
    const out = v.map((x: unknown) => {
      if (typeof x !== 'string') return x;
      const y = s.string(x);
      if (y !== x) changed = true;
      return y;
    });
    return (changed ? out : v) as AttributeValue;
  }
  return v;
}

/** A scrubbed copy of `attrs`, or `attrs` itself when nothing changed. */
export function scrubAttributes(attrs: Attributes, s: Scrubber): Attributes {
  let out: Attributes | undefined;
  for (const k in attrs) {
    const v = attrs[k];
    const keep = TRACE_CONTEXT_KEYS.has(k);
    const k2 = keep ? k : s.string(k);
    const v2 = keep ? v : scrubValue(v, s);
    if (out === undefined && (k2 !== k || v2 !== v)) {
      out = {};
      // Copy what came before unchanged.
      for (const p in attrs) {
        if (p === k) break;
        out[p] = attrs[p];
      }
    }
    if (out !== undefined) out[k2] = v2;
  }
  return out ?? attrs;
}

function scrubEvent(e: TimedEvent, s: Scrubber): TimedEvent {
  const name = s.string(e.name);
  const attributes = e.attributes !== undefined ? scrubAttributes(e.attributes, s) : undefined;
  if (name === e.name && attributes === e.attributes) return e;
  return { ...e, name, ...(attributes !== undefined ? { attributes } : {}) };
}

function scrubLink(l: Link, s: Scrubber): Link {
  if (l.attributes === undefined) return l;
  const attributes = scrubAttributes(l.attributes, s);
  return attributes === l.attributes ? l : { ...l, attributes };
}

/** A scrubbed, read-only view of an ended span (ids, times and resource shared). */
export function scrubSpan(span: ReadableSpan, s: Scrubber): ReadableSpan {
  const status =
    span.status.message !== undefined
      ? { ...span.status, message: s.string(span.status.message) }
      : span.status;
  return {
    name: s.string(span.name),
    kind: span.kind,
    spanContext: () => span.spanContext(),
    ...(span.parentSpanContext !== undefined ? { parentSpanContext: span.parentSpanContext } : {}),
    startTime: span.startTime,
    endTime: span.endTime,
    status,
    attributes: scrubAttributes(span.attributes, s),
    links: span.links.map((l) => scrubLink(l, s)),
    events: span.events.map((e) => scrubEvent(e, s)),
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}
