import type { Registry, GaugeHandle, CounterHandle, Gauge, Counter } from '@canopy/telemetry';
import { ROOT_CONTEXT, SpanStatusCode, context, trace as otelTrace } from '@opentelemetry/api';
import type { Span, Tracer } from '@opentelemetry/api';
import { contextFromTraceparent, traceparentOf } from '@canopy/telemetry/tracing';
import { actors, type ACTOR_TYPES } from '@canopy/catalog';

/** An actor type from the catalog's closed set; metrics are labelled by it, never by instance. */
export type ActorType = (typeof ACTOR_TYPES)[number];

/** Trace context carried in every envelope (W3C `traceparent`/`tracestate`). */
export type TraceCarrier = Readonly<Record<string, string>>;

/** What a handler sees besides the message. */
export interface ActorContext {
  /**
   * Trace context to pass on with whatever the handler sends: in a traced actor, its
   * handling span's; otherwise the message's own, if the sender had one.
   */
  readonly trace: TraceCarrier | undefined;
  /** The handling span of a traced actor (tracing on), for counts and sizes as attributes. */
  readonly span: Span | undefined;
}

/** Handles one message; its return value answers `ask`. Throwing is a panic. */
export type Handler<M, R> = (msg: M, ctx: ActorContext) => R | Promise<R>;

/** Options of {@link ActorSystem.spawn}. */
export interface ActorOptions {
  /** Mailbox bound; `send` waits and `trySend` refuses beyond it. Default 1024. */
  readonly capacity?: number;
  /** First restart delay after a panic, doubled per consecutive panic. Default 10 ms. */
  readonly backoffMs?: number;
  /** Longest restart delay. Default 5000 ms. */
  readonly maxBackoffMs?: number;
  /** Called on each panic (e.g. to log). */
  readonly onPanic?: (err: unknown) => void;
  /**
   * Handle each message inside a span of this name (attribute `actor`: the type), a child
   * of the message's trace context or a new trace. Only when the system has a tracer.
   */
  readonly span?: string;
}

/** Thrown by `send`/`ask` on a stopped actor. */
export class ActorStoppedError extends Error {
  constructor(type: string) {
    super(`actor ${type} is stopped`);
    this.name = 'ActorStoppedError';
  }
}

interface Envelope<M> {
  msg: M;
  enqueuedAt: number;
  trace: TraceCarrier | undefined;
  resolve: ((v: unknown) => void) | undefined;
  reject: ((e: unknown) => void) | undefined;
}

interface TypeMetrics {
  depth: GaugeHandle;
  lag: GaugeHandle;
  messages: CounterHandle;
  panics: CounterHandle;
  restarts: CounterHandle;
  /** Enqueue/handle clock for mailbox lag; a constant when telemetry is off, so off costs nothing. */
  clock: () => number;
}

/**
 * One actor: a bounded mailbox drained one message at a time by its handler. A handler
 * that throws is a panic: it is counted, the message's asker gets the error, and the actor
 * restarts (its state rebuilt by the factory) after an exponential backoff.
 */
export class Actor<M, R = void> {
  private queue: Array<Envelope<M> | undefined>;
  private head = 0;
  private size = 0;
  private running = false;
  private stopped = false;
  private closing = false;
  private handler: Handler<M, R>;
  private readonly waiters: Array<() => void> = [];
  private backoff: number;
  private panicsInRow = 0;
  /** Runs the handler on one envelope; traced or not, chosen at construction. */
  private readonly run: (e: Envelope<M>) => R | Promise<R>;
  /** @internal Set by the system to forget a stopped actor. */
  onStop: (() => void) | undefined;

  constructor(
    /** The actor's type (its metric label). */
    readonly type: ActorType,
    private readonly factory: () => Handler<M, R>,
    private readonly m: TypeMetrics,
    private readonly options: ActorOptions,
    tracer?: Tracer,
  ) {
    this.queue = new Array(options.capacity ?? 1024);
    this.handler = factory();
    this.backoff = options.backoffMs ?? 10;
    const name = options.span;
    this.run =
      tracer !== undefined && name !== undefined
        ? (e) => this.runTraced(e, tracer, name)
        : (e) => this.handler(e.msg, { trace: e.trace, span: undefined });
  }

  private async runTraced(e: Envelope<M>, tracer: Tracer, name: string): Promise<R> {
    const span = tracer.startSpan(
      name,
      { attributes: { actor: this.type } },
      contextFromTraceparent(e.trace?.traceparent),
    );
    const ts = e.trace?.tracestate;
    const trace: TraceCarrier =
      typeof ts === 'string'
        ? { traceparent: traceparentOf(span), tracestate: ts }
        : { traceparent: traceparentOf(span) };
    const actx: ActorContext = { trace, span };
    try {
      // Active while the handler runs, so log lines carry its trace_id / span_id; an
      // unsampled span has no trace to look up, so it skips the context switch. The
      // handler and its arguments go to `with` as such: no closure per message.
      return await (span.isRecording()
        ? context.with(otelTrace.setSpan(ROOT_CONTEXT, span), this.handler, undefined, e.msg, actx)
        : this.handler(e.msg, actx));
    } catch (err) {
      // The reason is fixed text: an exception message may carry peer data.
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'panic' });
      throw err;
    } finally {
      span.end();
    }
  }

  /** Messages waiting. */
  get depth(): number {
    return this.size;
  }

  /** Mailbox bound. */
  get capacity(): number {
    return this.queue.length;
  }

  /**
   * Enqueues a message if there is room; returns false when the mailbox is full (the caller
   * decides whether to drop, count or disconnect).
   */
  trySend(msg: M, trace?: TraceCarrier): boolean {
    if (this.stopped || this.closing || this.size === this.queue.length) return false;
    this.push({ msg, enqueuedAt: this.m.clock(), trace, resolve: undefined, reject: undefined });
    return true;
  }

  /** Enqueues a message, waiting while the mailbox is full (backpressure). */
  async send(msg: M, trace?: TraceCarrier): Promise<void> {
    while (this.size === this.queue.length && !this.stopped && !this.closing)
      await new Promise<void>((r) => this.waiters.push(r));
    // Draining (stopWhenDrained) takes no new messages, like trySend.
    if (this.stopped || this.closing) throw new ActorStoppedError(this.type);
    this.push({ msg, enqueuedAt: this.m.clock(), trace, resolve: undefined, reject: undefined });
  }

  /** Sends a message and resolves with the handler's result (rejects if it panics). */
  async ask(msg: M, trace?: TraceCarrier): Promise<R> {
    while (this.size === this.queue.length && !this.stopped && !this.closing)
      await new Promise<void>((r) => this.waiters.push(r));
    if (this.stopped || this.closing) throw new ActorStoppedError(this.type);
    return new Promise<R>((resolve, reject) => {
      this.push({
        msg,
        enqueuedAt: this.m.clock(),
        trace,
        resolve: resolve as (v: unknown) => void,
        reject,
      });
    });
  }

  /** Stops taking new messages but handles those already queued, then stops. */
  stopWhenDrained(): void {
    if (this.size === 0 && !this.running) this.stop();
    else this.closing = true;
  }

  /** Stops taking messages; waiting messages are dropped and their askers rejected. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.onStop?.();
    while (this.size > 0) this.shift()?.reject?.(new ActorStoppedError(this.type));
    for (const w of this.waiters.splice(0)) w();
  }

  private push(e: Envelope<M>): void {
    this.queue[(this.head + this.size) % this.queue.length] = e;
    this.size++;
    this.m.depth.inc();
    if (!this.running) {
      this.running = true;
      queueMicrotask(() => void this.drain());
    }
  }

  private shift(): Envelope<M> | undefined {
    const e = this.queue[this.head];
    this.queue[this.head] = undefined;
    this.head = (this.head + 1) % this.queue.length;
    this.size--;
    this.m.depth.dec();
    this.waiters.shift()?.();
    return e;
  }

  private async drain(): Promise<void> {
    while (this.size > 0 && !this.stopped) {
      const e = this.shift()!;
      this.m.lag.set((this.m.clock() - e.enqueuedAt) / 1000);
      try {
        const r = await this.run(e);
        this.m.messages.inc();
        this.panicsInRow = 0;
        e.resolve?.(r);
      } catch (err) {
        this.m.messages.inc();
        this.m.panics.inc();
        e.reject?.(err);
        this.options.onPanic?.(err);
        await this.restart();
      }
    }
    this.running = false;
    if (this.closing) this.stop();
  }

  private async restart(): Promise<void> {
    const base = this.options.backoffMs ?? 10;
    const delay = Math.min(base * 2 ** this.panicsInRow, this.options.maxBackoffMs ?? 5000);
    this.panicsInRow++;
    this.backoff = delay;
    await new Promise((r) => setTimeout(r, delay));
    if (this.stopped) return;
    this.handler = this.factory();
    this.m.restarts.inc();
  }

  /** Current restart delay (grows with consecutive panics). */
  get currentBackoffMs(): number {
    return this.backoff;
  }
}

/**
 * Spawns actors and instruments them per actor type with the catalog's actor metrics.
 *
 * @example
 * const system = new ActorSystem(registry);
 * const writer = system.spawn('storage_writer', () => async (batch: Event[]) => db.write(batch));
 * await writer.send(batch);
 */
export class ActorSystem {
  private readonly metrics: {
    depth: Gauge<typeof actors.mailboxDepth>;
    lag: Gauge<typeof actors.mailboxLag>;
    messages: Counter<typeof actors.messages>;
    panics: Counter<typeof actors.panics>;
    restarts: Counter<typeof actors.restarts>;
  };
  private readonly all = new Set<Actor<never, unknown>>();

  private readonly clock: () => number;
  private readonly tracer: Tracer | undefined;

  /**
   * @param registry - Where the actor metrics go.
   * @param tracer - Spans for actors spawned with a `span` name; `undefined` (tracing off)
   *   leaves every actor on the untraced path.
   */
  constructor(registry: Registry, tracer?: Tracer) {
    this.tracer = tracer;
    // Chosen once: with telemetry off the lag gauge is a no-op, so skip reading the clock.
    this.clock = registry.enabled ? () => performance.now() : () => 0;
    this.metrics = {
      depth: registry.gauge(actors.mailboxDepth),
      lag: registry.gauge(actors.mailboxLag),
      messages: registry.counter(actors.messages),
      panics: registry.counter(actors.panics),
      restarts: registry.counter(actors.restarts),
    };
  }

  /**
   * Starts an actor of a type. `factory` builds the handler (and any state it closes over);
   * it runs again on every restart after a panic.
   */
  spawn<M, R = void>(
    type: ActorType,
    factory: () => Handler<M, R>,
    options: ActorOptions = {},
  ): Actor<M, R> {
    const l = { actor: type };
    const m = this.metrics;
    const a = new Actor<M, R>(
      type,
      factory,
      {
        depth: m.depth.labels(l),
        lag: m.lag.labels(l),
        messages: m.messages.labels(l),
        panics: m.panics.labels(l),
        restarts: m.restarts.labels(l),
        clock: this.clock,
      },
      options,
      this.tracer,
    );
    const key = a as unknown as Actor<never, unknown>;
    this.all.add(key);
    a.onStop = () => this.all.delete(key);
    return a;
  }

  /** Stops every actor. */
  stop(): void {
    for (const a of [...this.all]) a.stop();
    this.all.clear();
  }
}
