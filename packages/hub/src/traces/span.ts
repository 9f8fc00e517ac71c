/**
 * A span as the trace store keeps it, whichever OTLP encoding it came in, and the error a
 * malformed OTLP body raises.
 */

/** One span, decoded from OTLP. Times are nanoseconds since the epoch. */
export interface SpanRecord {
  /** 32 lowercase hex digits. */
  readonly traceId: string;
  /** 16 lowercase hex digits. */
  readonly spanId: string;
  readonly parentSpanId: string | null;
  /** The resource's `service.name` (`unknown_service` when absent, as OpenTelemetry says). */
  readonly service: string;
  readonly name: string;
  /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly startNs: bigint;
  readonly endNs: bigint;
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  readonly statusCode: number;
  readonly statusMessage: string;
  readonly attributes: Record<string, unknown>;
  readonly events: SpanEvent[];
}

/** A span event. */
export interface SpanEvent {
  readonly name: string;
  readonly timeNs: bigint;
  readonly attributes: Record<string, unknown>;
}

/** A body that is not a valid OTLP ExportTraceServiceRequest; answered with HTTP 400. */
export class OtlpError extends Error {
  /** @param status HTTP status of the answer: 400 (malformed) or 413 (too many spans). */
  constructor(
    message: string,
    readonly status: 400 | 413 = 400,
  ) {
    super(message);
    this.name = 'OtlpError';
  }
}

/** Throws a 413 {@link OtlpError} when a request carries more than `max` spans. */
export function tooManySpans(count: number, max: number): never {
  throw new OtlpError(
    `the request has more than ${max} spans (got ${count} so far); send smaller batches (the exporter's maxExportBatchSize) or raise traces.maxSpansPerRequest`,
    413,
  );
}

/** Span kind names by OTLP number (the API's `kind`). */
export const SPAN_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/** Status code names by OTLP number (the API's `status.code`). */
export const STATUS_CODES = ['unset', 'ok', 'error'];

const HEX = '0123456789abcdef';

/** Lowercase hex of `b`. */
export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]! >> 4]! + HEX[b[i]! & 15]!;
  return s;
}

/** Whether `id` is all zeros (an invalid trace or span id in OpenTelemetry). */
export function isZeroId(id: string): boolean {
  return /^0+$/.test(id);
}

/**
 * Checks the ids and times of a decoded span; `where` names it in the message
 * (`resourceSpans[0].scopeSpans[1].spans[2]`).
 */
export function checkSpan(s: SpanRecord, where: string): void {
  if (s.traceId.length !== 32 || isZeroId(s.traceId))
    throw new OtlpError(`${where}.traceId: expected 16 bytes, not all zero`);
  if (s.spanId.length !== 16 || isZeroId(s.spanId))
    throw new OtlpError(`${where}.spanId: expected 8 bytes, not all zero`);
  if (s.parentSpanId !== null && s.parentSpanId.length !== 16)
    throw new OtlpError(`${where}.parentSpanId: expected 8 bytes or none`);
  if (s.name === '') throw new OtlpError(`${where}.name: must not be empty`);
  if (s.kind < 0 || s.kind > 5 || !Number.isInteger(s.kind))
    throw new OtlpError(`${where}.kind: expected 0…5, got ${s.kind}`);
  if (s.statusCode < 0 || s.statusCode > 2 || !Number.isInteger(s.statusCode))
    throw new OtlpError(`${where}.status.code: expected 0…2, got ${s.statusCode}`);
  if (s.startNs <= 0n) throw new OtlpError(`${where}.startTimeUnixNano: missing or zero`);
  if (s.endNs < s.startNs)
    throw new OtlpError(`${where}.endTimeUnixNano: before startTimeUnixNano`);
}
