import type { CounterSpec, GaugeSpec } from '@canopy/telemetry';

/** The replay's metrics: events applied, sync queue, peers served, head-set and lag. */
export const replay = {
  eventsApplied: {
    type: 'counter',
    name: 'replay_events_applied_total',
    help: 'Verified events applied to the head-set.',
    maxSeries: 2,
  },
  syncQueueDepth: {
    type: 'gauge',
    name: 'replay_sync_queue_depth',
    help: 'Sync requests from peers waiting to be served.',
    maxSeries: 1,
  },
  peersServed: {
    type: 'counter',
    name: 'replay_peers_served_total',
    help: 'Sync sessions served to peers.',
    maxSeries: 2,
  },
  headSetSize: {
    type: 'gauge',
    name: 'replay_head_set_size',
    help: 'Heads tracked, one per namespace and author.',
    maxSeries: 1,
  },
  headEventAge: {
    type: 'gauge',
    name: 'replay_head_event_age_seconds',
    help: 'Age of the newest applied event when it was applied (sync lag).',
    unit: 'seconds',
    maxSeries: 1,
  },
} as const satisfies Record<string, CounterSpec | GaugeSpec>;
