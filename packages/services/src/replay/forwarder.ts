import type { SignedEvent } from '../protocol/event.js';
import type { Logger } from '../common/log.js';

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
}

/**
 * Sends applied events to storage in batches (`POST /events`), retrying with backoff while
 * storage is down. Events dropped past the buffer bound are recovered by storage's backfill.
 */
export class Forwarder {
  private buf: SignedEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sending = false;
  private backoff = 100;
  private stopped = false;
  /** Events storage acknowledged. */
  forwarded = 0;

  constructor(private readonly o: ForwarderOptions) {}

  /** Queues an event for storage. */
  push(ev: SignedEvent): void {
    this.buf.push(ev);
    const max = this.o.maxBuffered ?? 200_000;
    if (this.buf.length > max) this.buf.splice(0, this.buf.length - max);
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
    try {
      const res = await fetch(`${this.o.storageUrl}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events: batch }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) throw new Error(`storage answered ${res.status}`);
      await res.arrayBuffer();
      this.buf.splice(0, batch.length);
      this.forwarded += batch.length;
      this.backoff = 100;
    } catch (e) {
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

  /** Stops sending (buffered events are left to backfill). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }
}
