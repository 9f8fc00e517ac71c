import type { CounterSpec, GaugeSpec, HistogramSpec } from '@canopy/telemetry';
import { WRITE_BUCKETS } from './buckets.js';

/** The storage service's metrics: write latency, database size, backfill and disk. */
export const storage = {
  writeDuration: {
    type: 'histogram',
    name: 'storage_write_duration_seconds',
    help: 'Time to write one batch of events to SQLite.',
    unit: 'seconds',
    buckets: WRITE_BUCKETS,
    exemplars: true,
    maxSeries: 16,
  },
  dbSize: {
    type: 'gauge',
    name: 'storage_db_size_bytes',
    help: 'Size of the SQLite database files.',
    unit: 'bytes',
    maxSeries: 1,
  },
  eventsBackfilled: {
    type: 'counter',
    name: 'storage_events_backfilled_total',
    help: 'Events written by backfill rather than live forwarding.',
    maxSeries: 2,
  },
  diskFree: {
    type: 'gauge',
    name: 'storage_disk_free_bytes',
    help: 'Free bytes on the filesystem holding the database.',
    unit: 'bytes',
    maxSeries: 1,
  },
  diskSize: {
    type: 'gauge',
    name: 'storage_disk_size_bytes',
    help: 'Size of the filesystem holding the database.',
    unit: 'bytes',
    maxSeries: 1,
  },
} as const satisfies Record<string, CounterSpec | GaugeSpec | HistogramSpec>;
