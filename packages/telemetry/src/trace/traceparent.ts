/**
 * W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/): parsing that
 * never throws and formatting. No OpenTelemetry import, so the core can use it too.
 */

/** The parts of a valid `traceparent`. */
export interface TraceParent {
  /** 32 lowercase hex digits, not all zero. */
  readonly traceId: string;
  /** 16 lowercase hex digits, not all zero (the sender's span). */
  readonly spanId: string;
  /** Trace flags; bit 0 is "sampled". */
  readonly flags: number;
}

/** Longest `traceparent` looked at; a future version may append fields after a `-`. */
const MAX_LENGTH = 256;
const RE = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '00000000000000000000000000000000';
const ZERO_SPAN = '0000000000000000';

/**
 * Parses a `traceparent` header value. Anything malformed — not a string, wrong lengths,
 * upper-case hex, an all-zero id, version `ff`, extra fields on version `00` — gives
 * `undefined` (the receiver then starts a new trace), never an exception.
 *
 * @example parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')
 * // { traceId: '4bf92f35…', spanId: '00f067aa0ba902b7', flags: 1 }
 */
export function parseTraceparent(value: unknown): TraceParent | undefined {
  if (typeof value !== 'string' || value.length > MAX_LENGTH) return undefined;
  const m = RE.exec(value);
  if (m === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, flags: parseInt(flags, 16) };
}

/**
 * Formats a version-00 `traceparent`.
 *
 * @example formatTraceparent({ traceId: '4bf9…4736', spanId: '00f0…02b7', flags: 1 }) // '00-4bf9…-01'
 */
export function formatTraceparent(p: TraceParent): string {
  return `00-${p.traceId}-${p.spanId}-${(p.flags & 0xff).toString(16).padStart(2, '0')}`;
}
