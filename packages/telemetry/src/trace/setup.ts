import { ProxyTracerProvider, context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Registry } from '../registry.js';
import { CountingExporter, QueueGuard } from './counting.js';
import { traceSpecs } from './specs.js';
import { ScrubSpanProcessor } from './scrub-processor.js';
import { createScrubber } from '../scrub/scrubber.js';

/** Options of {@link setupTracing}. */
export interface TracingOptions {
  /** `service.name` of the spans (`relay`, `replay`, `storage`, …). */
  readonly service: string;
  /**
   * The OTLP/HTTP traces URL, e.g. `http://127.0.0.1:9400/v1/traces` (the hub),
   * `http://tempo:4318/v1/traces` or Grafana Cloud's `https://otlp-gateway-…/otlp/v1/traces`.
   * Spans are sent as protobuf.
   */
  readonly endpoint?: string;
  /** Share of new traces sampled, 0–1; children follow their parent's decision. Default 1. */
  readonly sampleRatio?: number;
  /** Extra request headers, e.g. `{ authorization: 'Basic …' }`. Never logged. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Default: on when `endpoint` (or `exporter`) is given. Off: a no-op tracer, nothing else. */
  readonly enabled?: boolean;
  /** Registers `canopy_trace_spans_exported_total` / `…_dropped_total` here (on or off). */
  readonly registry?: Registry;
  /** Exporter to use instead of OTLP/HTTP (tests, or a collector SDK of your own). */
  readonly exporter?: SpanExporter;
  /** Longest wait before a partial batch is sent, ms. Default 2000. */
  readonly batchDelayMs?: number;
  /** Most spans waiting for export; more are dropped (`reason="queue_full"`). Default 2048. */
  readonly maxQueue?: number;
  /** Time one export request may take, ms. Default 10000. */
  readonly timeoutMs?: number;
  /** Longest wait for the last export at {@link Tracing.shutdown}, ms. Default 3000. */
  readonly shutdownTimeoutMs?: number;
  /**
   * Install an AsyncLocalStorage context manager so a span made active with
   * `context.with` follows async work (`trace.getActiveSpan()`, which the logger reads for
   * `trace_id`/`span_id`). Default true; its cost on the relay fan-out path was within the
   * noise of `npm run bench -- --relay-tracing` (BENCHMARKS.md).
   */
  readonly activeSpans?: boolean;
}

/** Running totals of a {@link Tracing}. */
export interface TracingStats {
  /** Sampled spans the endpoint accepted. */
  readonly spansExported: number;
  /** Sampled spans lost (export failed or queue full). */
  readonly spansDropped: number;
}

/** What {@link setupTracing} returns. */
export interface Tracing {
  /** Whether spans are created and exported; decided once, at setup. */
  readonly enabled: boolean;
  /** The tracer (a no-op one when disabled). */
  readonly tracer: Tracer;
  readonly stats: TracingStats;
  /** Exports what has ended so far. */
  forceFlush(): Promise<void>;
  /**
   * Flushes and stops the exporter, waiting at most `shutdownTimeoutMs` (a hanging endpoint
   * does not hold up the service's stop); the tracer is a no-op afterwards.
   */
  shutdown(): Promise<void>;
}

/** A tracing option that cannot be used; the message says which and what to give. */
export class TracingConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TracingConfigError';
  }
}

const NOOP_TRACER: Tracer = new ProxyTracerProvider().getTracer('canopy-noop');

let contextManagerSet = false;

/** The active span follows async work. Set once per process, only when asked for. */
function useAsyncContext(): void {
  if (contextManagerSet) return;
  contextManagerSet = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

function check(o: TracingOptions): void {
  const r = o.sampleRatio;
  if (r !== undefined && !(typeof r === 'number' && r >= 0 && r <= 1))
    throw new TracingConfigError(
      `tracing (${o.service}): sample ratio must be a number from 0 to 1 (0.1 = one trace in ten), got ${String(r)}`,
    );
  if (o.endpoint !== undefined) {
    let u: URL | undefined;
    try {
      u = new URL(o.endpoint);
    } catch {
      u = undefined;
    }
    if (u === undefined || (u.protocol !== 'http:' && u.protocol !== 'https:'))
      throw new TracingConfigError(
        `tracing (${o.service}): endpoint must be an http(s) URL of an OTLP/HTTP traces receiver, e.g. http://127.0.0.1:4318/v1/traces, got "${o.endpoint}"`,
      );
  }
}

function counters(registry: Registry | undefined) {
  if (registry === undefined) return undefined;
  const dropped = registry.counter(traceSpecs.spansDropped);
  return {
    exported: registry.counter(traceSpecs.spansExported).labels(),
    failed: dropped.labels({ reason: 'export_failed' }),
    full: dropped.labels({ reason: 'queue_full' }),
  };
}

/**
 * Sets up OpenTelemetry tracing for one service: a Node tracer provider (not registered
 * globally, so several services can share a process), parent-based ratio sampling, a
 * batch processor and the OTLP/HTTP protobuf exporter. An endpoint that refuses, answers
 * an error or hangs costs the service nothing but the dropped spans, which are counted in
 * `canopy_trace_spans_dropped_total{reason="export_failed"}`; nothing is logged per failure.
 *
 * Disabled (no endpoint, or `enabled: false`) it returns a no-op tracer chosen here, once.
 *
 * @example
 * const tracing = setupTracing({ service: 'relay', endpoint: 'http://127.0.0.1:9400/v1/traces',
 *   sampleRatio: 0.1, registry });
 * const span = tracing.tracer.startSpan('relay fan-out');
 * span.end();
 * await tracing.shutdown();
 */
export function setupTracing(o: TracingOptions): Tracing {
  check(o);
  const c = counters(o.registry);
  let exported = 0;
  let dropped = 0;
  const stats: TracingStats = {
    get spansExported() {
      return exported;
    },
    get spansDropped() {
      return dropped;
    },
  };
  const enabled = o.enabled ?? (o.endpoint !== undefined || o.exporter !== undefined);
  if (!enabled || (o.endpoint === undefined && o.exporter === undefined)) {
    return {
      enabled: false,
      tracer: NOOP_TRACER,
      stats,
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
  }
  if (o.activeSpans !== false) useAsyncContext();
  const maxQueue = o.maxQueue ?? 2048;
  const inner =
    o.exporter ??
    new OTLPTraceExporter({
      url: o.endpoint!,
      headers: { ...o.headers },
      timeoutMillis: o.timeoutMs ?? 10_000,
    });
  let guard: QueueGuard | undefined = undefined;
  const exporter = new CountingExporter(inner, (n, ok) => {
    guard?.settle(n);
    if (ok) {
      exported += n;
      c?.exported.inc(n);
    } else {
      dropped += n;
      c?.failed.inc(n);
    }
  });
  const batch = new BatchSpanProcessor(exporter, {
    maxQueueSize: maxQueue,
    maxExportBatchSize: Math.min(512, maxQueue),
    scheduledDelayMillis: o.batchDelayMs ?? 2000,
    // Longer than the exporter's own timeout, so the exporter reports every failure.
    exportTimeoutMillis: (o.timeoutMs ?? 10_000) + 5000,
  });
  guard = new QueueGuard(batch, maxQueue, () => {
    dropped++;
    c?.full.inc();
  });
  // Spans are scrubbed (peer IDs, addresses, CIDs…) before the queue and the exporter see
  // them: see docs/privacy.md.
  const first: SpanProcessor = new ScrubSpanProcessor(guard, createScrubber());
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: o.service }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(o.sampleRatio ?? 1) }),
    spanProcessors: [first],
  });
  let stopping: Promise<void> | undefined;
  return {
    enabled: true,
    tracer: provider.getTracer('canopy'),
    stats,
    forceFlush: () => provider.forceFlush().catch(() => {}),
    // A failing or hanging endpoint must neither fail nor hold up the service's shutdown.
    shutdown: () =>
      (stopping ??= new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, o.shutdownTimeoutMs ?? 3000);
        timer.unref();
        const done = (): void => {
          clearTimeout(timer);
          resolve();
        };
        provider.shutdown().then(done, done);
      })),
  };
}
