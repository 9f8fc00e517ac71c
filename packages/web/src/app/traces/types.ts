/**
 * What the hub's trace, log and exemplar APIs answer (the `data` of their envelopes). The
 * hub stores the spans the services send over OTLP/HTTP and the log lines pushed to it; the
 * web UI only reads them.
 * @module
 */

/** One trace in the list (`GET /api/v1/traces`), slowest first. */
export interface TraceSummary {
  readonly traceId: string;
  readonly rootService: string;
  readonly rootName: string;
  /** Start of the trace, Unix ms. */
  readonly startMs: number;
  readonly durationMs: number;
  readonly spanCount: number;
  readonly services: readonly string[];
  /** Whether any span ended with an error status. */
  readonly error: boolean;
}

/** A span event (an exception, a retry, …). */
export interface SpanEvent {
  readonly name: string;
  /** Unix ms. */
  readonly timeMs: number;
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** A span's status: OTLP's code (0 unset, 1 ok, 2 error; or its name) and message. */
export interface SpanStatus {
  readonly code: number | string;
  readonly message?: string;
}

/** One span of a trace (`GET /api/v1/traces/<id>`). */
export interface Span {
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly service: string;
  readonly name: string;
  readonly kind: string | number;
  /** Unix ms. */
  readonly startMs: number;
  readonly durationMs: number;
  readonly status: SpanStatus;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly events: readonly SpanEvent[];
}

/** A whole trace. */
export interface Trace {
  readonly traceId: string;
  readonly spans: readonly Span[];
}

/** A service that sent spans and the operations (root and inner span names) it has. */
export interface TraceService {
  readonly service: string;
  readonly operations: readonly string[];
}

/** One log line (`GET /api/v1/logs`), newest first. */
export interface LogEntry {
  /** Unix ms. */
  readonly timeMs: number;
  readonly service: string;
  /** A level name (`info`) or pino's number (30). */
  readonly level: string | number;
  readonly msg: string;
  readonly traceId?: string;
  readonly spanId?: string;
  readonly fields?: Readonly<Record<string, unknown>>;
}

/** One exemplar of `GET /api/v1/query_exemplars` (Prometheus's exemplar API). */
export interface Exemplar {
  readonly labels: Readonly<Record<string, string>>;
  /** The observed value, as text. */
  readonly value: string;
  /** Unix seconds (fractional). */
  readonly timestamp: number;
}

/** The exemplars of one series. */
export interface ExemplarSeries {
  readonly seriesLabels: Readonly<Record<string, string>>;
  readonly exemplars: readonly Exemplar[];
}

/**
 * Whether a span status is an error: OTLP code 2 or a name containing `ERROR`.
 *
 * @example isErrorStatus({ code: 2 }) // true
 * @example isErrorStatus({ code: 'STATUS_CODE_OK' }) // false
 */
export function isErrorStatus(s: SpanStatus | undefined): boolean {
  if (s === undefined) return false;
  return typeof s.code === 'number' ? s.code === 2 : /error/i.test(s.code);
}

/**
 * A status code for people: `unset`, `ok`, `error`.
 *
 * @example statusName({ code: 1 }) // 'ok'
 */
export function statusName(s: SpanStatus | undefined): string {
  if (s === undefined) return 'unset';
  if (typeof s.code === 'number') return ['unset', 'ok', 'error'][s.code] ?? String(s.code);
  return s.code.replace(/^STATUS_CODE_/i, '').toLowerCase();
}

/**
 * A span kind for people: OTLP's number (1 internal … 5 consumer) or its name.
 *
 * @example kindName(2) // 'server'
 * @example kindName('SPAN_KIND_CLIENT') // 'client'
 */
export function kindName(k: string | number): string {
  if (typeof k === 'number')
    return ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'][k] ?? String(k);
  return k.replace(/^SPAN_KIND_/i, '').toLowerCase();
}
