/** The storage reference service: SQLite event store, HTTP API, writer and backfill actors. */
export { startStorage, type StorageOptions } from './service.js';
export { EventStore, type WriteResult, type StoredEvent, type GappyStream } from './store.js';
export { MAX_BATCH_BYTES } from './api.js';
export { MAX_BATCH_EVENTS } from './validate.js';
export { MAX_READ_LIMIT, DEFAULT_READ_LIMIT } from './query.js';
export { SLOW_DISK_DEFAULT_MS } from './writer.js';
