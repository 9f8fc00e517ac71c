/** Prometheus remote_write 1.0 in: WriteRequest codec, receiver, pushers, write paths. */
export {
  decodeWriteRequest,
  encodeWriteRequest,
  METRIC_TYPES,
  LabelsCache,
  type WriteRequest,
  type WriteSeries,
  type WriteMetadata,
} from './write-request.js';
export {
  RemoteWriteReceiver,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_SAMPLES_PER_REQUEST,
  type ReceiverOptions,
  type ReceiverStats,
} from './receive.js';
export { ingestWriteRequest, RejectError, OUT_OF_BOUNDS_MS, type RejectReason } from './ingest.js';
export { Pushers, PUSH_STALE_MS, type PusherStatus } from './pushers.js';
export {
  writeEndpoints,
  type RemoteWriteReceiverOptions,
  type WriteEndpoints,
} from './endpoints.js';
