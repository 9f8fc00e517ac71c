/** Remote write out: the hub forwards what it ingests to Prometheus-compatible endpoints. */
export {
  RemoteWriteSchema,
  resolveRemoteWrite,
  RELABEL_ACTIONS,
  type RemoteWriteConfig,
  type RemoteWriteEndpoint,
  type RelabelRule,
} from './config.js';
export { RemoteWriter, RemoteWriteConfigError, checkRemoteWrite } from './remote-writer.js';
export { relabel, inCatalog, SeriesFilter, type DropReason } from './relabel.js';
export { DurableQueue } from './queue.js';
export { retryAfterMs, type EndpointStats, type RemoteWriteLogger } from './endpoint.js';
