import type { Context } from '@opentelemetry/api';
import type {
  ReadableSpan,
  Span,
  SpanExporter,
  SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** `ExportResultCode` of `@opentelemetry/core` (not imported: one dependency fewer). */
const SUCCESS = 0;
const FAILED = 1 as const;

/** What a {@link CountingExporter} reports per finished export call. */
export type ExportOutcome = (spans: number, ok: boolean) => void;

/**
 * Wraps an exporter and reports how many spans each export call delivered or lost. An
 * exporter that throws instead of calling back counts as a failure, never as an exception.
 */
export class CountingExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly outcome: ExportOutcome,
  ) {}

  export(spans: ReadableSpan[], done: Parameters<SpanExporter['export']>[1]): void {
    let settled = false;
    const n = spans.length;
    try {
      this.inner.export(spans, (r) => {
        if (settled) return;
        settled = true;
        this.outcome(n, r.code === SUCCESS);
        done(r);
      });
    } catch (e) {
      if (settled) return;
      settled = true;
      this.outcome(n, false);
      done({ code: FAILED, error: e as Error });
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/**
 * Bounds the spans waiting for export (queued or in flight): past `max`, a finished span
 * is dropped and reported instead of queued. The batch processor behind it gets a queue
 * at least as large, so every drop is seen here and counted.
 */
export class QueueGuard implements SpanProcessor {
  private pending = 0;

  constructor(
    private readonly next: SpanProcessor,
    private readonly max: number,
    private readonly dropped: () => void,
  ) {}

  /** Spans that left the queue (exported or failed). */
  settle(n: number): void {
    this.pending = Math.max(0, this.pending - n);
  }

  onStart(span: Span, parent: Context): void {
    this.next.onStart(span, parent);
  }

  onEnd(span: ReadableSpan): void {
    if (this.pending >= this.max) {
      this.dropped();
      return;
    }
    this.pending++;
    this.next.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}
