/** Traces: the OTLP/HTTP receiver, the SQLite trace store and the trace API. */
export { OtlpError, SPAN_KINDS, STATUS_CODES, type SpanEvent, type SpanRecord } from './span.js';
export { decodeTracesJson } from './otlp-json.js';
export { decodeTracesProto } from './otlp-proto.js';
export {
  TraceStore,
  type SpanView,
  type TraceQuery,
  type TraceStoreOptions,
  type TraceStoreStats,
  type TraceSummary,
} from './trace-store.js';
export { otlpTraceReceiver, type OtlpReceiverOptions, type OtlpReceiverStats } from './receiver.js';
export { traceApi } from './api.js';
