import type { CounterSpec, GaugeSpec } from '@canopy/telemetry';

/**
 * Actor types: a closed set. A label carries the type, never an instance, so a thousand
 * peer sessions are still one series.
 */
export const ACTOR_TYPES = [
  'relay_session',
  'relay_fanout',
  'relay_dialer',
  'replay_applier',
  'replay_sync',
  'replay_forwarder',
  'storage_writer',
  'storage_backfill',
] as const;

const actor = { kind: 'enum', values: ACTOR_TYPES } as const;

/** Actor runtime metrics, per actor type. */
export const actors = {
  mailboxDepth: {
    type: 'gauge',
    name: 'actor_mailbox_depth',
    help: 'Messages waiting in mailboxes, per actor type.',
    labels: { actor },
    maxSeries: 9,
  },
  mailboxLag: {
    type: 'gauge',
    name: 'actor_mailbox_lag_seconds',
    help: 'Time the last handled message waited between enqueue and handling.',
    unit: 'seconds',
    labels: { actor },
    maxSeries: 9,
  },
  messages: {
    type: 'counter',
    name: 'actor_messages_total',
    help: 'Messages handled, per actor type.',
    labels: { actor },
    maxSeries: 18,
  },
  panics: {
    type: 'counter',
    name: 'actor_panics_total',
    help: 'Handlers that threw, per actor type.',
    labels: { actor },
    maxSeries: 18,
  },
  restarts: {
    type: 'counter',
    name: 'actor_restarts_total',
    help: 'Actor restarts by the supervisor, per actor type.',
    labels: { actor },
    maxSeries: 18,
  },
} as const satisfies Record<string, CounterSpec | GaugeSpec>;
