import { SpanKind, SpanStatusCode, type Link, type Tracer } from '@opentelemetry/api';
import {
  contextFromTraceparent,
  spanContextFromTraceparent,
  traceparentOf,
} from '@canopy/telemetry/tracing';
import type { SignedEvent } from '../protocol/event.js';
import type { Logger } from '../common/log.js';
import type { TraceCarrier } from '../actors/actor.js';

/** Options of {@link Forwarder}. */
export interface ForwarderOptions {
  /** Storage base URL (`http://host:port`). */
  readonly storageUrl: string;
  readonly log: Logger;
  /** Largest batch. Default 500. */
  readonly maxBatch?: number;
  /** Longest wait before a partial batch is sent. Default 100 ms. */
  readonly flushMs?: number;
  /** Most events buffered while storage is unreachable; beyond it the oldest are left to backfill. Default 200000. */
  readonly maxBuffered?: number;
  /**
   * With tracing on: each batch is a `replay forward batch` span, child of its first traced
   * event (the others linked, up to {@link MAX_LINKS}), sent to storage as `traceparent`.
   */
  readonly tracer?: Tracer;
}

/** Most other events' traces a forward batch span links to. */
export const MAX_LINKS = 32;

/**
 * Sends applied events to storage in batches (`POST /events`), retrying with backoff while
 * storage is down. Events dropped past the buffer bound are recovered by storage's backfill.
 */
export class Forwarder {
  private buf: SignedEvent[] = [];
  /** Trace context per buffered event (same index as `buf`); only kept with a tracer. */
  private tcs: Array<TraceCarrier | undefined> = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sending = false;
  private backoff = 100;
  private stopped = false;
  /** Events storage acknowledged. */
  forwarded = 0;

  constructor(private readonly o: ForwarderOptions) {}

  /** Queues an event for storage, with the trace context of its applying. */
  push(ev: SignedEvent, tc?: TraceCarrier): void {
    this.buf.push(ev);
    if (this.o.tracer !== undefined) this.tcs.push(tc);
    const max = this.o.maxBuffered ?? 200_000;
    if (this.buf.length > max) {
      this.buf.splice(0, this.buf.length - max);
      if (this.o.tracer !== undefined) this.tcs.splice(0, this.tcs.length - max);
    }
    if (this.buf.length >= (this.o.maxBatch ?? 500)) void this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => void this.flush(), this.o.flushMs ?? 100);
      this.timer.unref();
    }
  }

  /** Events waiting to be sent. */
  get pending(): number {
    return this.buf.length;
  }

  /** Sends what is buffered now (one batch at a time). */
  async flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sending || this.buf.length === 0 || this.stopped) return;
    this.sending = true;
    const batch = this.buf.slice(0, this.o.maxBatch ?? 500);
    const span = this.batchSpan(batch.length);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (span !== undefined) headers.traceparent = traceparentOf(span);
    try {
      const res = await fetch(`${this.o.storageUrl}/events`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ events: batch }),
        signal: AbortSignal.timeout(10_000),
      });
      span?.setAttribute('http.response.status_code', res.status);
      if (!res.ok) throw new Error(`storage answered ${res.status}`);
      await res.arrayBuffer();
      this.buf.splice(0, batch.length);
      if (this.o.tracer !== undefined) this.tcs.splice(0, batch.length);
      this.forwarded += batch.length;
      this.backoff = 100;
      span?.end();
    } catch (e) {
      // Fixed text: the error's message may name the storage address.
      span?.setStatus({ code: SpanStatusCode.ERROR, message: 'forward failed' });
      span?.end();
      this.o.log.warn(
        { err: (e as Error).message, pending: this.buf.length },
        'forward to storage failed',
      );
      await new Promise((r) => setTimeout(r, this.backoff).unref());
      this.backoff = Math.min(this.backoff * 2, 5000);
    } finally {
      this.sending = false;
    }
    if (this.buf.length > 0 && !this.stopped) void this.flush();
  }

  /** The span of one batch: child of its first traced event, the others linked. */
  private batchSpan(n: number) {
    const tracer = this.o.tracer;
    if (tracer === undefined) return undefined;
    let parent: string | undefined;
    const links: Link[] = [];
    for (let i = 0; i < n && links.length < MAX_LINKS; i++) {
      const tp = this.tcs[i]?.traceparent;
      if (tp === undefined) continue;
      if (parent === undefined) parent = tp;
      else if (tp !== parent) {
        const sc = spanContextFromTraceparent(tp);
        if (sc !== undefined) links.push({ context: sc });
      }
    }
    return tracer.startSpan(
      'replay forward batch',
      { kind: SpanKind.CLIENT, links, attributes: { 'canopy.events': n } },
      contextFromTraceparent(parent),
    );
  }

  /** Stops sending (buffered events are left to backfill). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }
}
